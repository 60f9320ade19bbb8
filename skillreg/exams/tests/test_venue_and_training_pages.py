"""Off-site venues (002 第十三条) and training rosters (002 第五条(四) 考培分离) through the pages."""

import datetime as dt
import io
import json
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from skillreg.accounts.models import Role
from skillreg.conftest import NOW, login, make_user
from skillreg.core.errors import DomainError
from skillreg.exams.models import TrainingRoster, TrainingRosterEntry, Venue
from skillreg.exams.services import registrations as reg_svc
from skillreg.exams.tests.conftest import make_id, make_plan

OFF_SITE = {"name": "恩阳区临时考点", "address": "巴中市恩阳区柳林镇", "region_code": "511903", "rooms": "1",
            "capacity": "30", "reason": "就近组织考核"}


def test_an_institution_requests_an_off_site_venue_on_the_page(inst_user, centre) -> None:
    """002 第十三条: the request goes to the centre; until checked the venue is not usable."""
    client = login(inst_user)
    response = client.post(reverse("exams:venues"), OFF_SITE)
    venue = Venue.objects.get(kind=Venue.Kind.OFF_SITE)
    assert response.status_code == 302 and venue.status == Venue.Status.PENDING
    page = login(centre).get(reverse("exams:index")).content.decode()
    assert reverse("exams:venue", args=[venue.public_id]) in page
    # Not offered for a plan before the check.
    assert f'value="{venue.public_id}"' not in client.get(reverse("exams:plan_new")).content.decode()


def test_an_off_site_request_refused_keeps_the_input_and_marks_the_field(inst_user) -> None:
    response = login(inst_user).post(reverse("exams:venues"), OFF_SITE | {"region_code": "440301"})
    page = response.content.decode()
    assert response.status_code == 422 and 'value="恩阳区临时考点"' in page
    block = page[page.index('for="id_region_code"'):page.index('for="id_rooms"')]
    assert "不在本机构所在省" in block
    response = login(inst_user).post(reverse("exams:venues"), OFF_SITE | {"reason": ""})
    assert response.status_code == 422 and "必填" in response.content.decode()
    assert not Venue.objects.filter(kind=Venue.Kind.OFF_SITE).exists()


def test_the_centre_approves_or_refuses_with_a_reason(inst_user, centre, inst, scope) -> None:
    """002 第十三条: a returned venue cannot carry a plan; an approved one can."""
    login(inst_user).post(reverse("exams:venues"), OFF_SITE)
    venue = Venue.objects.get(kind=Venue.Kind.OFF_SITE)
    client = login(centre)
    url = reverse("exams:venue", args=[venue.public_id])
    response = client.post(url, {"approve": "0", "reason": ""})
    assert response.status_code == 422 and "退回须写明理由" in response.content.decode()
    assert client.post(url, {"approve": "0", "reason": "消防通道不达标"}).status_code == 302
    venue.refresh_from_db()
    assert venue.status == Venue.Status.RETURNED and venue.decision_reason == "消防通道不达标"
    with pytest.raises(DomainError, match="场外考点") as exc:
        make_plan(inst_user, inst, venue, scope, publish=False)
    assert exc.value.source == "002 第十三条"
    login(inst_user).post(reverse("exams:venues"), OFF_SITE | {"name": "整改后考点"})
    second = Venue.objects.get(name="整改后考点")
    assert client.post(reverse("exams:venue", args=[second.public_id]), {"approve": "1"}).status_code == 302
    assert make_plan(inst_user, inst, Venue.objects.get(pk=second.pk), scope, publish=False).venue == second


def test_venues_of_another_city_are_404(inst_user, chengdu, centre) -> None:
    login(inst_user).post(reverse("exams:venues"), OFF_SITE)
    venue = Venue.objects.get(kind=Venue.Kind.OFF_SITE)
    outsider = login(make_user(Role.CENTRE_STAFF, chengdu))
    assert outsider.get(reverse("exams:venue", args=[venue.public_id])).status_code == 404
    assert outsider.post(reverse("exams:venue", args=[venue.public_id]), {"approve": "1"}).status_code == 404
    assert venue.name not in outsider.get(reverse("exams:venues")).content.decode()
    # An institution user cannot decide its own request either.
    assert login(inst_user).post(reverse("exams:venue", args=[venue.public_id]),
                                 {"approve": "1"}).status_code == 404


# --- training rosters -------------------------------------------------------------------------


def _declare(client, trainees: str, **kw):
    return client.post(reverse("exams:training"), {"title": "2026年竹编培训班", "trainees": trainees} | kw)


def test_a_declared_trainee_is_refused_and_a_withdrawn_roster_no_longer_blocks(plan, inst_user) -> None:
    """002 第五条(四) 考培分离: a trainee on the institution's own roster may not sit its exam."""
    client = login(inst_user)
    assert _declare(client, f"张三 {make_id(41)}\n李四，{make_id(42)}").status_code == 302
    roster = TrainingRoster.objects.get()
    assert roster.entries.count() == 2
    with pytest.raises(DomainError, match="考培分离") as exc:
        reg_svc.registration_create(actor=inst_user, plan=plan, at=NOW, row=reg_svc.CandidateRow(
            name="张三", id_number=make_id(41), education="高中"))
    assert exc.value.source == "002 第五条(四)"
    url = reverse("exams:training_roster", args=[roster.pk])
    assert client.post(url, {"action": "withdraw", "reason": ""}).status_code == 422
    assert client.post(url, {"action": "withdraw", "reason": "误将旁听人员列入"}).status_code == 302
    reg = reg_svc.registration_create(actor=inst_user, plan=plan, at=NOW, row=reg_svc.CandidateRow(
        name="张三", id_number=make_id(41), education="高中"))
    assert reg.pk and "已撤回" in client.get(reverse("exams:training")).content.decode()


def test_a_bad_trainee_line_is_refused_and_the_text_kept(inst_user) -> None:
    bad = make_id(43)[:-1] + ("0" if make_id(43)[-1] != "0" else "1")
    response = _declare(login(inst_user), f"王五 {bad}")
    page = response.content.decode()
    assert response.status_code == 422 and "校验位" in page and "王五" in page and 'value="2026年竹编培训班"' in page
    block = page[page.index('for="id_trainees"'):]
    assert "第 1 名学员" in block
    assert not TrainingRoster.objects.exists()


def test_removing_one_trainee_is_audited_with_a_reason(inst_user) -> None:
    client = login(inst_user)
    _declare(client, f"张三 {make_id(44)}\n李四 {make_id(45)}")
    roster = TrainingRoster.objects.get()
    entry = roster.entries.get(name="李四")
    url = reverse("exams:training_roster", args=[roster.pk])
    response = client.post(url, {"action": "remove", "entry": entry.pk, "reason": ""})
    assert response.status_code == 422 and "必填" in response.content.decode()
    assert client.post(url, {"action": "remove", "entry": entry.pk, "reason": "录入错误"}).status_code == 302
    assert list(roster.entries.values_list("name", flat=True)) == ["张三"]
    page = client.get(url).content.decode()
    assert make_id(44) not in page and make_id(44)[-4:] in page


def _xlsx(rows) -> bytes:
    wb = Workbook()
    wb.active.append(["姓名", "身份证号码"])
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_trainee_import_lists_every_bad_row_and_saves_nothing_until_accepted(inst_user) -> None:
    client = login(inst_user)
    content = _xlsx([["张三", make_id(46)], ["", make_id(47)], ["李四", "123"], ["王五", make_id(46)],
                     ["赵六", make_id(48)]])
    response = client.post(reverse("exams:training_import"), {
        "title": "导入的培训班", "file": SimpleUploadedFile("学员.xlsx", content)})
    page = response.content.decode()
    assert response.status_code == 200 and "合格 2 行，问题 3 行" in page
    assert "姓名不能为空" in page and "18 位" in page and "与第 2 行为同一学员" in page
    assert not TrainingRosterEntry.objects.exists()
    stored = page.split('name="file" value="')[1].split('"')[0]
    response = client.post(reverse("exams:training_import"), {"accept": "1", "file": stored, "title": "导入的培训班",
                                                              "trained_from": "", "trained_until": ""})
    assert response.status_code == 302
    assert sorted(TrainingRosterEntry.objects.values_list("name", flat=True)) == ["张三", "赵六"]


def test_a_file_that_is_not_a_roster_is_refused_at_its_field(inst_user) -> None:
    response = login(inst_user).post(reverse("exams:training_import"), {
        "title": "x", "file": SimpleUploadedFile("学员.xlsx", b"not a zip")})
    assert response.status_code == 422 and not TrainingRoster.objects.exists()


def test_training_rosters_are_scoped(inst_user, inst, bazhong, chengdu, centre) -> None:
    _declare(login(inst_user), f"张三 {make_id(49)}")
    roster = TrainingRoster.objects.get()
    url = reverse("exams:training_roster", args=[roster.pk])
    assert login(centre).get(url).status_code == 200  # the centre reads its area's rosters
    assert login(centre).post(url, {"action": "withdraw", "reason": "x"}).status_code == 404
    assert login(make_user(Role.CENTRE_STAFF, chengdu)).get(url).status_code == 404
    from skillreg.exams.tests.conftest import filed_institution

    other = login(make_user(Role.INSTITUTION_USER, None, institution=filed_institution(bazhong)))
    assert other.get(url).status_code == 404
    assert other.get("/api/v1/exams/training-rosters").json() == []


def test_the_training_api_declares_and_withdraws(inst_user) -> None:
    client = login(inst_user)
    response = client.post("/api/v1/exams/training-rosters", json.dumps({
        "title": "API 培训班", "trainees": [{"name": "张三", "id_number": make_id(50)}]}),
        content_type="application/json")
    assert response.status_code == 201 and response.json()["trainees"] == 1
    pk = response.json()["id"]
    bad = client.post("/api/v1/exams/training-rosters", json.dumps({
        "title": "x", "trainees": [{"name": "李四", "id_number": "1"}]}), content_type="application/json")
    assert bad.status_code == 422 and bad.json()["field"] == "trainees"
    out = client.post(f"/api/v1/exams/training-rosters/{pk}/withdraw", json.dumps({"reason": "重复申报"}),
                      content_type="application/json")
    assert out.status_code == 200 and out.json()["withdrawn"] is True


def test_the_exams_pages_link_to_the_registers(inst_user, centre, plan) -> None:
    inst_page = login(inst_user).get(reverse("exams:index")).content.decode()
    assert reverse("exams:venues") in inst_page and reverse("exams:training") in inst_page
    assert reverse("exams:assessors") not in inst_page
    centre_page = login(centre).get(reverse("exams:plan", args=[plan.public_id])).content.decode()
    for name in ("exams:venues", "exams:training", "exams:assessors"):
        assert reverse(name) in centre_page


class _Fields(HTMLParser):
    """Collects the form fields a person fills in and the labels that name them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []  # (id, name)
        self.labelled: set[str] = set()
        self.depth = 0

    def handle_starttag(self, tag, attrs) -> None:  # type: ignore[no-untyped-def]
        a = dict(attrs)
        if tag == "label":
            self.depth += 1
            if a.get("for"):
                self.labelled.add(a["for"])
        elif tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.fields.append((a.get("id") or ("<inside label>" if self.depth else ""), a.get("name") or ""))

    def handle_endtag(self, tag) -> None:  # type: ignore[no-untyped-def]
        if tag == "label":
            self.depth -= 1


def test_every_field_on_the_register_and_plan_pages_has_a_label(plan, inst_user, centre) -> None:
    from skillreg.exams.services import assessors
    from skillreg.exams.tests.helpers import register

    reg = register(plan, inst_user, range(1, 2))[0]
    inst = login(inst_user)
    _declare(inst, f"张三 {make_id(51)}")
    inst.post(reverse("exams:venues"), OFF_SITE)
    venue = Venue.objects.get(kind=Venue.Kind.OFF_SITE)
    a = assessors.assessor_add(actor=centre, name="甲", id_number=make_id(52, birth="19800101"),
                               region_code="511902", employer_name="协会", at=NOW, certificates=[
                                   assessors.CertificateIn("竹编工艺", "N1", dt.date(2030, 1, 1))])
    pages = [(inst, reverse("exams:venues")), (inst, reverse("exams:training")),
             (inst, reverse("exams:training_roster", args=[TrainingRoster.objects.get().pk])),
             (inst, reverse("exams:registration", args=[reg.public_id])),
             (inst, reverse("exams:plan", args=[plan.public_id])), (inst, reverse("exams:plan_new")),
             (login(centre), reverse("exams:assessors")),
             (login(centre), reverse("exams:assessor", args=[a.public_id])),
             (login(centre), reverse("exams:venue", args=[venue.public_id]))]
    for client, url in pages:
        parser = _Fields()
        parser.feed(client.get(url).content.decode())
        assert parser.fields, url  # each of these pages has a form to fill in
        unlabelled = [f for f in parser.fields if f[0] != "<inside label>" and f[0] not in parser.labelled]
        assert not unlabelled, (url, unlabelled)
