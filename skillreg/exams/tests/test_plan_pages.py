"""The plan's remaining steps through the pages: attachments and withdrawal, pass mark and
cancellation, the supervisors' records, the centre's score correction."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from skillreg.conftest import NOW, login
from skillreg.core import clock
from skillreg.exams.models import ExamPlan, Registration, Score, SupervisionReport
from skillreg.exams.services import dispatch
from skillreg.exams.services import registrations as reg_svc
from skillreg.exams.services import scoring as scoring_svc
from skillreg.exams.tests.conftest import make_assessor
from skillreg.exams.tests.helpers import PDF, approve_application, at, register, submit_roster


def test_the_registration_page_takes_the_attachments_and_a_withdrawal(plan, inst_user, centre) -> None:
    """002 第六条(一): 一表一书两证明 per candidate; withdrawal needs a reason."""
    reg = register(plan, inst_user, range(1, 2))[0]
    reg.materials.all().delete()
    client = login(inst_user)
    url = reverse("exams:registration", args=[reg.public_id])
    page = client.get(url).content.decode()
    assert "缺" in page and reg.masked_id in page and reg.candidate.id_number not in page
    key = next(iter(reg_svc.material_items(plan)))
    response = client.post(url, {"action": "material", "key": key, "file": SimpleUploadedFile("表.pdf", PDF)})
    assert response.status_code == 302 and reg.materials.filter(key=key).exists()
    response = client.post(url, {"action": "material", "key": "nonsense",
                                 "file": SimpleUploadedFile("表.pdf", PDF)})
    assert response.status_code == 422 and "不在本政策要求的报名材料中" in response.content.decode()
    response = client.post(url, {"action": "withdraw", "reason": ""})
    assert response.status_code == 422 and "须写明原因" in response.content.decode()
    assert client.post(url, {"action": "withdraw", "reason": "考生放弃"}).status_code == 302
    assert Registration.objects.get(pk=reg.pk).status == Registration.Status.WITHDRAWN
    # The centre reads the page but cannot act on it.
    assert login(centre).get(url).status_code == 200
    assert login(centre).post(url, {"action": "withdraw", "reason": "x"}).status_code == 404


def test_the_pass_mark_and_cancellation_on_the_page(plan, inst_user) -> None:
    client = login(inst_user)

    def action(name: str) -> str:
        return reverse("exams:plan_action", args=[plan.public_id, name])
    response = client.post(action("pass-mark"), {"pass_mark": "120"})
    assert response.status_code == 422 and "0–100" in response.content.decode()
    assert client.post(action("pass-mark"), {"pass_mark": "70"}).status_code == 302
    assert ExamPlan.objects.get(pk=plan.pk).pass_mark == Decimal(70)
    assert client.post(action("cancel"), {"reason": ""}).status_code == 422
    assert client.post(action("cancel"), {"reason": "报名人数不足"}).status_code == 302
    assert ExamPlan.objects.get(pk=plan.pk).status == ExamPlan.Status.CANCELLED


@pytest.fixture
def sitting(plan, inst_user, centre):
    regs = register(plan, inst_user, range(1, 3))
    submit_roster(plan, inst_user, centre)
    plan = approve_application(plan, inst_user, centre)
    a1 = make_assessor("511900", 1)
    dispatch.assessors_dispatch(actor=centre, plan=plan, count=1, at=NOW)
    return plan, regs, a1.user


def test_the_supervisors_file_their_records_on_the_page(sitting, inst_user) -> None:
    """002 第十七条 / 003 四(五): the internal supervisor is recorded apart, and files the record."""
    plan, _, _ = sitting
    client = login(inst_user)
    response = client.post(reverse("exams:plan_action", args=[plan.public_id, "internal-supervisor"]), {"name": ""})
    assert response.status_code == 422
    client.post(reverse("exams:plan_action", args=[plan.public_id, "internal-supervisor"]), {"name": "张国庆"})
    internal = plan.supervisors.get(kind="internal")
    with clock.frozen(at(plan.exam_start, 17)):
        page = client.get(reverse("exams:plan", args=[plan.public_id])).content.decode()
        assert "现场质量督导记录表（张国庆）" in page
        assignment = plan.assignments.get()
        url = reverse("exams:plan_action", args=[plan.public_id, "report"])
        response = client.post(url, {"assignment": internal.pk, "site_record": ""})
        assert response.status_code == 422 and "请填写现场质量督导记录" in response.content.decode()
        assert client.post(url, {"assignment": internal.pk, "site_record": "按方案进行",
                                 f"rating-{assignment.pk}": "称职", "corrections": "收缴手机一部"}).status_code == 302
    report = SupervisionReport.objects.get(assignment=internal)
    assert report.corrections == "收缴手机一部" and report.assessor_evaluation[0]["rating"] == "称职"


def test_the_centre_corrects_a_signed_score_only_with_a_reason(sitting, centre) -> None:
    """000 三(四)4: a change to a locked score is a correction by the centre, with a reason."""
    plan, regs, assessor = sitting
    day = at(plan.exam_start)
    scoring_svc.scores_enter(actor=assessor, plan=plan, at=day,
                             scores={regs[0].public_id: Decimal(55), regs[1].public_id: Decimal(80)})
    scoring_svc.score_sheet_submit(actor=assessor, plan=plan, signature_name="考评员1", at=day)
    score = Score.objects.get(registration=regs[0])
    client = login(centre)
    url = reverse("exams:plan_action", args=[plan.public_id, "correct"])
    response = client.post(url, {"score": score.pk, "value": "60", "reason": ""})
    page = response.content.decode()
    assert response.status_code == 422 and "须写明理由" in page and 'value="60"' in page
    assert client.post(url, {"score": score.pk, "value": "60", "reason": "漏计一项"}).status_code == 302
    score.refresh_from_db()
    assert score.value == Decimal(60) and score.corrections.get().reason == "漏计一项"


def test_the_api_cancels_sets_the_pass_mark_and_withdraws(plan, inst_user) -> None:
    import json

    client = login(inst_user)
    reg = register(plan, inst_user, range(1, 2))[0]
    base = f"/api/v1/exams/plans/{plan.public_id}"
    assert client.put(f"{base}/pass-mark", json.dumps({"pass_mark": "65"}),
                      content_type="application/json").json()["pass_mark"] in ("65", "65.00")
    bad = client.post(f"/api/v1/exams/registrations/{reg.public_id}/withdraw", json.dumps({"reason": " "}),
                      content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "reason"
    assert client.post(f"/api/v1/exams/registrations/{reg.public_id}/withdraw", json.dumps({"reason": "放弃"}),
                       content_type="application/json").status_code == 200
    out = client.post(f"{base}/cancel", json.dumps({"reason": "人数不足"}), content_type="application/json")
    assert out.status_code == 200 and out.json()["status"] == "cancelled"


def test_someone_else_publishing_a_plan_is_refused_as_forbidden_not_as_a_conflict(plan, centre) -> None:
    """The role is refused with 403 and the 'forbidden' code (and logged as a security event);
    409 is kept for a state that does not allow the move."""
    r = login(centre).post(f"/api/v1/exams/plans/{plan.public_id}/publish", {}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


@pytest.mark.parametrize(("action", "data"), [
    ("correct", {"score": "abc", "value": "80", "reason": "复核"}),
    ("correct", {"score": "1", "value": "NaN", "reason": "复核"}),
    ("pass-mark", {"pass_mark": "NaN"}),
    ("report", {"assignment": "x1"}),
])
def test_a_tampered_form_gets_a_message_not_a_server_error(plan, centre, inst_user, action, data) -> None:
    """Ids and numbers posted by a page are checked like any input: a clear refusal, never a 500."""
    for user in (centre, inst_user):
        r = login(user).post(reverse("exams:plan_action", args=[plan.public_id, action]), data)
        assert r.status_code < 500, (user.role, r.status_code)
