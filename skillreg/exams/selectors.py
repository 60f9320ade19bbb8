"""Scoped reads. An object outside the user's reach is a 404, exactly like one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from skillreg.accounts.models import Role
from skillreg.accounts.scoping import jurisdiction_q
from skillreg.core import clock
from skillreg.exams.models import (
    Assessor,
    AssessorCertificate,
    ExamPlan,
    Registration,
    RosterImport,
    RosterReview,
    Score,
    SupervisorAssignment,
    TrainingRoster,
    TrainingRosterEntry,
    Venue,
)


def _plan_q(user: Any) -> Q:
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    if user.role == Role.ASSESSOR:
        return Q(assignments__assessor__user=user)
    if user.role == Role.SUPERVISOR:
        return Q(supervisors__user=user)
    return jurisdiction_q(user, region_field="region_code", institution_field="institution_id")


def plans_visible_to(user: Any) -> QuerySet[ExamPlan]:
    qs = ExamPlan.objects.filter(_plan_q(user)).select_related("institution", "venue")
    if getattr(user, "role", None) != Role.INSTITUTION_USER:
        qs = qs.exclude(status=ExamPlan.Status.DRAFT)  # a draft stays the institution's own
    # Only the assessor's and supervisor's scopes join many rows per plan; DISTINCT elsewhere
    # would make the database sort every visible plan before a page can be cut from them.
    return qs.distinct() if getattr(user, "role", None) in (Role.ASSESSOR, Role.SUPERVISOR) else qs


def plan_list(user: Any) -> QuerySet[ExamPlan]:
    # A correlated count per listed plan (one index probe each), not a join of every registration
    # grouped under the scope's DISTINCT: at a province's 100,000 candidates that join was most of
    # the centre's index page (bench/README.md, figure 5).
    registered = (Registration.objects.filter(plan=OuterRef("pk"), status=Registration.Status.REGISTERED)
                  .order_by().values("plan").annotate(n=Count("pk")).values("n"))
    return plans_visible_to(user).annotate(
        candidates=Coalesce(Subquery(registered, output_field=IntegerField()), 0)).order_by("-exam_start", "title")


def plan_for(user: Any, public_id: Any) -> ExamPlan:
    try:
        return plans_visible_to(user).get(public_id=public_id)
    except (ExamPlan.DoesNotExist, ValueError) as exc:
        raise Http404("未找到该考核计划") from exc


def registrations_of(plan: ExamPlan) -> QuerySet[Registration]:
    return (plan.registrations.filter(status=Registration.Status.REGISTERED)
            .select_related("candidate").order_by("entered_at", "pk"))


def registration_for(user: Any, public_id: Any) -> Registration:
    try:
        reg = Registration.objects.select_related("plan__institution", "candidate").get(public_id=public_id)
    except (Registration.DoesNotExist, ValueError) as exc:
        raise Http404("未找到该报名") from exc
    plan_for(user, reg.plan.public_id)
    return reg


def passed_registrations(plan: ExamPlan) -> QuerySet[Registration]:
    """The candidates who passed a sitting whose results the centre approved (none before)."""
    if plan.status != ExamPlan.Status.RESULTS_APPROVED:
        return Registration.objects.none()
    return registrations_of(plan).filter(passed=True)


def venues_visible_to(user: Any) -> QuerySet[Venue]:
    return Venue.objects.filter(
        jurisdiction_q(user, region_field="region_code", institution_field="institution_id")
    ).select_related("institution")


def venue_for(user: Any, public_id: Any) -> Venue:
    try:
        return venues_visible_to(user).get(public_id=public_id)
    except (Venue.DoesNotExist, ValueError) as exc:
        raise Http404("未找到该考点") from exc


def roster_review_for(user: Any, pk: int) -> RosterReview:
    try:
        review = RosterReview.objects.select_related("plan").get(pk=pk)
    except RosterReview.DoesNotExist as exc:
        raise Http404("未找到该名册") from exc
    plan_for(user, review.plan.public_id)
    return review


def roster_import_for(user: Any, public_id: Any) -> RosterImport:
    try:
        imp = RosterImport.objects.select_related("plan", "file").get(public_id=public_id)
    except (RosterImport.DoesNotExist, ValueError) as exc:
        raise Http404("未找到该导入") from exc
    if getattr(user, "institution_id", None) != imp.plan.institution_id:
        raise Http404("未找到该导入")
    return imp


def training_rosters_of(user: Any) -> QuerySet[TrainingRoster]:
    """Institution users: their own; officials: the institutions of their jurisdiction (read only)."""
    return TrainingRoster.objects.filter(
        jurisdiction_q(user, region_field="institution__region_code", institution_field="institution_id"))


def training_roster_list(user: Any) -> QuerySet[TrainingRoster]:
    return (training_rosters_of(user).select_related("institution", "declared_by", "withdrawn_by")
            .annotate(trainees=Count("entries")).order_by("withdrawn_at", "-declared_at", "-pk"))


def training_roster_for(user: Any, pk: int) -> TrainingRoster:
    try:
        return training_rosters_of(user).select_related("institution").get(pk=pk)
    except TrainingRoster.DoesNotExist as exc:
        raise Http404("未找到该培训学员名册") from exc


def trainee_for(user: Any, roster: TrainingRoster, pk: int) -> TrainingRosterEntry:
    try:
        return roster.entries.get(pk=pk)
    except TrainingRosterEntry.DoesNotExist as exc:
        raise Http404("未找到该学员") from exc


def venue_list(user: Any) -> QuerySet[Venue]:
    """Pending requests first: what the centre has to check."""
    pending_first = Case(When(status=Venue.Status.PENDING, then=Value(0)), default=Value(1),
                         output_field=IntegerField())
    return venues_visible_to(user).select_related("decided_by").order_by(pending_first, "institution__name", "name")


def assessors_visible_to(user: Any) -> QuerySet[Assessor]:
    """The pool is the officials' (and the administrator's): nobody else sees it."""
    if user is None or not user.is_authenticated or user.role == Role.INSTITUTION_USER:
        return Assessor.objects.none()
    return Assessor.objects.filter(jurisdiction_q(user, region_field="region_code", institution_field=None))


def assessor_list(user: Any) -> QuerySet[Assessor]:
    return (assessors_visible_to(user).select_related("employer", "user")
            .prefetch_related(Prefetch("certificates", queryset=AssessorCertificate.objects.order_by("scope_name",
                                                                                                      "level", "pk")))
            .order_by("-active", "region_code", "name", "pk"))


def assessor_for(user: Any, public_id: Any) -> Assessor:
    try:
        return assessor_list(user).get(public_id=public_id)
    except (Assessor.DoesNotExist, ValueError) as exc:
        raise Http404("未找到该考评员") from exc


def supervisor_assignment_for(user: Any, pk: int) -> SupervisorAssignment:
    try:
        assignment = SupervisorAssignment.objects.select_related("plan").get(pk=pk)
    except SupervisorAssignment.DoesNotExist as exc:
        raise Http404("未找到该督导委派") from exc
    plan_for(user, assignment.plan.public_id)
    return assignment


def score_for(user: Any, pk: int) -> Score:
    try:
        score = Score.objects.select_related("sheet__plan", "registration").get(pk=pk)
    except Score.DoesNotExist as exc:
        raise Http404("未找到该评分") from exc
    plan_for(user, score.sheet.plan.public_id)
    return score


# How many items of each kind the centre's "待鉴定中心办理" shows; the rest are one link away.
WORKLIST_ITEMS = 10


@dataclass
class Pending:
    """What waits for the centre of one kind: how many in all, and the first few (oldest first)."""

    count: int
    items: list[Any]


def _pending(qs: QuerySet[Any]) -> Pending:
    # The total rides on each row as a window count (computed before the LIMIT): one query per kind.
    items = list(qs.annotate(pending_total=Window(Count("pk")))[:WORKLIST_ITEMS])
    return Pending(items[0].pending_total if items else 0, items)


def centre_worklist(user: Any) -> dict[str, Pending]:
    """What the centre has to decide: off-site venues, rosters, exam applications, results.

    Each kind: the count and the ``WORKLIST_ITEMS`` waiting longest, with only the columns shown.
    """
    plans = plans_visible_to(user)
    return {
        "venues": _pending(venues_visible_to(user).filter(status=Venue.Status.PENDING)
                           .only("public_id", "name", "institution__name").order_by("applied_at", "pk")),
        "rosters": _pending(RosterReview.objects.filter(plan__in=plans.values("pk"),
                                                        status=RosterReview.Status.SUBMITTED)
                            .select_related("plan").only("plan__public_id", "plan__title")
                            .order_by("submitted_at", "pk")),
        "applications": _pending(plans.filter(status=ExamPlan.Status.APPLIED).select_related(None)
                                 .only("public_id", "title").order_by("exam_start", "pk")),
        "results": _pending(plans.filter(status=ExamPlan.Status.RESULTS_SUBMITTED).select_related(None)
                            .only("public_id", "title").order_by("results_submitted_at", "pk")),
    }


# An exam counts as held once its application was approved (000 三(三)10, 002 第二十二条(七),
# 003 五(五) measure idleness by exams actually organised, not by plans announced).
HELD_STATUSES = (ExamPlan.Status.APPROVED, ExamPlan.Status.RESULTS_SUBMITTED, ExamPlan.Status.RESULTS_APPROVED)


def last_exam_date(institution: Any, *, today: Any = None) -> Any:
    """The last day of the latest exam the institution held, or None (read by supervision's inactivity flag)."""
    today = today or clock.today()
    latest = (ExamPlan.objects.filter(institution=institution, status__in=HELD_STATUSES, exam_end__lte=today)
              .order_by("-exam_end").values_list("exam_end", flat=True).first())
    return latest
