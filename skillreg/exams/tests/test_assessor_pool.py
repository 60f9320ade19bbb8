"""The assessor pool (002 第十五条): service, page and API."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from skillreg.accounts.models import Role
from skillreg.audit.models import AuditEvent
from skillreg.conftest import NOW, login, make_user
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.exams.models import Assessor
from skillreg.exams.services import assessors as svc
from skillreg.exams.services import dispatch
from skillreg.exams.tests.conftest import make_id
from skillreg.exams.tests.helpers import approve_application, register, submit_roster

CERT = svc.CertificateIn(scope_name="竹编工艺", number="KP0001", valid_until=dt.date(2030, 1, 1))


def add(actor, n: int = 1, **kw):
    data = {"name": f"考评员{n}", "id_number": make_id(500 + n, birth="19800101"), "region_code": "511902",
            "employer_name": "巴中市竹编协会", "certificates": [CERT]} | kw
    return svc.assessor_add(actor=actor, at=NOW, **data)


def test_assessor_add_checks_the_id_number_and_audits_it_masked(centre) -> None:
    """002 第十五条: the centre keeps the pool; the 身份证号码 is checked (GB 11643) and never logged."""
    good = make_id(501, birth="19800101")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(InvalidInput, match="校验位") as exc:
        add(centre, id_number=bad)
    assert exc.value.field == "id_number"
    assessor = add(centre)
    assert assessor.id_number == good and assessor.certificates.count() == 1 and assessor.added_at == NOW
    event = AuditEvent.objects.get(action="exams.assessor_added")
    assert good not in json.dumps(event.after, ensure_ascii=False) and good not in event.summary
    assert assessor.masked_id in event.summary


def test_the_same_person_cannot_enter_the_pool_twice(centre) -> None:
    add(centre)
    with pytest.raises(InvalidInput, match="已在考评员库中"):
        add(centre, name="另一个名字")


def test_an_assessor_needs_a_valid_certificate(centre) -> None:
    with pytest.raises(InvalidInput, match="至少登记一本"):
        add(centre, certificates=[])
    expired = svc.CertificateIn(scope_name="竹编工艺", number="KP9", valid_until=dt.date(2026, 1, 1))
    with pytest.raises(InvalidInput, match="已于") as exc:
        add(centre, certificates=[expired])
    assert exc.value.field == "valid_until"


def test_only_officials_of_the_region_manage_the_pool(inst_user, chengdu, centre) -> None:
    with pytest.raises(DomainError):
        add(inst_user)
    outsider = make_user(Role.CENTRE_STAFF, chengdu)
    with pytest.raises(InvalidInput, match="不在本单位管辖范围内"):
        add(outsider)


def test_a_deactivated_assessor_is_not_drawn(plan, inst_user, centre) -> None:
    """002 第十五条: the dispatch draws only from the pool; one who left is excluded with the reason."""
    register(plan, inst_user, range(1, 3))
    submit_roster(plan, inst_user, centre)
    plan = approve_application(plan, inst_user, centre)
    a1, a2 = add(centre, 1), add(centre, 2, certificates=[svc.CertificateIn(
        scope_name="竹编工艺", number="KP0002", valid_until=dt.date(2030, 1, 1))])
    svc.assessor_deactivate(actor=centre, assessor=a2, reason="调离本市", at=NOW)
    with pytest.raises(DomainError, match="只有 1 名"):
        dispatch.assessors_dispatch(actor=centre, plan=plan, count=2, at=NOW)
    made = dispatch.assessors_dispatch(actor=centre, plan=plan, count=1, at=NOW)
    assert [m.assessor_id for m in made] == [a1.pk]
    assert any("已不在考评员库" in e["reason"] for e in made[0].draw.exclusions)


def test_update_and_reactivate_are_audited(centre) -> None:
    a = add(centre)
    svc.assessor_update(actor=centre, assessor=a, name="考评员一", region_code="511921", employer_name="通江县职业中学",
                        at=NOW)
    svc.assessor_deactivate(actor=centre, assessor=a, reason="证书到期未复核", at=NOW)
    svc.assessor_reactivate(actor=centre, assessor=a, at=NOW)
    a.refresh_from_db()
    assert (a.name, a.region_code, a.active) == ("考评员一", "511921", True)
    actions = list(AuditEvent.objects.filter(object_id=str(a.public_id)).values_list("action", flat=True))
    assert {"exams.assessor_updated", "exams.assessor_deactivated", "exams.assessor_reactivated"} <= set(actions)


# --- page -----------------------------------------------------------------------------------


def _post(centre, **kw):
    data = {"name": "张考评", "id_number": make_id(601, birth="19790505"), "region_code": "511902",
            "employer_name": "巴中市竹编协会", "scope_name": "竹编工艺", "level": "", "number": "ZX001",
            "valid_until": "2030-01-01"} | kw
    return login(centre).post(reverse("exams:assessors"), data)


def test_the_pool_page_adds_an_assessor_and_lists_the_id_masked(centre) -> None:
    number = make_id(601, birth="19790505")
    assert _post(centre).status_code == 302
    page = login(centre).get(reverse("exams:assessors")).content.decode()
    assert "张考评" in page and number not in page and number[:6] + "********" + number[-4:] in page
    for label in ("姓名", "身份证号码", "证书编号", "证书有效期至", "工作单位"):
        assert f"{label}" in page and "<label" in page


def test_a_refused_assessor_keeps_what_was_typed_with_the_error_at_the_field(centre) -> None:
    good = make_id(602, birth="19790505")
    typed = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = _post(centre, id_number=typed, name="李评")
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="李评"' in page and f'value="{typed}"' in page and 'value="ZX001"' in page
    # The error sits in the id_number field's block, not only at the top of the page.
    block = page[page.index('for="id_id_number"'):page.index('for="id_region_code"')]
    assert "校验位" in block
    assert Assessor.objects.count() == 0


def test_the_pool_page_unknown_employer_code_is_shown_at_its_field(centre) -> None:
    response = _post(centre, employer_credit_code="91511900MA00000000")
    page = response.content.decode()
    block = page[page.index('for="id_employer_credit_code"'):page.index('for="id_username"')]
    assert response.status_code == 422 and "没有统一社会信用代码" in block


def test_the_pool_is_not_for_institutions_and_another_city_gets_404(centre, inst_user, chengdu) -> None:
    a = add(centre)
    assert login(inst_user).get(reverse("exams:assessors")).status_code == 404
    outsider = login(make_user(Role.CENTRE_STAFF, chengdu))
    assert outsider.get(reverse("exams:assessor", args=[a.public_id])).status_code == 404
    assert outsider.get(f"/api/v1/exams/assessors/{a.public_id}").status_code == 404
    assert "考评员1" not in outsider.get(reverse("exams:assessors")).content.decode()


def test_the_detail_page_edits_adds_a_certificate_and_deactivates(centre) -> None:
    a = add(centre)
    client = login(centre)
    url = reverse("exams:assessor", args=[a.public_id])
    response = client.post(url, {"action": "certificate", "scope_name": "电工", "level": "9", "number": "X",
                                 "valid_until": "2030-01-01"})
    assert response.status_code == 422 and 'value="电工"' in response.content.decode()
    assert client.post(url, {"action": "certificate", "scope_name": "电工", "level": "3", "number": "KP77",
                             "valid_until": "2030-01-01"}).status_code == 302
    response = client.post(url, {"action": "deactivate", "reason": ""})
    assert response.status_code == 422 and "必填" in response.content.decode()
    assert client.post(url, {"action": "deactivate", "reason": "退休"}).status_code == 302
    response = client.post(url, {"action": "edit", "name": "", "region_code": "511902", "employer_name": "x"})
    assert response.status_code == 422
    a.refresh_from_db()
    assert not a.active and a.deactivation_reason == "退休" and a.certificates.count() == 2
    assert "退休" in client.get(url).content.decode()


def test_the_api_adds_and_deactivates_an_assessor(centre) -> None:
    client = login(centre)
    body = {"name": "王评", "id_number": make_id(603, birth="19850101"), "region_code": "511902",
            "employer_name": "巴中职业技术学院",
            "certificates": [{"scope_name": "竹编工艺", "number": "A1", "valid_until": "2030-01-01"}]}
    response = client.post("/api/v1/exams/assessors", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["id_number_masked"].endswith(body["id_number"][-4:])
    assert body["id_number"] not in response.content.decode()
    again = client.post("/api/v1/exams/assessors", json.dumps(body), content_type="application/json")
    assert again.status_code == 422 and again.json()["field"] == "id_number"
    out = client.post(f"/api/v1/exams/assessors/{made['id']}/deactivate", json.dumps({"reason": "调离"}),
                      content_type="application/json")
    assert out.status_code == 200 and out.json()["active"] is False


def test_a_missing_id_number_is_entered_once_and_never_changed(centre) -> None:
    """Records entered before the pool pages may lack the number: it is entered once, then fixed."""
    legacy = Assessor.objects.create(name="老考评员", region_code="511902", employer_name="协会")
    svc.assessor_update(actor=centre, assessor=legacy, name="老考评员", region_code="511902", employer_name="协会",
                        id_number=make_id(700, birth="19700101"), at=NOW)
    with pytest.raises(InvalidInput, match="不能修改"):
        svc.assessor_update(actor=centre, assessor=legacy, name="老考评员", region_code="511902",
                            employer_name="协会", id_number=make_id(701, birth="19700101"), at=NOW)
    legacy.refresh_from_db()
    assert legacy.id_number == make_id(700, birth="19700101")


def test_someone_outside_the_pool_learns_nothing_from_adding_an_assessor(inst_user) -> None:
    """The role is refused before the username or credit code in the body is looked up."""
    body = {"name": "张三", "id_number": "511902199001011234", "region_code": "511902", "employer_name": "",
            "employer_credit_code": "", "certificates": []}
    answers = {login(inst_user).post("/api/v1/exams/assessors", {**body, "username": name},
                                     content_type="application/json").status_code
               for name in ("no-such-user", inst_user.username)}
    assert answers == {403}
