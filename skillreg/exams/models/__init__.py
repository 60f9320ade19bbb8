from skillreg.exams.models.candidates import (
    EMPLOYEE_RELATIONS,
    Candidate,
    Registration,
    RegistrationMaterial,
    Relation,
    RosterReview,
    TrainingRoster,
    TrainingRosterEntry,
)
from skillreg.exams.models.imports import RosterImport
from skillreg.exams.models.plans import ExamApplication, ExamPlan, Venue
from skillreg.exams.models.scoring import AnswerSheet, Score, ScoreCorrection, ScoreSheet
from skillreg.exams.models.staffing import (
    Assessor,
    AssessorAssignment,
    AssessorCertificate,
    SupervisionReport,
    SupervisorAssignment,
)

__all__ = [
    "EMPLOYEE_RELATIONS",
    "AnswerSheet",
    "Assessor",
    "AssessorAssignment",
    "AssessorCertificate",
    "Candidate",
    "ExamApplication",
    "ExamPlan",
    "Registration",
    "RegistrationMaterial",
    "Relation",
    "RosterImport",
    "RosterReview",
    "Score",
    "ScoreCorrection",
    "ScoreSheet",
    "SupervisionReport",
    "SupervisorAssignment",
    "TrainingRoster",
    "TrainingRosterEntry",
    "Venue",
]
