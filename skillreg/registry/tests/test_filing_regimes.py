"""The other four regimes: their routing, conditions, calls, validity and codes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from skillreg.accounts.factories import AuthorityFactory
from skillreg.accounts.models import Authority, Role, User
from skillreg.conftest import login
from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.files.tests import samples
from skillreg.registry.factories import InstitutionFactory, make_credit_code
from skillreg.registry.models import Application, CallForApplications, Institution, SpecialProject
from skillreg.registry.services import applications as svc
from skillreg.registry.services import decisions
from skillreg.registry.sweep import sweep_deadlines
from skillreg.registry.tests.builders import gs_form, official, province_and_city, sc_form

pytestmark = pytest.mark.django_db


def _org(authority: Authority, pack_id: str, *, name: str, region: str, kind: str = "social_body",
         serial: int = 1) -> tuple[Institution, User]:
    org = InstitutionFactory(name=name, authority=authority, region_code=region, body_kind=kind, pack_id=pack_id,
                             credit_code=make_credit_code(region[:4] + "00", serial))
    user = User.objects.create(username=f"u-{region}-{serial}", role=Role.INSTITUTION_USER, institution=org)
    return org, user


def _submit(user: User, form: dict) -> Application:
    app = svc.application_create(actor=user, institution=user.institution, form=form, at=clock.now())
    return svc.application_submit(actor=user, application=app, at=clock.now())


def _file(app: Application, clerk: User, approver: User) -> Application:
    svc.application_accept(actor=clerk, application=app, at=clock.now())
    decisions.application_start_evaluation(actor=clerk, application=app, at=clock.now())
    decisions.application_conclude_evaluation(actor=clerk, application=app, passed=True, summary="合格",
                                              at=clock.now())
    decisions.application_file(actor=approver, application=app, at=clock.now())
    app.refresh_from_db()
    return app


@pytest.fixture
def gansu() -> tuple[Authority, Authority]:
    return province_and_city(("甘肃省人力资源和社会保障厅", "620000", "甘肃省"),
                             ("兰州市人力资源和社会保障局", "620100", "兰州市"), centres=True)


def test_gs_a_city_applicant_goes_to_its_city_with_province_review(gansu) -> None:  # type: ignore[no-untyped-def]
    _, lanzhou = gansu
    _, user = _org(lanzhou, "gs-2022-special", name="兰州市某职业培训学校", region="620102")
    org = user.institution
    app = _submit(user, gs_form(org))
    # 004 五(一): 按属地原则向所在市（州）人社部门提交…由省鉴定中心进行复核
    assert app.authority == lanzhou
    assert app.reviewing_authority.name == "甘肃省职业技能鉴定指导中心"
    assert app.routing_source == "004 五(一)"
    # 004 sets no material-check clock: no deadline is invented.
    assert app.material_check_due is None


def test_gs_a_provincial_state_enterprise_goes_straight_to_the_province_centre(gansu) -> None:  # type: ignore[no-untyped-def]
    _, lanzhou = gansu
    _, user = _org(lanzhou, "gs-2022-special", name="甘肃某省属国有企业", region="620102",
                   kind="provincial_soe", serial=2)
    app = _submit(user, gs_form(user.institution))
    assert app.authority.name == "甘肃省职业技能鉴定指导中心"
    assert app.reviewing_authority is None


def test_gs_staffing_minima_block_submission_with_their_clauses(gansu) -> None:  # type: ignore[no-untyped-def]
    _, lanzhou = gansu
    _, user = _org(lanzhou, "gs-2022-special", name="兰州市某评价中心", region="620102", serial=3)
    form = gs_form(user.institution)
    form["staff"] = [{"role": "head", "name": "王五", "title": "初级"},
                     {"role": "manager", "name": "赵六", "full_time": True}]
    form["assessors"] = form["assessors"][:2] + form["assessors"][3:]
    app = svc.application_create(actor=user, institution=user.institution, form=form, at=clock.now())
    with pytest.raises(DomainError) as exc:
        svc.application_submit(actor=user, application=app, at=clock.now())
    message = exc.value.message
    # 004 二(四)1 head with mid-level title; 二(四)2 ≥2 full-time managers; 二(四)3 ≥3 assessors per project
    assert "须中级以上" in message
    assert "专职考核管理人员 1 人，须不少于 2 人" in message
    assert "不少于 3 名持证考评人员" in message
    assert exc.value.source == "004 二(四)1"
    report = {c["key"]: c for c in login(user).get(f"/api/v1/applications/{app.public_id}/eligibility").json()}
    assert report["managers"]["source"] == "004 二(四)2" and report["managers"]["blocking"]
    # 004 二(一): credit record is for the experts to judge, never blocks here.
    assert report["no_violation_record"]["met"] is None
    assert not report["no_violation_record"]["blocking"]


def test_004_四_a_project_outside_the_province_catalogue_blocks_submission(gansu) -> None:  # type: ignore[no-untyped-def]
    """004 四: 申报机构可根据以下范围严格按照自身主要业务申报考核项目 — the published catalogue,
    or a project whose addition was requested (004 四(二)(三))."""
    _, lanzhou = gansu
    _, user = _org(lanzhou, "gs-2022-special", name="兰州市某技能评价中心", region="620102", serial=4)
    SpecialProject.objects.create(region_code="620000", name="中式面点制作")
    app = svc.application_create(actor=user, institution=user.institution, form=gs_form(user.institution),
                                 at=clock.now())
    report = {c["key"]: c for c in login(user).get(f"/api/v1/applications/{app.public_id}/eligibility").json()}
    assert report["catalogued"]["met"] is False and report["catalogued"]["blocking"]
    assert "农村电商运营" in report["catalogued"]["detail"] and report["catalogued"]["source"] == "004 四"
    with pytest.raises(DomainError) as exc:
        svc.application_submit(actor=user, application=app, at=clock.now())
    assert exc.value.source == "004 四"
    # Once the project is catalogued, the same application goes through.
    SpecialProject.objects.create(region_code="620000", name="农村电商运营")
    assert svc.application_submit(actor=user, application=app, at=clock.now()).status == Application.Status.SUBMITTED


def test_004_四_with_no_catalogue_entered_the_experts_check_the_projects(gansu) -> None:  # type: ignore[no-untyped-def]
    _, lanzhou = gansu
    _, user = _org(lanzhou, "gs-2022-special", name="兰州市某职业技能学校", region="620102", serial=5)
    app = _submit(user, gs_form(user.institution))
    report = {c["key"]: c for c in login(user).get(f"/api/v1/applications/{app.public_id}/eligibility").json()}
    assert report["catalogued"]["met"] is None and not report["catalogued"]["blocking"]


def test_gs_a_submission_after_the_call_closes_is_refused(gansu) -> None:  # type: ignore[no-untyped-def]
    province, lanzhou = gansu
    CallForApplications.objects.create(pack_id="gs-2022-special", title="第二批专项职业能力考核机构征集",
                                       authority=province, opens_on=dt.date(2026, 10, 1),
                                       closes_on=dt.date(2026, 11, 15), source="004 一")
    _, user = _org(lanzhou, "gs-2022-special", name="兰州市迟到的机构", region="620102", serial=4)
    app = svc.application_create(actor=user, institution=user.institution, form=gs_form(user.institution),
                                 at=clock.now())
    with pytest.raises(DomainError, match="已于 2026年11月15日 截止") as exc:
        svc.application_submit(actor=user, application=app, at=clock.now())
    assert exc.value.source == "004 一"


def test_bz_filing_is_valid_three_years(bazhong: Authority) -> None:
    _, user = _org(bazhong, "bz-2023-special", name="巴中市某考核中心", region="511902", serial=5)
    form = gs_form(user.institution)
    app = _submit(user, form)
    assert app.authority == bazhong and app.routing_source == "002 第三条"
    app = _file(app, official(Role.FILING_OFFICIAL, bazhong, "bz-c"),
                official(Role.APPROVING_OFFICIAL, bazhong, "bz-a"))
    # 002 第十条: 有效期三年 — filed 2026-11-20, valid through 2029-11-19.
    assert app.filing.valid_until == dt.date(2029, 11, 19)
    assert app.filing.code == "ZX51190220260001"


def test_nm2020_filing_is_valid_two_years_and_goes_to_the_city_centre(wuhai: Authority) -> None:
    centre = AuthorityFactory(name="乌海市职业技能鉴定指导中心", region_code="150300", region_name="乌海市",
                              parent=wuhai, kind=Authority.Kind.CENTRE)
    _, user = _org(wuhai, "nm-2020-special", name="乌海市某考核站", region="150302", serial=6)
    app = _submit(user, gs_form(user.institution))
    # 000 二: 各级鉴定中心按照属地管理要求受理
    assert app.authority == centre
    app = _file(app, official(Role.FILING_OFFICIAL, centre, "wh-clerk"),
                official(Role.APPROVING_OFFICIAL, centre, "wh-approver"))
    # 000 二(四): 有效期 2 年
    assert app.filing.valid_until == dt.date(2028, 11, 19)


def test_nm2021_codes_follow_the_national_form(wuhai: Authority) -> None:
    _, user = _org(wuhai, "nm-2021-skill-level", name="乌海市某评价机构", region="150302", kind="enterprise",
                   serial=7)
    form = sc_form(user.institution)
    app = _submit(user, form)
    # 003 has no evaluation procedure: an accepted application may be filed directly.
    svc.application_accept(actor=official(Role.FILING_OFFICIAL, wuhai, "w1"), application=app, at=clock.now())
    filing = decisions.application_file(actor=official(Role.APPROVING_OFFICIAL, wuhai, "w2"), application=app,
                                        at=clock.now())
    # 003 四(七) national numbering: Y (employer) + 0000 (province-filed) + 15 (内蒙古) + 6-digit sequence
    assert filing.code == "Y000015000001"
    assert len(filing.code) == 13


def test_the_termination_notice_states_the_reason_and_the_clause(bazhong: Authority) -> None:
    org = InstitutionFactory(name="巴中市某鉴定申请单位", authority=bazhong, region_code="511902",
                             pack_id="sc-2021-appraisal", body_kind="technical_school")
    user = User.objects.create(username="late", role=Role.INSTITUTION_USER, institution=org)
    app = svc.application_create(actor=user, institution=org, form=sc_form(org), at=clock.now())
    svc.application_attach_material(actor=user, application=app, key="filing-form",
                                    upload=SimpleUploadedFile("表.pdf", samples.pdf()), at=clock.now())
    app = svc.application_submit(actor=user, application=app, at=clock.now())
    clerk = official(Role.FILING_OFFICIAL, bazhong, "clerk-x")
    svc.application_request_supplement(actor=clerk, application=app, items=[{"text": "缺少检验场地设备清单"}],
                                       at=clock.now())
    sweep_deadlines(at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=clock.LOCAL_TZ))
    response = login(user).get(f"/applications/{app.public_id}/documents/result_terminated.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "终止办理" in text
    assert "未在规定期限" in text
    assert "001 三(一)2(2)" in text
    supplement = login(clerk).get(f"/applications/{app.public_id}/documents/supplement.docx")
    assert supplement.status_code == 200


def test_a_blacklisted_credit_code_cannot_file_again_even_under_a_new_name(wuhai: Authority) -> None:
    from skillreg.supervision.models import BlacklistEntry

    org, user = _org(wuhai, "nm-2021-skill-level", name="乌海市新名称评价机构", region="150302", serial=9)
    listed_by = official(Role.APPROVING_OFFICIAL, wuhai, "bl-approver")
    # 003 五(五): 取消评价资质的，列入评价机构失信黑名单 — the old body, now under another name.
    BlacklistEntry.objects.create(credit_code=org.credit_code, name="乌海市旧名称评价机构", reason="取消评价资质",
                                  source="003 五(五)", listed_by=listed_by, listed_at=clock.now())
    app = svc.application_create(actor=user, institution=org, form=sc_form(org), at=clock.now())
    with pytest.raises(DomainError, match="失信黑名单") as exc:
        svc.application_submit(actor=user, application=app, at=clock.now())
    assert exc.value.source == "003 五(五)"
