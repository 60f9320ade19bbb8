"""Screening a sitting straight from the exams app's answer sheets, and opening a violation
record for the institution on a room that reaches 000 三(三)8 (同一考场三分之一以上考生答卷异常雷同)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.urls import reverse

from skillreg.accounts.models import Authority, Role, User
from skillreg.archives import screening
from skillreg.archives.models import ScreeningRoom, ScreeningRun
from skillreg.archives.sheets_io import sheets_from_objects
from skillreg.audit.models import AuditEvent
from skillreg.conftest import NOW, login, make_user
from skillreg.core.errors import DomainError
from skillreg.exams.models import AnswerSheet, Candidate, ExamPlan, Registration, Venue
from skillreg.exams.services import scoring
from skillreg.registry.models import Institution, InstitutionScope
from skillreg.supervision.models import ViolationRecord

pytestmark = pytest.mark.django_db

ITEMS = 60
COPIED_ROOM = "第1考场"


@pytest.fixture
def wh_centre(wuhai: Authority) -> User:
    return make_user(Role.CENTRE_STAFF, wuhai, username="wh-centre")


@pytest.fixture
def wh_inst_user(nm_institution: Institution) -> User:
    return make_user(Role.INSTITUTION_USER, None, institution=nm_institution, username="wh-inst")


def _sitting(institution: Institution, user: User, *, rooms: int = 3, per_room: int = 12,
             copiers: int = 4, seed: int = 7) -> ExamPlan:
    """A sitting whose answer sheets go in through the exams app's own service; in the first
    room ``copiers`` candidates copy a weak candidate's answers (identical wrong answers)."""
    scope = InstitutionScope.objects.create(institution=institution, name="中式面点制作")
    venue = Venue.objects.create(
        institution=institution, kind=Venue.Kind.FILED, name="本部考点", address="乌海市海勃湾区",
        region_code=institution.region_code, rooms=rooms, capacity=rooms * per_room,
        status=Venue.Status.APPROVED, applied_at=NOW, applied_by=user)
    plan = ExamPlan.objects.create(
        institution=institution, scope=scope, scope_name=scope.name, venue=venue,
        region_code=institution.region_code, pack_id=institution.pack_id,
        title="中式面点制作专项考核（2026年第4批）", registration_opens=dt.date(2026, 10, 1),
        registration_closes=dt.date(2026, 10, 20), exam_start=dt.date(2026, 11, 5),
        exam_end=dt.date(2026, 11, 5), fee=Decimal("100.00"), status=ExamPlan.Status.APPROVED,
        created_at=NOW, created_by=user)
    rng = random.Random(seed)
    key = [rng.choice("ABCD") for _ in range(ITEMS)]
    lures = [rng.sample([o for o in "ABCD" if o != k], 3) for k in key]
    n = 0
    for r in range(rooms):
        room = f"第{r + 1}考场"
        source: list[str | None] | None = None
        for c in range(per_room):
            n += 1
            cand = Candidate.objects.create(id_number=f"15030219900101{n:03d}X", name=f"考生{n}", gender="男",
                                            birth_date=dt.date(1990, 1, 1), created_at=NOW)
            reg = Registration.objects.create(plan=plan, candidate=cand, name=cand.name, education="高中",
                                              entered_at=NOW, entered_by=user)
            ability = 0.35 if c == 0 else rng.uniform(0.45, 0.9)
            answers: list[str | None] = [
                None if rng.random() < 0.02 else key[k] if rng.random() < ability
                else rng.choices(lures[k], weights=(6, 3, 1))[0] for k in range(ITEMS)]
            if r == 0 and c == 0:
                source = answers
            elif r == 0 and c <= copiers and source is not None:
                answers = list(source)
                for k in rng.sample(range(ITEMS), 4):
                    answers[k] = rng.choice("ABCD")
            scoring.answer_sheet_record(actor=user, registration=reg, room=room, answers=answers, at=NOW)
    return plan


def test_sheets_are_read_from_the_exams_answer_sheet_room_field(nm_institution: Institution,
                                                                wh_inst_user: User) -> None:
    """The contract bug of issue #7: exams.AnswerSheet has ``room``, not ``room_id``."""
    plan = _sitting(nm_institution, wh_inst_user, rooms=2, per_room=3, copiers=0)
    sheets = sheets_from_objects(AnswerSheet.objects.filter(registration__plan=plan).order_by("registration_id"))
    assert {s.room for s in sheets} == {"第1考场", "第2考场"}
    assert all(len(s.answers) == ITEMS for s in sheets)
    assert all(isinstance(a, str) or a is None for s in sheets for a in s.answers)


def test_a_copying_room_of_a_sitting_is_flagged_end_to_end_and_opens_a_violation_000_3_3_8(
        immediate_tasks: None, nm_institution: Institution, wh_inst_user: User, wh_centre: User,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    # 000 三(三)8: 在阅卷过程中发现同一考场三分之一以上考生答卷异常雷同的 → 不予备案或取消资质.
    plan = _sitting(nm_institution, wh_inst_user)
    client = login(wh_centre)
    page = client.get(reverse("archives:screenings"))
    assert plan.title in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("archives:screenings"), {
            "source": "sitting", "plan": plan.pk, "title": "", "key": "", "alpha": "0.001"})
    run = ScreeningRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("archives:screening", args=[run.public_id])
    assert run.status == ScreeningRun.Status.DONE  # the background task ran (immediate backend)
    assert run.plan == plan and run.sheet_count == 36 and run.room_count == 3
    assert run.source_name.startswith("考务系统答卷") and len(run.source_sha256) == 64
    rooms = {r.room: r for r in run.rooms.all()}
    assert rooms[COPIED_ROOM].reaches_rule is True
    assert rooms[COPIED_ROOM].flagged_candidates >= 4
    assert [r for r, row in rooms.items() if row.reaches_rule] == [COPIED_ROOM]
    detail = client.get(reverse("archives:screening", args=[run.public_id])).content.decode()
    assert "就本考场对考核机构立违规记录（000 三(三)8）" in detail

    # Open the violation record from the flagged room; it goes through the supervision service.
    response = client.post(reverse("archives:screening_violation", args=[run.public_id]),
                           {"room": COPIED_ROOM, "note": "已调取监控录像"})
    violation = ViolationRecord.objects.get()
    assert response.status_code == 302 and response.url == reverse("supervision:violation",
                                                                   args=[violation.public_id])
    assert violation.institution == nm_institution
    assert violation.source == "000 三(三)8" and violation.item_key == "marking"
    assert violation.status == ViolationRecord.Status.OPEN
    assert COPIED_ROOM in violation.facts and "已调取监控录像" in violation.facts
    assert ScreeningRoom.objects.get(run=run, room=COPIED_ROOM).violation == violation
    assert AuditEvent.objects.filter(action="archives.screening_violation").count() == 1
    assert AuditEvent.objects.filter(action="supervision.violation_recorded").count() == 1
    # Opened once: a second attempt is refused and nothing new is written.
    client.post(reverse("archives:screening_violation", args=[run.public_id]), {"room": COPIED_ROOM})
    assert ViolationRecord.objects.count() == 1
    assert "已立违规记录" in client.get(reverse("archives:screening", args=[run.public_id])).content.decode()


def test_a_room_below_the_share_cannot_open_a_violation(immediate_tasks: None, nm_institution: Institution,
                                                        wh_inst_user: User, wh_centre: User) -> None:
    plan = _sitting(nm_institution, wh_inst_user)
    run = screening.screening_start_from_sitting(actor=wh_centre, plan=plan, at=NOW)
    screening.screening_execute(run_id=run.pk)
    run.refresh_from_db()
    quiet = run.rooms.exclude(room=COPIED_ROOM).first()
    assert quiet is not None and not quiet.reaches_rule
    with pytest.raises(DomainError) as caught:
        screening.screening_room_open_violation(actor=wh_centre, room=quiet, at=NOW)
    assert caught.value.source == "000 三(三)8"
    assert ViolationRecord.objects.count() == 0


def test_the_api_screens_a_sitting_and_opens_the_violation(
        immediate_tasks: None, nm_institution: Institution, wh_inst_user: User, wh_centre: User,
        django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    plan = _sitting(nm_institution, wh_inst_user)
    client = login(wh_centre)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/archives/screenings/from-sitting", {"plan": str(plan.public_id)},
                              content_type="application/json")
    assert created.status_code == 201, created.content
    run_id = created.json()["id"]
    assert created.json()["plan"] == str(plan.public_id)
    detail = client.get(f"/api/v1/archives/screenings/{run_id}").json()
    assert detail["status"] == "done"
    flagged = [r["room"] for r in detail["rooms"] if r["reaches_rule"]]
    assert flagged == [COPIED_ROOM]
    opened = client.post(f"/api/v1/archives/screenings/{run_id}/violation", {"room": COPIED_ROOM},
                         content_type="application/json")
    assert opened.status_code == 201, opened.content
    assert opened.json()["source"] == "000 三(三)8"
    again = client.post(f"/api/v1/archives/screenings/{run_id}/violation", {"room": COPIED_ROOM},
                        content_type="application/json")
    assert again.status_code == 409
    assert "重复" in again.json()["message"]
    detail = client.get(f"/api/v1/archives/screenings/{run_id}").json()
    assert [r["violation"] for r in detail["rooms"] if r["room"] == COPIED_ROOM] == [opened.json()["id"]]


def test_sittings_outside_the_jurisdiction_are_404_and_institutions_cannot_screen(
        nm_institution: Institution, wh_inst_user: User, bz_official: User) -> None:
    plan = _sitting(nm_institution, wh_inst_user, rooms=1, per_room=3, copiers=0)
    client = login(bz_official)  # 巴中 does not cover 乌海
    response = client.post("/api/v1/archives/screenings/from-sitting", {"plan": str(plan.public_id)},
                           content_type="application/json")
    assert response.status_code == 404
    with pytest.raises(DomainError):
        screening.screening_start_from_sitting(actor=wh_inst_user, plan=plan, at=NOW)
    assert ScreeningRun.objects.count() == 0


def test_a_sitting_key_is_taken_as_letters(immediate_tasks: None, nm_institution: Institution,
                                           wh_inst_user: User, wh_centre: User) -> None:
    plan = _sitting(nm_institution, wh_inst_user, rooms=1, per_room=4, copiers=0)
    with pytest.raises(DomainError) as caught:
        screening.screening_start_from_sitting(actor=wh_centre, plan=plan, key_text="ABC", at=NOW)
    assert caught.value.field == "key"
    run = screening.screening_start_from_sitting(actor=wh_centre, plan=plan, key_text="a" * ITEMS, at=NOW)
    screening.screening_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.key_derivation == "given" and run.answer_key == ["A"] * ITEMS
