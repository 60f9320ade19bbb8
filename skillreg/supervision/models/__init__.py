from skillreg.supervision.models.complaints import Complaint
from skillreg.supervision.models.grading import Evaluation, Rectification, TerminationProposal
from skillreg.supervision.models.inactivity import InactivityFlag
from skillreg.supervision.models.inspections import (
    Inspection,
    InspectionConflict,
    InspectionFinding,
    InspectionPlan,
)
from skillreg.supervision.models.reports import AnnualReport
from skillreg.supervision.models.violations import BlacklistEntry, ViolationRecord

__all__ = [
    "AnnualReport",
    "BlacklistEntry",
    "Complaint",
    "Evaluation",
    "InactivityFlag",
    "Inspection",
    "InspectionConflict",
    "InspectionFinding",
    "InspectionPlan",
    "Rectification",
    "TerminationProposal",
    "ViolationRecord",
]
