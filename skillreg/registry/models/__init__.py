from skillreg.registry.models.application import (
    Application,
    ApplicationMaterial,
    CallForApplications,
    EvaluationPlan,
    SupplementNotice,
)
from skillreg.registry.models.catalogue import Occupation, SpecialProject
from skillreg.registry.models.directory import CodeSequence, DirectoryEntry, Filing, InstitutionScope
from skillreg.registry.models.institution import BodyKind, Institution
from skillreg.registry.models.lifecycle import *  # noqa: F403  (lifecycle models register themselves)
from skillreg.registry.models.search import (
    DirectorySearchGram,
    DirectorySearchGramCount,
    DirectorySearchRow,
    DirectorySearchScope,
)

__all__ = [
    "Application",
    "ApplicationMaterial",
    "BodyKind",
    "CallForApplications",
    "CodeSequence",
    "DirectoryEntry",
    "DirectorySearchGram",
    "DirectorySearchGramCount",
    "DirectorySearchRow",
    "DirectorySearchScope",
    "EvaluationPlan",
    "Filing",
    "Institution",
    "InstitutionScope",
    "Occupation",
    "SpecialProject",
    "SupplementNotice",
]
