import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from skillreg.accounts.models import Role
from skillreg.conftest import NOW, login, make_user
from skillreg.exams.models import Registration, RosterImport
from skillreg.exams.services import registrations as reg_svc
from skillreg.exams.tests.conftest import filed_institution, make_id


def test_anonymous_is_sent_to_login(plan, client) -> None:
    for url in (reverse("exams:index"), reverse("exams:plan", args=[plan.public_id])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_the_api_needs_authentication(plan, client) -> None:
    assert client.get(f"/api/v1/exams/plans/{plan.public_id}").status_code == 401


def test_another_citys_official_gets_404(plan, chengdu) -> None:
    outsider = login(make_user(Role.CENTRE_STAFF, chengdu))
    assert outsider.get(reverse("exams:plan", args=[plan.public_id])).status_code == 404
    assert outsider.get(f"/api/v1/exams/plans/{plan.public_id}").status_code == 404
    response = outsider.post(f"/api/v1/exams/plans/{plan.public_id}/assessors", json.dumps({"count": 1}),
                             content_type="application/json")
    assert response.status_code == 404


def test_another_institution_gets_404(plan, bazhong) -> None:
    other = login(make_user(Role.INSTITUTION_USER, None, institution=filed_institution(bazhong)))
    assert other.get(reverse("exams:plan", args=[plan.public_id])).status_code == 404
    assert other.get(f"/api/v1/exams/plans/{plan.public_id}/registrations").status_code == 404


def test_the_index_lists_the_users_plans(plan, inst_user, centre) -> None:
    assert plan.title in login(inst_user).get(reverse("exams:index")).content.decode()
    page = login(centre).get(reverse("exams:index")).content.decode()
    assert plan.title in page and "待鉴定中心办理" in page


def test_lists_show_the_id_masked(plan, inst_user, centre) -> None:
    reg_svc.registration_create(actor=inst_user, plan=plan, at=NOW, row=reg_svc.CandidateRow(
        name="张三", id_number=make_id(21), education="高中"))
    number = make_id(21)
    page = login(centre).get(reverse("exams:plan", args=[plan.public_id])).content.decode()
    assert number not in page and number[:6] + "********" + number[-4:] in page
    body = login(inst_user).get(f"/api/v1/exams/plans/{plan.public_id}/registrations").content.decode()
    assert number not in body and number[-4:] in body


def test_a_refusal_on_the_page_keeps_what_was_typed(plan, inst_user) -> None:
    good = make_id(22)
    typed = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = login(inst_user).post(reverse("exams:plan_action", args=[plan.public_id, "register"]),
                                     {"name": "李四", "id_number": typed, "education": "高中"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "校验位" in page and 'value="李四"' in page


def test_the_api_refusal_carries_the_clause(plan, inst_user) -> None:
    response = login(inst_user).post(f"/api/v1/exams/plans/{plan.public_id}/registrations", json.dumps(
        {"name": "张三", "id_number": make_id(23), "education": "高中"}), content_type="application/json")
    assert response.status_code == 201
    again = login(inst_user).post(f"/api/v1/exams/plans/{plan.public_id}/registrations", json.dumps(
        {"name": "张三", "id_number": make_id(23), "education": "高中"}), content_type="application/json")
    assert again.status_code == 422 and "重复报名" in again.json()["message"]


def test_import_pages_upload_check_and_accept(plan, inst_user) -> None:
    wb = Workbook()
    wb.active.append(["姓名", "身份证号码", "文化程度"])
    wb.active.append(["张三", make_id(31), "高中"])
    wb.active.append(["李四", "123", "高中"])
    out = io.BytesIO()
    wb.save(out)
    client = login(inst_user)
    response = client.post(reverse("exams:import_start", args=[plan.public_id]),
                           {"file": SimpleUploadedFile("名册.xlsx", out.getvalue())})
    imp = RosterImport.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("exams:import", args=[imp.public_id])).content.decode()
    assert "18 位" in page and Registration.objects.count() == 0
    assert client.get(reverse("exams:import", args=[imp.public_id]) + "?format=json").json()["percent"] == 100
    client.post(reverse("exams:import_decide", args=[imp.public_id]), {"accept": "1"})
    assert Registration.objects.count() == 1


def test_the_template_and_exports_download(plan, inst_user) -> None:
    client = login(inst_user)
    assert client.get(reverse("exams:roster_template")).status_code == 200
    assert client.get(reverse("exams:roster_export", args=[plan.public_id]))["Content-Type"].endswith("sheet")
    assert client.get(f"/api/v1/exams/plans/{plan.public_id}/results.xlsx").status_code == 200


def test_an_assessor_sees_only_plans_they_are_dispatched_to(plan, bazhong) -> None:
    assessor = login(make_user(Role.ASSESSOR, bazhong))
    assert assessor.get(reverse("exams:plan", args=[plan.public_id])).status_code == 404
