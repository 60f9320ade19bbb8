"""The applicant's pages through real HTTP: registering the organisation, filling in the 备案表."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from skillreg.accounts.models import Authority, Role, User
from skillreg.audit.models import AuditEvent
from skillreg.conftest import login, make_user
from skillreg.core import clock
from skillreg.policies.registry import get_pack
from skillreg.registry import eligibility
from skillreg.registry.application_form import ApplicationForm
from skillreg.registry.factories import InstitutionFactory, make_credit_code
from skillreg.registry.models import Application, Institution
from skillreg.registry.services import applications as svc
from skillreg.registry.tests.builders import sc_form

pytestmark = pytest.mark.django_db
S = Application.Status
PASSWORD = "Shuangyu-2026-kaoping"


# ---------------------------------------------------------------- registration


def _registration(**overrides: str) -> dict[str, str]:
    data = {
        "name": "巴中市恒达职业技能培训学校", "credit_code": make_credit_code("511900", 77),
        "legal_representative": "李卫东", "registration_number": "川巴民证字第0077号",
        "registration_issuer": "巴中市民政局", "address": "四川省巴中市巴州区回风大道18号",
        "region_code": "511902", "contact_person": "赵晓雨", "contact_phone": "0827-5261234",
        "contact_email": "hengda@example.cn", "body_kind": "social_body", "pack_id": "sc-2021-appraisal",
        "username": "hengda", "password1": PASSWORD, "password2": PASSWORD,
    }
    data.update(overrides)
    return data


@pytest.fixture
def bazhou(bazhong: Authority) -> Authority:
    return Authority.objects.create(name="巴州区人力资源和社会保障局", region_code="511902", region_name="巴州区",
                                    level=Authority.Level.COUNTY, parent=bazhong)


def _field_errors(html: str, field: str) -> str:
    """The text of the form row holding ``field``: its label, input, help and errors."""
    match = re.search(rf'<div class="apply-field[^"]*">(?:(?!<div class="apply-field).)*?name="{field}"'
                      rf'(?:(?!<div class="apply-field).)*', html, re.S)
    assert match, f"no form row for {field}"
    return match.group(0)


def _org(user: User) -> Institution:
    assert user.institution is not None
    return user.institution


def test_registering_creates_the_institution_and_its_user_writes_audit_events_and_logs_in(
        bazhou: Authority, bazhong: Authority) -> None:
    client = Client()
    page = client.get("/register/")
    assert page.status_code == 200
    assert "巴州区（511902）" in page.content.decode()

    response = client.post("/register/", _registration())
    assert response.status_code == 302
    assert response["Location"] == "/applications/"
    org = Institution.objects.get(name="巴中市恒达职业技能培训学校")
    # The city department covering 巴州区 receives the registration.
    assert org.authority == bazhong
    assert (org.region_code, org.pack_id, org.registration_issuer, org.contact_email) == (
        "511902", "sc-2021-appraisal", "巴中市民政局", "hengda@example.cn")
    user = User.objects.get(username="hengda")
    assert user.role == Role.INSTITUTION_USER and user.institution == org
    assert user.check_password(PASSWORD)
    event = AuditEvent.objects.get(action="registry.institution_registered", object_id=str(org.public_id))
    assert event.actor == user and (event.after or {})["self_registered"] is True
    assert AuditEvent.objects.filter(action="accounts.user_created", object_id=str(user.pk)).exists()
    assert client.session.get("_auth_user_id") == str(user.pk)
    worklist = client.get("/applications/")
    assert "已注册" in worklist.content.decode()


def test_a_wrong_check_character_is_shown_next_to_the_credit_code_and_the_rest_is_kept(
        bazhou: Authority) -> None:
    good = make_credit_code("511900", 77)
    bad = good[:17] + ("1" if good[17] != "1" else "2")
    response = Client().post("/register/", _registration(credit_code=bad))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"统一社会信用代码校验位错误：第 18 位应为 {good[17]}" in _field_errors(html, "credit_code")
    for typed in ("巴中市恒达职业技能培训学校", "川巴民证字第0077号", "巴中市民政局", "回风大道18号",
                  "赵晓雨", "0827-5261234", "hengda@example.cn", 'value="hengda"'):
        assert typed in html
    assert re.search(r'<option value="511902"[^>]*selected', html)
    assert re.search(r'<option value="social_body"[^>]*selected', html)
    assert PASSWORD not in html  # passwords are never sent back
    assert not Institution.objects.exists()


def test_a_duplicate_credit_code_is_a_field_error_not_a_500(bazhou: Authority, bazhong: Authority) -> None:
    InstitutionFactory(authority=bazhong, credit_code=make_credit_code("511900", 77))
    response = Client().post("/register/", _registration())
    assert response.status_code == 200
    assert "该统一社会信用代码已注册" in _field_errors(response.content.decode(), "credit_code")
    assert not User.objects.filter(username="hengda").exists()


def test_a_duplicate_username_is_a_field_error_and_nothing_is_created(bazhou: Authority) -> None:
    make_user(Role.SYSADMIN, None, username="Hengda")
    response = Client().post("/register/", _registration())
    assert response.status_code == 200
    assert "该用户名已被使用" in _field_errors(response.content.decode(), "username")
    assert not Institution.objects.exists()
    assert not AuditEvent.objects.filter(action="registry.institution_registered").exists()


def test_weak_or_mismatched_passwords_are_refused_in_chinese(bazhou: Authority) -> None:
    html = Client().post("/register/", _registration(password1="12345678", password2="12345678")).content.decode()
    assert "密码只包含数字" in _field_errors(html, "password1")
    html = Client().post("/register/", _registration(password2=PASSWORD + "x")).content.decode()
    assert "两次输入的密码不一致" in _field_errors(html, "password2")
    assert not Institution.objects.exists()


def test_a_policy_of_another_region_is_refused_on_its_field(bazhou: Authority) -> None:
    response = Client().post("/register/", _registration(pack_id="gs-2022-special"))
    assert response.status_code == 200
    assert "只适用于甘肃省" in _field_errors(response.content.decode(), "pack_id")
    assert not Institution.objects.exists()


def test_a_logged_in_user_is_sent_to_the_worklist(bz_official: User) -> None:
    response = login(bz_official).get("/register/")
    assert response.status_code == 302 and response["Location"] == "/applications/"


# ---------------------------------------------------------------- the application form


@pytest.fixture
def applicant(bazhong: Authority) -> User:
    org = InstitutionFactory(name="巴中市第一技工学校", authority=bazhong, region_code="511902",
                             body_kind="technical_school", pack_id="sc-2021-appraisal")
    return make_user(Role.INSTITUTION_USER, None, username="applicant", institution=org)


@pytest.fixture
def draft(applicant: User) -> Application:
    return svc.application_create(actor=applicant, institution=_org(applicant), at=clock.now())


def _rows(data: dict[str, Any], prefix: str, rows: list[dict[str, Any]]) -> None:
    data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    data[f"{prefix}-INITIAL_FORMS"] = "0"
    for index, row in enumerate(rows):
        for name, value in row.items():
            key = f"{prefix}-{index}-{name}"
            if value is True:
                data[key] = "on"
            elif value is False or value is None:
                continue
            elif isinstance(value, list):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)


def _post(form: dict[str, Any], then: str = "edit") -> dict[str, Any]:
    """What a browser sends for ``form`` (the ApplicationForm shape) from the edit page."""
    data: dict[str, Any] = {
        "then": then, "main-station_name": form.get("station_name", ""),
        "main-rules": "\n".join(form.get("rules", [])), "main-feasibility": form.get("feasibility", ""),
    }
    commitments = form.get("commitments", {})
    for name in ("truthfulness", "conduct"):
        if commitments.get(name):
            data[f"main-{name}"] = "on"
    for key in ("theory_rooms", "practical_sites", "inspection_sites"):
        site = form.get(key, {})
        data[f"{key}-count"] = str(site.get("count", ""))
        data[f"{key}-area"] = str(site.get("area", ""))
        _rows(data, f"{key}-equipment", site.get("equipment", []))
    _rows(data, "scope", form.get("scope", []))
    _rows(data, "staff", [{"title": "无", "full_time": True, **m} for m in form.get("staff", [])])
    _rows(data, "assessors", [{"internal": True, **a, "scope": "、".join(a.get("scope", []))}
                              for a in form.get("assessors", [])])
    return data


def test_saving_the_whole_sc_form_round_trips_and_the_naming_rule_is_met(
        applicant: User, draft: Application) -> None:
    client = login(applicant)
    page = client.get(f"/applications/{draft.public_id}/edit/")
    assert page.status_code == 200
    html = page.content.decode()
    # 001 五(一): the naming rule and this applicant's own name are shown by the name field.
    assert "承办单位全称 + “职业技能考核鉴定所（站）”" in html
    assert "巴中市第一技工学校职业技能考核鉴定所" in html
    assert "检验场地" in html and "高级技师" in html

    wanted = sc_form(_org(applicant))
    response = client.post(f"/applications/{draft.public_id}/edit/", _post(wanted, then="detail"))
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{draft.public_id}/"
    draft.refresh_from_db()
    assert draft.form == ApplicationForm.model_validate(wanted).model_dump(mode="json")
    report = {r.key: r for r in eligibility.report(get_pack(draft.pack_id), draft)}
    assert report["naming"].met is True
    assert not [r for r in report.values() if r.blocking]
    assert AuditEvent.objects.filter(action="application.form_saved", object_id=str(draft.public_id)).exists()

    # The stored form comes back into the page as typed, and saving it unchanged changes nothing.
    again = client.get(f"/applications/{draft.public_id}/edit/").content.decode()
    for typed in ("低压配电实训台", "ZC25-3", "周建华", "KP20240003", "电工、焊工", "安全、消防应急预案"):
        assert typed in again
    before = draft.form
    client.post(f"/applications/{draft.public_id}/edit/", _post(wanted))
    draft.refresh_from_db()
    assert draft.form == before


def test_blank_rows_and_a_roster_role_without_a_name_are_skipped(applicant: User, draft: Application) -> None:
    data = _post({"station_name": "巴中市第一技工学校职业技能考核鉴定所",
                  "scope": [{"name": "电工", "levels": [5, 4]}, {}],
                  "staff": [{"role": "head", "name": "周建华", "title": "中级"}, {"role": "deputy"}]})
    data["staff-1-title"] = "无"
    response = login(applicant).post(f"/applications/{draft.public_id}/edit/", data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert [i["name"] for i in draft.form["scope"]] == ["电工"]
    assert [m["name"] for m in draft.form["staff"]] == ["周建华"]


def test_an_invalid_row_shows_its_error_keeps_what_was_typed_and_saves_nothing(
        applicant: User, draft: Application) -> None:
    form = sc_form(_org(applicant))
    form["scope"].append({"name": "", "levels": [3], "assessors": 2})  # a level with no occupation
    form["practical_sites"]["equipment"].append(
        {"name": "万用表", "model": "UT-39A", "unit": "台", "quantity": -2})
    saved_before = draft.form
    response = login(applicant).post(f"/applications/{draft.public_id}/edit/", _post(form))
    assert response.status_code == 200
    html = response.content.decode()
    assert "申请范围第 3 行 · 职业（工种）名称" in html
    assert "操作技能考核场地设备第 2 行 · 数量" in html
    row = re.search(r'<tr id="scope-row-2".*?</tr>', html, re.S).group(0)  # type: ignore[union-attr]
    assert "这个字段是必填项。" in row
    row = re.search(r'<tr id="practical_sites-equipment-row-1".*?</tr>', html, re.S).group(0)  # type: ignore[union-attr]
    assert "确保该值大于或等于0" in row and 'value="-2"' in row and "UT-39A" in row
    for typed in ("巴中市第一技工学校职业技能考核鉴定所", "低压配电实训台", "周建华", "KP20240001"):
        assert typed in html
    draft.refresh_from_db()
    assert draft.form == saved_before
    assert not AuditEvent.objects.filter(action="application.form_saved").exists()


def test_another_institutions_user_gets_404(draft: Application, bazhong: Authority) -> None:
    other = InstitutionFactory(name="巴中市第二技工学校", authority=bazhong, pack_id="sc-2021-appraisal")
    stranger = make_user(Role.INSTITUTION_USER, None, username="stranger", institution=other)
    client = login(stranger)
    assert client.get(f"/applications/{draft.public_id}/edit/").status_code == 404
    assert client.post(f"/applications/{draft.public_id}/edit/", _post({"station_name": "x"})).status_code == 404


def test_an_official_who_may_see_the_application_still_gets_404_on_the_edit_page(
        draft: Application, bazhong: Authority, bz_official: User) -> None:
    Application.objects.filter(pk=draft.pk).update(status=S.SUPPLEMENT_REQUESTED, authority=bazhong)
    client = login(bz_official)
    assert client.get(f"/applications/{draft.public_id}/").status_code == 200
    assert client.get(f"/applications/{draft.public_id}/edit/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(draft: Application) -> None:
    response = Client().get(f"/applications/{draft.public_id}/edit/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_submitted_application_is_shown_read_only_and_a_post_changes_nothing(
        applicant: User, bazhong: Authority) -> None:
    app = svc.application_create(actor=applicant, institution=_org(applicant),
                                 form=sc_form(_org(applicant)), at=clock.now())
    Application.objects.filter(pk=app.pk).update(status=S.SUBMITTED, authority=bazhong)
    client = login(applicant)
    html = client.get(f"/applications/{app.public_id}/edit/").content.decode()
    assert "申请表不能修改" in html
    assert "保存草稿" not in html
    assert re.search(r'name="scope-0-name"[^>]*disabled', html)
    assert "低压配电实训台" in html
    response = client.post(f"/applications/{app.public_id}/edit/", _post({"station_name": "改过的名称"}))
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.form["station_name"] == "巴中市第一技工学校职业技能考核鉴定所"


def test_a_special_project_regime_hides_levels_and_inspection_sites(bazhong: Authority) -> None:
    org: Any = InstitutionFactory(authority=bazhong, pack_id="bz-2023-special")
    user = make_user(Role.INSTITUTION_USER, None, username="bz-applicant", institution=org)
    app = svc.application_create(actor=user, institution=org, at=clock.now())
    html = login(user).get(f"/applications/{app.public_id}/edit/").content.decode()
    assert "专项职业能力考核项目名称" in html
    assert "检验场地" not in html and "高级技师" not in html
