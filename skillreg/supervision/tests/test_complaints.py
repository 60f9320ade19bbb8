"""投诉举报 (000 四(一), 001 五(三), 003 五(三)): public form, tracking, deadline, safety."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from skillreg.conftest import NOW, login
from skillreg.core import clock
from skillreg.supervision.models import Complaint
from skillreg.supervision.services import complaints as svc
from skillreg.supervision.tests.conftest import filed
from skillreg.workdays.calendar import add_workdays

XSS = "<script>alert(1)</script>"


def _submit(client: Client, code: str, **kw: str):  # type: ignore[no-untyped-def]
    data = {"institution_code": code, "subject": "乱收费", "content": "收取培训费", "name": "张三",
            "contact": "13800000000", **kw}
    return client.post("/supervision/public/complaints/new/", data)


def test_public_form_needs_no_login_and_routes_to_the_bodys_authority(bazhong) -> None:
    inst = filed(bazhong)
    r = _submit(Client(), inst.code)
    assert r.status_code == 200 and "查询密码" in r.content.decode()
    complaint = Complaint.objects.get()
    assert complaint.authority == bazhong
    assert complaint.answer_due_source.startswith("该文件未规定投诉举报机制")  # 002 silent


def test_complainant_follows_with_number_and_secret_and_sees_answer(bazhong, bz_official) -> None:
    inst = filed(bazhong)
    complaint, secret = svc.complaint_submit(institution_code=inst.code, subject="s", content="c",
                                             contact="13800000000", at=NOW)
    svc.complaint_answer(actor=bz_official, complaint=complaint, finding="substantiated", answer="已责令退费",
                         at=NOW)
    client = Client()
    page = client.post("/supervision/public/complaints/follow/",
                       {"tracking_number": complaint.tracking_number, "secret": secret}).content.decode()
    assert "已责令退费" in page and "13800000000" not in page
    wrong = client.post("/supervision/public/complaints/follow/",
                        {"tracking_number": complaint.tracking_number, "secret": "nope"})
    assert wrong.status_code == 404
    api = client.post("/api/v1/public/complaints/track", {"tracking_number": complaint.tracking_number,
                                                           "secret": secret}, content_type="application/json")
    assert api.status_code == 200 and "13800000000" not in api.content.decode()


def test_script_payload_is_escaped_everywhere(bazhong, bz_official) -> None:
    inst = filed(bazhong)
    complaint, secret = svc.complaint_submit(institution_code=inst.code, subject=XSS, content=XSS, name=XSS,
                                             contact=XSS, at=NOW)
    official_page = login(bz_official).get(f"/supervision/complaints/{complaint.public_id}/").content.decode()
    public_page = Client().post("/supervision/public/complaints/follow/",
                                {"tracking_number": complaint.tracking_number, "secret": secret}).content.decode()
    for page in (official_page, public_page):
        assert XSS not in page and "&lt;script&gt;" in page
    form_page = _submit(Client(), XSS).content.decode()  # the bad code echoed back in the form
    assert XSS not in form_page


def test_unanswered_complaint_goes_overdue_the_day_after_the_deadline(bazhong) -> None:
    inst = filed(bazhong)
    complaint, _ = svc.complaint_submit(institution_code=inst.code, subject="s", content="c", at=NOW)
    # Documents silent: the configurable default of 15 working days from receipt.
    due = add_workdays(NOW.date(), svc.DEFAULT_ANSWER_WORKDAYS).date
    assert complaint.answer_due == due == dt.date(2026, 12, 11)
    assert not svc.is_overdue(complaint, due)
    assert svc.is_overdue(complaint, due + dt.timedelta(days=1))


def test_answer_deadline_is_configurable(bazhong, settings) -> None:
    settings.SKILLREG_COMPLAINT_ANSWER_WORKDAYS = 5
    inst = filed(bazhong)
    complaint, _ = svc.complaint_submit(institution_code=inst.code, subject="s", content="c", at=NOW)
    assert complaint.answer_due == dt.date(2026, 11, 27)


def test_overdue_shows_on_the_dashboard(bazhong, bz_official) -> None:
    inst = filed(bazhong)
    complaint, _ = svc.complaint_submit(institution_code=inst.code, subject="s", content="c", at=NOW)
    with clock.frozen(NOW + dt.timedelta(days=30)):
        page = login(bz_official).get("/supervision/").content.decode()
    assert complaint.tracking_number in page and "<svg" in page


def test_submissions_are_rate_limited_per_address(bazhong, settings) -> None:
    settings.SKILLREG_COMPLAINT_RATE = 2
    inst = filed(bazhong)
    client = Client(REMOTE_ADDR="10.0.0.1")
    assert [_submit(client, inst.code).status_code for _ in range(3)] == [200, 200, 429]
    assert _submit(Client(REMOTE_ADDR="10.0.0.2"), inst.code).status_code == 200
    r = client.post("/api/v1/public/complaints", {"institution_code": inst.code, "subject": "s", "content": "c"},
                    content_type="application/json")
    assert r.status_code == 429


def test_oversized_content_is_refused(bazhong) -> None:
    inst = filed(bazhong)
    r = Client().post("/api/v1/public/complaints", {"institution_code": inst.code, "subject": "s",
                                                    "content": "长" * (svc.CONTENT_MAX + 1)},
                      content_type="application/json")
    assert r.status_code == 422
    assert _submit(Client(), inst.code, content="长" * (svc.CONTENT_MAX + 1)).status_code == 422


def test_unknown_institution_is_a_clear_4xx(db) -> None:
    r = Client().post("/api/v1/public/complaints", {"institution_code": "NOPE", "subject": "s", "content": "c"},
                      content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == "institution_code"


def test_another_citys_official_gets_404_on_complaint(bazhong, wh_official) -> None:
    inst = filed(bazhong)
    complaint, _ = svc.complaint_submit(institution_code=inst.code, subject="s", content="c", at=NOW)
    assert login(wh_official).get(f"/supervision/complaints/{complaint.public_id}/").status_code == 404


def test_dashboard_shows_filing_clocks_running_against_the_authority(bazhong, bz_official, wh_official) -> None:
    """Issue 5 dashboard: open clocks and overdue items (the registry's 材料核查 / 办结 clocks)."""
    from skillreg.registry.models import Application

    inst = filed(bazhong, name="待核查申请单位")
    inst.status = inst.Status.REGISTERED
    inst.save(update_fields=["status"])
    Application.objects.create(institution=inst, pack_id="sc-2021-appraisal", status=Application.Status.SUBMITTED,
                               authority=bazhong, region_code=inst.region_code, created_at=NOW, submitted_at=NOW,
                               material_check_due=NOW.date() - dt.timedelta(days=3))
    page = login(bz_official).get("/supervision/").content.decode()
    assert "待核查申请单位" in page and "材料核查期限" in page and "备案办理时限（进行中 1）" in page
    assert "待核查申请单位" not in login(wh_official).get("/supervision/").content.decode()


def test_every_pack_states_it_sets_no_answer_deadline() -> None:
    """Issue 5: the answer deadline is the pack's; the documents are silent (000 四(一), 001 五(三),
    003 五(三) say only 及时), so each pack has null + note and the configurable default applies."""
    from skillreg.policies.registry import all_packs

    for pack in all_packs():
        rule = pack.supervision.complaint_answer
        assert rule is not None and rule.workdays is None and "未规定" in (rule.note or "") \
            and "答复期限" in (rule.note or ""), pack.id
    days, basis = svc.answer_rule("nm-2021-skill-level")
    assert days == svc.DEFAULT_ANSWER_WORKDAYS and "003 五(三)" in basis and "可配置" in basis
