"""The worklists stay fast at a province's scale (issue #6 "Done means"): each page makes the
same number of queries for 10 rows as for 200, so no query runs per row (no N+1)."""

import datetime as dt
from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from skillreg.conftest import NOW, login
from skillreg.exams.models import (
    Assessor,
    AssessorCertificate,
    Candidate,
    ExamPlan,
    Registration,
    RosterReview,
    TrainingRoster,
    TrainingRosterEntry,
    Venue,
)
from skillreg.exams.tests.conftest import make_id
from skillreg.exams.tests.helpers import pdf

D = dt.date


def _queries(client, url: str) -> int:
    # Not counted: an official's first request saves the session's idle expiry, which is then
    # left alone for a minute (accounts/middleware.py), so every counted request is alike.
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx.captured_queries)


def _same_for_10_and_200(client, url: str, grow: Callable[[int, int], None]) -> None:
    grow(0, 10)
    small = _queries(client, url)
    grow(10, 200)
    large = _queries(client, url)
    assert large == small, f"{url}: {small} queries for 10 rows, {large} for 200"


def test_the_exam_plan_worklists_do_not_query_per_row(inst, inst_user, centre, venue, scope) -> None:
    letter = pdf(inst_user)
    statuses = [ExamPlan.Status.PUBLISHED, ExamPlan.Status.APPLIED, ExamPlan.Status.RESULTS_SUBMITTED,
                ExamPlan.Status.APPROVED]

    def grow(start: int, end: int) -> None:
        made = ExamPlan.objects.bulk_create([ExamPlan(
            institution=inst, scope=scope, scope_name=scope.name, venue=venue, region_code=venue.region_code,
            pack_id=inst.pack_id, title=f"计划{i}", registration_opens=D(2026, 11, 1),
            registration_closes=D(2026, 11, 24), exam_start=D(2026, 12, 5), exam_end=D(2026, 12, 5), fee=100,
            status=statuses[i % 4], created_at=NOW, created_by=inst_user) for i in range(start, end)])
        made = list(ExamPlan.objects.filter(title__in=[p.title for p in made]))
        RosterReview.objects.bulk_create([RosterReview(plan=p, quality_letter=letter, roster_count=1, submitted_at=NOW,
                                                       submitted_by=inst_user)
                                          for p in made if p.status == ExamPlan.Status.PUBLISHED])
        Venue.objects.bulk_create([Venue(
            institution=inst, kind=Venue.Kind.OFF_SITE, name=f"场外{i}", address="巴中市", region_code="511902",
            status=Venue.Status.PENDING, applied_at=NOW, applied_by=inst_user) for i in range(start, end)])

    _same_for_10_and_200(login(centre), reverse("exams:index"), grow)
    # The institution's own index and venue list, and the centre's venue list, over the same rows.
    for k, (client, url) in enumerate(((login(inst_user), reverse("exams:index")),
                                       (login(inst_user), reverse("exams:venues")),
                                       (login(centre), reverse("exams:venues"))), start=1):
        before = _queries(client, url)
        grow(1000 * k, 1000 * k + 190)
        assert _queries(client, url) == before, url


def test_a_plans_candidate_list_does_not_query_per_candidate(plan, inst_user, centre) -> None:
    def grow(start: int, end: int) -> None:
        cands = Candidate.objects.bulk_create([Candidate(
            id_number=make_id(i, birth=f"1990{1 + i // 28 % 12:02d}{1 + i % 28:02d}"), name=f"考生{i}", gender="男",
            birth_date=D(1990, 1, 1), created_at=NOW) for i in range(start, end)])
        Registration.objects.bulk_create([Registration(
            plan=plan, candidate=c, name=c.name, education="高中", entered_at=NOW, entered_by=inst_user)
            for c in cands])

    _same_for_10_and_200(login(inst_user), reverse("exams:plan", args=[plan.public_id]), grow)
    before = _queries(login(centre), reverse("exams:plan", args=[plan.public_id]))
    grow(300, 400)
    assert _queries(login(centre), reverse("exams:plan", args=[plan.public_id])) == before


def test_the_assessor_pool_does_not_query_per_assessor(centre, inst) -> None:
    def grow(start: int, end: int) -> None:
        made = Assessor.objects.bulk_create([Assessor(
            name=f"考评员{i}", id_number=make_id(i, birth=f"1970{1 + i // 28 % 12:02d}{1 + i % 28:02d}"),
            region_code="511902", employer_name="协会", employer=inst if i % 3 == 0 else None)
            for i in range(start, end)])
        made = list(Assessor.objects.filter(name__in=[a.name for a in made]))
        AssessorCertificate.objects.bulk_create([AssessorCertificate(
            assessor=a, scope_name=name, number=f"{a.pk}-{name}", valid_until=D(2030, 1, 1))
            for a in made for name in ("竹编工艺", "电工")])

    _same_for_10_and_200(login(centre), reverse("exams:assessors"), grow)


def test_the_training_rosters_do_not_query_per_roster(inst, inst_user, centre) -> None:
    def grow(start: int, end: int) -> None:
        made = TrainingRoster.objects.bulk_create([TrainingRoster(
            institution=inst, title=f"培训班{i}", declared_at=NOW, declared_by=inst_user) for i in range(start, end)])
        made = list(TrainingRoster.objects.filter(title__in=[r.title for r in made]))
        TrainingRosterEntry.objects.bulk_create([TrainingRosterEntry(
            roster=r, institution=inst, id_number=make_id(r.pk), name="学员") for r in made])

    _same_for_10_and_200(login(inst_user), reverse("exams:training"), grow)
    before = _queries(login(centre), reverse("exams:training"))
    grow(500, 600)
    assert _queries(login(centre), reverse("exams:training")) == before


def test_the_pool_api_does_not_query_per_assessor(centre) -> None:
    def grow(start: int, end: int) -> None:
        made = Assessor.objects.bulk_create([Assessor(
            name=f"考评员{i}", id_number=make_id(i, birth=f"1971{1 + i // 28 % 12:02d}{1 + i % 28:02d}"),
            region_code="511902", employer_name="协会") for i in range(start, end)])
        made = list(Assessor.objects.filter(name__in=[a.name for a in made]))
        AssessorCertificate.objects.bulk_create([AssessorCertificate(
            assessor=a, scope_name="竹编工艺", number=f"{a.pk}", valid_until=D(2030, 1, 1)) for a in made])

    _same_for_10_and_200(login(centre), "/api/v1/exams/assessors", grow)


def test_the_dispatch_does_not_query_per_assessor_in_the_pool(inst, inst_user, centre, bz_official, scope) -> None:
    """002 第十五条: the draw reads the pool in a fixed number of queries, whatever its size."""
    from skillreg.exams.services import dispatch
    from skillreg.exams.tests.conftest import filed_venue, make_plan
    from skillreg.exams.tests.helpers import approve_application, register, submit_roster

    def ready(n: int) -> ExamPlan:
        plan = make_plan(inst_user, inst, filed_venue(inst, bz_official, name=f"考点{n}"), scope, title=f"计划{n}")
        register(plan, inst_user, range(10 * n, 10 * n + 2))
        submit_roster(plan, inst_user, centre)
        return approve_application(plan, inst_user, centre)

    def pool(start: int, end: int) -> None:
        made = Assessor.objects.bulk_create([Assessor(
            name=f"考评员{i}", id_number=make_id(i, birth=f"1972{1 + i // 28 % 12:02d}{1 + i % 28:02d}"),
            region_code="511902", employer_name="协会") for i in range(start, end)])
        made = list(Assessor.objects.filter(name__in=[a.name for a in made]))
        AssessorCertificate.objects.bulk_create([AssessorCertificate(
            assessor=a, scope_name=scope.name, number=f"{a.pk}", valid_until=D(2030, 1, 1)) for a in made])

    first, second = ready(1), ready(2)
    pool(0, 10)
    with CaptureQueriesContext(connection) as small:
        dispatch.assessors_dispatch(actor=centre, plan=first, count=3, at=NOW)
    pool(10, 200)
    with CaptureQueriesContext(connection) as large:
        dispatch.assessors_dispatch(actor=centre, plan=second, count=3, at=NOW)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_plan_list_counts_only_registered_candidates(plan, inst_user, centre) -> None:
    """The count on the worklists: withdrawn registrations are not candidates any more."""
    from skillreg.exams.selectors import plan_list

    cands = Candidate.objects.bulk_create([Candidate(
        id_number=make_id(i, birth=f"199001{1 + i:02d}"), name=f"考生{i}", gender="男",
        birth_date=D(1990, 1, 1), created_at=NOW) for i in range(3)])
    Registration.objects.bulk_create([Registration(
        plan=plan, candidate=c, name=c.name, education="高中", entered_at=NOW, entered_by=inst_user,
        status=Registration.Status.WITHDRAWN if i == 2 else Registration.Status.REGISTERED)
        for i, c in enumerate(cands)])
    for user in (inst_user, centre):
        assert plan_list(user).get(pk=plan.pk).candidates == 2
