"""sc-2021-appraisal (001): 备案表 → 核查 → 补正 → 受理 → 评估 → 备案 / 终止, with its clocks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from skillreg.accounts.models import Authority, Role, User
from skillreg.audit.models import AuditEvent
from skillreg.conftest import login
from skillreg.core import clock
from skillreg.core.errors import DomainError, IllegalTransition
from skillreg.files.tests import samples
from skillreg.registry.factories import InstitutionFactory
from skillreg.registry.models import Application, DirectoryEntry, Institution
from skillreg.registry.services import applications as svc
from skillreg.registry.services import decisions
from skillreg.registry.sweep import sweep_deadlines
from skillreg.registry.tests.builders import official, sc_form

pytestmark = pytest.mark.django_db
S = Application.Status


@pytest.fixture
def applicant_org(bazhong: Authority) -> Institution:
    return InstitutionFactory(name="巴中市第一技工学校", authority=bazhong, region_code="511902",
                              body_kind="technical_school", pack_id="sc-2021-appraisal")


@pytest.fixture
def applicant(applicant_org: Institution) -> User:
    return User.objects.create(username="applicant", role=Role.INSTITUTION_USER, institution=applicant_org)


@pytest.fixture
def clerk(bazhong: Authority) -> User:
    return official(Role.FILING_OFFICIAL, bazhong, "bz-clerk")


@pytest.fixture
def approver(bazhong: Authority) -> User:
    return official(Role.APPROVING_OFFICIAL, bazhong, "bz-approver")


def _draft(applicant: User, **form_kw: object) -> Application:
    return svc.application_create(actor=applicant, institution=applicant.institution,
                                  form=sc_form(applicant.institution, **form_kw), at=clock.now())


def _submitted(applicant: User, **form_kw: object) -> Application:
    app = _draft(applicant, **form_kw)
    svc.application_attach_material(actor=applicant, application=app, key="filing-form",
                                    upload=SimpleUploadedFile("备案表.pdf", samples.pdf()), at=clock.now())
    return svc.application_submit(actor=applicant, application=app, at=clock.now())


def test_the_happy_path_files_publishes_and_codes_the_station(
        applicant: User, clerk: User, approver: User) -> None:
    app = _submitted(applicant)
    # 001 二: 高级 and below goes to the city (巴中).
    assert app.authority.name == "巴中市人力资源和社会保障局"
    assert app.routing_source == "001 二"
    # 001 三(一)2(1): 5 working days to check the materials; submitted Friday 2026-11-20.
    assert app.material_check_due == dt.date(2026, 11, 27)
    svc.application_accept(actor=clerk, application=app, at=clock.now())
    app.refresh_from_db()
    # 001 三(一)2(2): done within 15 working days of complete materials.
    assert app.completion_due == dt.date(2026, 12, 11)
    decisions.application_start_evaluation(actor=clerk, application=app, at=clock.now())
    decisions.application_conclude_evaluation(actor=clerk, application=app, passed=True,
                                              summary="现场技术评估合格", at=clock.now())
    filing = decisions.application_file(actor=approver, application=app, at=clock.now())
    org = Institution.objects.get(pk=applicant.institution_id)
    assert org.status == Institution.Status.FILED
    assert org.name == "巴中市第一技工学校职业技能考核鉴定所"
    assert filing.code == org.code == "JD51190220260001"
    assert filing.valid_until is None  # 001 fixes no validity period (its 五年 is the notice's own)
    entry = DirectoryEntry.objects.get(institution=org, superseded_at__isnull=True)
    assert entry.data["code"] == org.code
    assert {s["name"] for s in entry.data["scope"]} == {"电工", "焊工"}
    assert "电工" in [s["name"] for s in entry.data["scope"]]
    actions = list(AuditEvent.objects.filter(object_id=str(app.public_id)).values_list("action", flat=True))
    assert actions[:3] == ["application.created", "application.material_attached", "application.submitted"]
    assert "application.filed" in actions


def test_the_official_who_handled_the_file_cannot_approve_it(applicant: User, bazhong: Authority) -> None:
    both = official(Role.APPROVING_OFFICIAL, bazhong, "bz-both")
    app = _submitted(applicant)
    with pytest.raises(DomainError, match="经办人员"):
        svc.application_accept(actor=both, application=app, at=clock.now())


def test_a_technician_level_station_in_bazhong_goes_to_the_province(applicant: User) -> None:
    # 001 二: 技师 and 高级技师 bodies are filed by the province, except 技师 in 成都.
    app = _submitted(applicant, levels=(4, 3, 2))
    assert app.authority.name == "四川省人力资源和社会保障厅"


def test_chengdu_files_technician_level_itself_but_not_senior_technician(chengdu: Authority) -> None:
    org = InstitutionFactory(name="成都市建设技工学校", authority=chengdu, region_code="510104",
                             body_kind="technical_school", pack_id="sc-2021-appraisal",
                             credit_code="52510100MJ0000001C")
    user = User.objects.create(username="cd-applicant", role=Role.INSTITUTION_USER, institution=org)
    assert _submitted(user, levels=(3, 2)).authority == chengdu
    org2 = InstitutionFactory(name="成都市机电技师学院", authority=chengdu, region_code="510104",
                              body_kind="technical_school", pack_id="sc-2021-appraisal")
    user2 = User.objects.create(username="cd-applicant2", role=Role.INSTITUTION_USER, institution=org2)
    assert _submitted(user2, levels=(2, 1)).authority.level == Authority.Level.PROVINCE


def test_an_industry_body_goes_to_the_province_and_needs_its_supervisors_letter(
        bazhong: Authority) -> None:
    org = InstitutionFactory(name="四川省电力行业协会", authority=bazhong, region_code="511902",
                             body_kind="industry_body", pack_id="sc-2021-appraisal")
    user = User.objects.create(username="industry", role=Role.INSTITUTION_USER, institution=org)
    app = _draft(user)
    # 001 三(一)1: 行业部门 须同时提交省级以上主管部门同意申报的函件
    with pytest.raises(DomainError, match="主管部门") as exc:
        svc.application_submit(actor=user, application=app, at=clock.now())
    assert exc.value.source == "001 三(一)1"
    svc.application_attach_material(actor=user, application=app, key="industry-approval-letter",
                                    upload=SimpleUploadedFile("函.pdf", samples.pdf()), at=clock.now())
    app = svc.application_submit(actor=user, application=app, at=clock.now())
    assert app.authority.name == "四川省人力资源和社会保障厅"


def test_a_name_that_breaks_the_naming_rule_blocks_submission(applicant: User) -> None:
    app = _draft(applicant, station_name="巴中技能鉴定站")
    # 001 五(一): 承办单位全称 + “职业技能考核鉴定所（站）”
    with pytest.raises(DomainError, match="不符合命名规则") as exc:
        svc.application_submit(actor=applicant, application=app, at=clock.now())
    assert exc.value.source == "001 五(一)"
    app.refresh_from_db()
    assert app.status == S.DRAFT


def test_a_second_supplement_notice_is_refused(applicant: User, clerk: User) -> None:
    app = _submitted(applicant)
    notice = svc.application_request_supplement(
        actor=clerk, application=app, at=clock.now(),
        items=[{"text": "操作技能考核场地设备清单不完整", "source": "001 附件1填报说明"},
               {"text": "缺少消防应急预案"}])
    # 001 三(一)2(2): 5 working days to complete the materials.
    assert notice.due == dt.date(2026, 11, 27)
    svc.application_supplement(actor=applicant, application=app, at=clock.now())
    with pytest.raises(DomainError, match="已发出过一次性补正告知"):
        svc.application_request_supplement(actor=clerk, application=app, at=clock.now(),
                                           items=[{"text": "再补一项"}])


def test_a_late_supplement_terminates_the_application_by_itself(applicant: User, clerk: User) -> None:
    app = _submitted(applicant)
    svc.application_request_supplement(actor=clerk, application=app, at=clock.now(),
                                       items=[{"text": "缺少财务管理制度"}])
    on_due_day = dt.datetime(2026, 11, 27, 23, 0, tzinfo=clock.LOCAL_TZ)
    assert sweep_deadlines(at=on_due_day).terminated == 0
    next_day = dt.datetime(2026, 11, 28, 0, 30, tzinfo=clock.LOCAL_TZ)
    assert sweep_deadlines(at=next_day).terminated == 1
    app.refresh_from_db()
    assert app.status == S.TERMINATED
    assert "未在规定期限" in app.decision_reason
    assert app.decision_source == "001 三(一)2(2)"
    event = AuditEvent.objects.get(action="application.terminated")
    assert event.actor is None and event.actor_label == "系统"
    with clock.frozen(next_day), pytest.raises(IllegalTransition):
        svc.application_supplement(actor=applicant, application=app, at=next_day)


def test_two_officials_accepting_at_once_leave_one_result(applicant: User, clerk: User,
                                                          bazhong: Authority) -> None:
    other = official(Role.FILING_OFFICIAL, bazhong, "bz-clerk-2")
    app = _submitted(applicant)
    stale = Application.objects.get(pk=app.pk)
    svc.application_accept(actor=clerk, application=app, at=clock.now())
    with pytest.raises(IllegalTransition, match="已受理"):
        svc.application_accept(actor=other, application=stale, at=clock.now())
    app.refresh_from_db()
    assert app.handled_by == clerk
    assert AuditEvent.objects.filter(action="application.accepted").count() == 1


def test_a_double_clicked_submit_submits_once(applicant: User) -> None:
    app = _draft(applicant)
    svc.application_attach_material(actor=applicant, application=app, key="filing-form",
                                    upload=SimpleUploadedFile("备案表.pdf", samples.pdf()), at=clock.now())
    client = login(applicant)
    first = client.post(f"/api/v1/applications/{app.public_id}/submit")
    second = client.post(f"/api/v1/applications/{app.public_id}/submit")
    assert first.status_code == 200
    assert second.status_code == 409
    assert "已提交" in second.json()["message"]
    assert AuditEvent.objects.filter(action="application.submitted").count() == 1


def test_an_official_of_another_city_gets_404(applicant: User, wh_official: User) -> None:
    app = _submitted(applicant)
    response = login(wh_official).get(f"/api/v1/applications/{app.public_id}")
    assert response.status_code == 404


def test_the_api_shows_the_running_clock_and_the_eligibility_report(applicant: User, clerk: User) -> None:
    app = _submitted(applicant)
    body = login(clerk).get(f"/api/v1/applications/{app.public_id}").json()
    assert body["clocks"][0]["key"] == "material_check"
    assert body["clocks"][0]["workdays_left"] == 5
    assert body["clocks"][0]["source"] == "001 三(一)2(1)"
    checks = login(applicant).get(f"/api/v1/applications/{app.public_id}/eligibility").json()
    assert {c["key"]: c["met"] for c in checks}["naming"] is True
