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

__all__ = [
    "Application",
    "ApplicationMaterial",
    "BodyKind",
    "CallForApplications",
    "CodeSequence",
    "DirectoryEntry",
    "EvaluationPlan",
    "Filing",
    "Institution",
    "InstitutionScope",
    "Occupation",
    "SpecialProject",
    "SupplementNotice",
]
