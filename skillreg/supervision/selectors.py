"""Reads: scoped querysets, the blacklist check, the dashboard figures, one institution's file."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, DateField, F, Min, Q, QuerySet, Value, When

from skillreg.accounts.scoping import get_scoped_or_404, jurisdiction_q, scoped
from skillreg.core import clock
from skillreg.policies.registry import all_packs
from skillreg.registry.models import Institution
from skillreg.supervision.models import (
    AnnualReport,
    BlacklistEntry,
    Complaint,
    Evaluation,
    InactivityFlag,
    Inspection,
    InspectionPlan,
    Rectification,
    TerminationProposal,
    ViolationRecord,
)
from skillreg.supervision.services import reports as report_services
from skillreg.supervision.services.complaints import OPEN_STATUSES


def is_blacklisted(credit_code: str) -> BlacklistEntry | None:
    """The active 失信黑名单 entry for a 统一社会信用代码 (003 五(五)), or None.

    The registry calls this before accepting an application: a blacklisted body, or a new
    application carrying the same code, cannot file.
    """
    code = (credit_code or "").strip().upper()
    if not code:
        return None
    return BlacklistEntry.objects.filter(credit_code=code, lifted_at__isnull=True).first()


# --- scoped querysets ------------------------------------------------------------------------

def plans_visible_to(user: Any) -> QuerySet[InspectionPlan]:
    return scoped(InspectionPlan.objects.select_related("authority", "body_draw"), user,
                  region_field="authority__region_code", institution_field=None)


def plan_for(user: Any, public_id: Any) -> InspectionPlan:
    return get_scoped_or_404(InspectionPlan.objects.select_related("authority", "body_draw"), user,
                             scope={"region_field": "authority__region_code", "institution_field": None},
                             public_id=public_id)


def inspections_visible_to(user: Any) -> QuerySet[Inspection]:
    """The jurisdiction's inspections, plus those the user was drawn to inspect."""
    qs = Inspection.objects.select_related("plan__authority", "institution", "inspector_draw")
    if not user.is_authenticated:
        return qs.none()
    visible = jurisdiction_q(user, region_field="plan__authority__region_code", institution_field=None)
    return qs.filter(pk__in=Inspection.objects.filter(visible | Q(inspectors=user)).values("pk"))


def inspection_for(user: Any, public_id: Any) -> Inspection:
    from django.http import Http404

    try:
        return inspections_visible_to(user).get(public_id=public_id)
    except (Inspection.DoesNotExist, ValueError) as exc:
        raise Http404("未找到该对象") from exc


def institutions_visible_to(user: Any) -> QuerySet[Institution]:
    return scoped(Institution.objects.select_related("authority"), user, institution_field=None)


def institution_for(user: Any, public_id: Any) -> Institution:
    return get_scoped_or_404(Institution.objects.select_related("authority"), user,
                             scope={"institution_field": None}, public_id=public_id)


def complaints_visible_to(user: Any) -> QuerySet[Complaint]:
    return scoped(Complaint.objects.select_related("institution", "authority"), user, institution_field=None)


def complaint_for(user: Any, public_id: Any) -> Complaint:
    return get_scoped_or_404(Complaint.objects.select_related("institution", "authority"), user,
                             scope={"institution_field": None}, public_id=public_id)


def _by_institution(model: Any, user: Any) -> QuerySet[Any]:
    return scoped(model.objects.select_related("institution"), user,
                  region_field="institution__region_code", institution_field=None)


def violations_visible_to(user: Any) -> QuerySet[ViolationRecord]:
    return _by_institution(ViolationRecord, user)


def violation_for(user: Any, public_id: Any) -> ViolationRecord:
    return get_scoped_or_404(ViolationRecord.objects.select_related("institution"), user,
                             scope={"region_field": "institution__region_code", "institution_field": None},
                             public_id=public_id)


def rectifications_visible_to(user: Any) -> QuerySet[Rectification]:
    return _by_institution(Rectification, user)


def rectification_for(user: Any, public_id: Any) -> Rectification:
    return get_scoped_or_404(Rectification.objects.select_related("institution"), user,
                             scope={"region_field": "institution__region_code", "institution_field": None},
                             public_id=public_id)


def proposals_visible_to(user: Any) -> QuerySet[TerminationProposal]:
    return _by_institution(TerminationProposal, user)


def proposal_for(user: Any, public_id: Any) -> TerminationProposal:
    return get_scoped_or_404(TerminationProposal.objects.select_related("institution"), user,
                             scope={"region_field": "institution__region_code", "institution_field": None},
                             public_id=public_id)


def inactivity_flags_visible_to(user: Any) -> QuerySet[InactivityFlag]:
    return _by_institution(InactivityFlag, user)


def annual_reports_visible_to(user: Any) -> QuerySet[AnnualReport]:
    """Officials: their jurisdiction's; an institution user: their own institution's."""
    return scoped(AnnualReport.objects.select_related("institution", "submitted_by"), user,
                  institution_field="institution_id")


def annual_report_for(user: Any, public_id: Any) -> AnnualReport:
    return get_scoped_or_404(AnnualReport.objects.select_related("institution", "submitted_by"), user,
                             scope={"institution_field": "institution_id"}, public_id=public_id)


def annual_report_overview(user: Any, year: int) -> list[tuple[Institution, list[report_services.ReportState]]]:
    """002 第五条(五): for each body in the jurisdiction that owes them, the plan and the
    summary of ``year``: submitted (on time or late), due, or overdue."""
    return annual_report_overviews(user, (year,))[year]


def annual_report_overviews(user: Any, years: tuple[int, ...], *, only_shown: bool = False,
                            ) -> dict[int, list[tuple[Institution, list[report_services.ReportState]]]]:
    """``annual_report_overview`` for several years in two queries: the obliged bodies once,
    and their reports of all the years. ``only_shown`` fetches only the columns the states and a
    list of names need (the dashboard)."""
    packs = [p.id for p in all_packs() if p.supervision.annual_reports is not None]
    bodies = institutions_visible_to(user).filter(pack_id__in=packs, status__in=report_services.OBLIGED_STATUSES)
    if only_shown:
        bodies = bodies.select_related(None).only("public_id", "name", "pack_id", "region_code", "registered_at")
    institutions = list(bodies.annotate(first_filed_at=Min("filings__filed_at")).order_by("region_code", "name"))
    reports: dict[int, dict[tuple[int, str], AnnualReport]] = {}
    if institutions:
        submitted = annual_reports_visible_to(user).filter(year__in=years, institution__in=institutions)
        if only_shown:
            submitted = submitted.select_related(None).only("institution_id", "year", "kind", "late")
        for report in submitted:
            reports.setdefault(report.institution_id, {})[(report.year, report.kind)] = report
    return {year: [(inst, report_services.states_for(inst, year, reports.get(inst.pk, {}))) for inst in institutions]
            for year in years}


def decision_subject(user: Any, kind: str, public_id: Any) -> Any:
    """The record a decision document is about: officials of the jurisdiction, and the
    institution it is addressed to."""
    from django.http import Http404

    model = {"violation": ViolationRecord, "rectification": Rectification,
             "termination": TerminationProposal}.get(kind)
    if model is None:
        raise Http404("未找到该文书")
    return get_scoped_or_404(model.objects.select_related("institution__authority"), user,
                             scope={"region_field": "institution__region_code", "institution_field": "institution_id"},
                             public_id=public_id)


# --- public ------------------------------------------------------------------------------------

def published_inspections() -> QuerySet[Inspection]:
    return (Inspection.objects.filter(status=Inspection.Status.PUBLISHED)
            .select_related("plan__authority", "institution", "inspector_draw", "plan__body_draw")
            .order_by("-published_at", "plan", "rank"))


def public_revocations() -> QuerySet[TerminationProposal]:
    return (TerminationProposal.objects.filter(status=TerminationProposal.Status.APPROVED)
            .select_related("institution__authority").order_by("-decided_at"))


def public_blacklist() -> QuerySet[BlacklistEntry]:
    return BlacklistEntry.objects.filter(lifted_at__isnull=True).order_by("-listed_at")


# --- dashboard and the supervision file --------------------------------------------------------

# The dashboard shows the most urgent running clocks; the rest are one link away, in the
# worklist filtered on the same statuses (``?status=authority``), which sorts overdue first too.
DASHBOARD_CLOCK_ROWS = 30
OVERDUE_CLOCKS_LISTED = 10
# Missing annual plans and summaries listed on the dashboard; the reports page has them all.
OVERDUE_REPORTS_LISTED = 10


def _authority_clocks(user: Any, today: dt.date) -> QuerySet[Any]:
    """The visible applications whose clock runs against the authority, with ``clock_due``."""
    from skillreg.registry.clocks import AUTHORITY_CLOCK_STATUSES
    from skillreg.registry.selectors import CLOCK_STATUSES, applications_visible_to

    # Only the due-date columns of these statuses: no join with the supplement notice.
    due = Case(*(When(status=status, then=F(CLOCK_STATUSES[status])) for status in AUTHORITY_CLOCK_STATUSES),
               default=Value(None), output_field=DateField())
    return (applications_visible_to(user).select_related(None).filter(status__in=AUTHORITY_CLOCK_STATUSES)
            .annotate(clock_due=due))


def open_filing_clocks(user: Any, today: dt.date, limit: int = DASHBOARD_CLOCK_ROWS) -> list[tuple[Any, Any]]:
    """The registry's clocks that run against the authority now (材料核查, 办结): the ``limit``
    most urgent, overdue first (the earliest due date is the most overdue), then the nearest."""
    from skillreg.registry.clocks import application_clocks
    from skillreg.workdays.calendar import WorkCalendar

    calendar = WorkCalendar()
    # The database picks the most urgent ones, so the limit never hides an overdue clock behind
    # older applications; only the columns the clock and the row show are read (not the form).
    apps = (_authority_clocks(user, today).filter(clock_due__isnull=False).select_related("institution")
            .only("public_id", "pack_id", "status", "submitted_at", "material_check_due",
                  "material_check_due_provisional", "completion_due", "completion_due_provisional",
                  "institution__public_id", "institution__name")
            .order_by("clock_due", "pk")[:limit])
    rows = [(app, c) for app in apps
            for c in application_clocks(app, today=today, calendar=calendar)
            if c.runs_against == "authority" and c.due is not None]
    return sorted(rows, key=lambda row: (not row[1].overdue, row[1].due))


def filing_clock_counts(user: Any, today: dt.date) -> tuple[int, int]:
    """(running, overdue): the applications whose clock runs against the authority, as the
    worklist's ``?status=authority`` counts them, and those past their due date."""
    counts = _authority_clocks(user, today).order_by().aggregate(
        running=Count("pk"), overdue=Count("pk", filter=Q(clock_due__lt=today)))
    return counts["running"], counts["overdue"]


@dataclass
class Dashboard:
    today: dt.date
    open_rectifications: list[Rectification]
    overdue_rectifications: list[Rectification]
    complaints_by_status: list[tuple[str, int]]
    overdue_complaints: list[Complaint]
    inspections_by_month: list[tuple[int, int]]
    inspections_this_year: int
    overdue_publications: list[Inspection]
    pending_proposals: list[TerminationProposal]
    inactivity_flags: list[InactivityFlag]
    open_violations: list[ViolationRecord]
    expiring: list[Institution]
    # 002 第五条(五): plans and summaries missing after their deadline, (institution, state).
    overdue_reports: list[tuple[Institution, report_services.ReportState]] = field(default_factory=list)
    # Filing clocks running against the authority (material check, completion): the most urgent
    # rows, overdue first, and how many run and are overdue in all (the worklist lists them all).
    open_clocks: list[tuple[Any, Any]] = field(default_factory=list)
    open_clocks_total: int = 0
    open_clocks_overdue: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def overdue_clocks(self) -> list[tuple[Any, Any]]:
        """The first overdue clocks, for the 逾期事项 list (the table below shows more)."""
        return [(app, c) for app, c in self.open_clocks if c.overdue][:OVERDUE_CLOCKS_LISTED]

    @property
    def overdue_clocks_not_shown(self) -> int:
        return max(self.open_clocks_overdue - len(self.overdue_clocks), 0)

    @property
    def overdue_reports_listed(self) -> list[tuple[Institution, report_services.ReportState]]:
        """The first missing reports; the reports page of each year lists them all."""
        return self.overdue_reports[:OVERDUE_REPORTS_LISTED]

    @property
    def overdue_reports_by_year(self) -> list[tuple[int, int]]:
        """(year, missing reports) for the links to each year's overview, when not all are listed."""
        if len(self.overdue_reports) <= OVERDUE_REPORTS_LISTED:
            return []
        years = Counter(state.year for _, state in self.overdue_reports)
        return sorted(years.items())

    @property
    def has_overdue(self) -> bool:
        return bool(self.overdue_complaints or self.overdue_rectifications or self.overdue_publications
                    or self.overdue_reports or self.open_clocks_overdue
                    or any(c.overdue for _, c in self.open_clocks))


def dashboard(user: Any, today: dt.date) -> Dashboard:
    rects = list(rectifications_visible_to(user).filter(status=Rectification.Status.OPEN).order_by("deadline"))
    complaints = complaints_visible_to(user)
    # Counted in the database, not one row per complaint or inspection of the jurisdiction.
    counts = dict(complaints.order_by().values_list("status").annotate(n=Count("pk")))
    concluded = list(inspections_visible_to(user).filter(plan__year=today.year).select_related(None)
                     .values_list("concluded_at", flat=True))
    months = Counter(at.astimezone(clock.LOCAL_TZ).month for at in concluded if at)
    running, overdue = filing_clock_counts(user, today)
    # Last year's and this year's reports in one pass over the obliged bodies.
    reports = annual_report_overviews(user, (today.year - 1, today.year), only_shown=True)
    return Dashboard(
        today=today,
        open_rectifications=rects,
        overdue_rectifications=[r for r in rects if r.deadline < today],
        complaints_by_status=[(label, counts.get(value, 0)) for value, label in Complaint.Status.choices],
        overdue_complaints=list(complaints.filter(status__in=OPEN_STATUSES, answer_due__lt=today)
                                .order_by("answer_due")),
        inspections_by_month=[(m, months.get(m, 0)) for m in range(1, 13)],
        inspections_this_year=len(concluded),
        overdue_publications=list(inspections_visible_to(user).filter(status=Inspection.Status.CONCLUDED,
                                                                     publish_due__lt=today)),
        pending_proposals=list(proposals_visible_to(user).filter(status=TerminationProposal.Status.PROPOSED)),
        inactivity_flags=list(inactivity_flags_visible_to(user).filter(status=InactivityFlag.Status.OPEN)),
        open_violations=list(violations_visible_to(user).filter(status=ViolationRecord.Status.OPEN)),
        expiring=list(institutions_visible_to(user).filter(
            status=Institution.Status.FILED, valid_until__isnull=False,
            valid_until__lte=today + dt.timedelta(days=90)).order_by("valid_until")),
        open_clocks=open_filing_clocks(user, today, DASHBOARD_CLOCK_ROWS),
        open_clocks_total=running,
        open_clocks_overdue=overdue,
        overdue_reports=[(inst, state) for year, overview in reports.items()
                         for inst, states in overview for state in states if state.overdue(today)],
    )


@dataclass
class SupervisionFile:
    institution: Institution
    inspections: list[Inspection]
    evaluations: list[Evaluation]
    violations: list[ViolationRecord]
    complaints: list[Complaint]
    rectifications: list[Rectification]
    proposals: list[TerminationProposal]
    inactivity: list[InactivityFlag]
    blacklist: BlacklistEntry | None
    # 002 第五条(五): the annual plans and summaries of this year and the last, late ones marked.
    reports: list[tuple[int, list[report_services.ReportState]]] = field(default_factory=list)


def supervision_file(institution: Institution, today: dt.date | None = None) -> SupervisionFile:
    """001 五(三): everything supervision knows of one institution, for one page."""
    year = (today or clock.today()).year
    return SupervisionFile(
        institution=institution,
        inspections=list(institution.inspections.select_related("plan").order_by("-plan__created_at")),
        evaluations=list(institution.evaluations.order_by("-evaluated_at")),
        violations=list(institution.violations.order_by("-recorded_at")),
        complaints=list(institution.complaints.order_by("-received_at")),
        rectifications=list(institution.rectifications.order_by("-opened_at")),
        proposals=list(institution.termination_proposals.order_by("-proposed_at")),
        inactivity=list(institution.inactivity_flags.order_by("-flagged_at")),
        blacklist=is_blacklisted(institution.credit_code),
        reports=[(y, states) for y in (year, year - 1)
                 if (states := report_services.states_for(institution, y))],
    )
