"""Journey 4: an institution plans an exam, imports a candidate roster (.xlsx) with errors, fixes
it; after the exam its certificates are issued and the public verifies one.

Pages: planning, publishing, the roster template download, both imports, issuing, verifying.
Services: the filed body, its venue and the assessors (set up by officials elsewhere), and the
exam itself between import and issue (materials, roster review, exam application, dispatch,
scores, results approval), which other journeys' pages cover.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from openpyxl import load_workbook
from stdnum.cn import ric

from e2e.conftest import Web, login, messages_text, submit_button
from skillreg.accounts.models import Authority, Role, User
from skillreg.certificates.models import Certificate
from skillreg.conftest import make_user
from skillreg.core import clock
from skillreg.exams.models import Assessor, AssessorCertificate, ExamPlan, Registration, RosterImport
from skillreg.exams.services import dispatch, registrations, scoring
from skillreg.exams.services import plans as plan_svc
from skillreg.files.services import file_store
from skillreg.files.tests import samples
from skillreg.registry.factories import InstitutionFactory, make_credit_code
from skillreg.registry.models import Institution, InstitutionScope

pytestmark = pytest.mark.django_db(transaction=True)

ORG = "巴中市面点职业技能评价中心"
PROJECT = "中式面点制作"
TITLE = "2026年第4批中式面点制作专项职业能力考核"
EXAM_DAY = dt.date(2026, 12, 4)


def _id(serial: int, birth: str = "19900101") -> str:
    body = f"511902{birth}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


CANDIDATES = [("李春梅", _id(11), "高中"), ("王海燕", _id(12), "中专"), ("赵德明", _id(13), "初中")]


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=clock.LOCAL_TZ)


def _filed_body(bazhong: Authority, official: User) -> User:
    org = InstitutionFactory(name=ORG, authority=bazhong, region_code="511902", pack_id="bz-2023-special",
                             credit_code=make_credit_code("511902", 31), status=Institution.Status.FILED,
                             code="ZX51190220260001", valid_until=dt.date(2029, 11, 19))
    InstitutionScope.objects.create(institution=org, name=PROJECT)
    plan_svc.venue_record_filed(actor=official, institution=org, name="本部考点", address="巴中市巴州区江北大道1号",
                                region_code="511902", rooms=2, capacity=60, at=clock.now())
    for n in range(1, 3):
        user = make_user(Role.ASSESSOR, bazhong, username=f"assessor-{n}")
        assessor = Assessor.objects.create(user=user, name=f"考评员{n}", region_code="511900")
        AssessorCertificate.objects.create(assessor=assessor, scope_name=PROJECT, number=f"KP{n:04d}",
                                           valid_until=dt.date(2030, 1, 1))
    return make_user(Role.INSTITUTION_USER, None, username="miandian", institution=org)


def _roster(template: Path, rows: list[tuple[str, str, str]], out: Path) -> Path:
    """Fill the page's own template from its second row, as a person would in Excel."""
    book = load_workbook(template)
    sheet = book["考生名册"]
    for index, values in enumerate(rows, start=2):
        for column, value in enumerate([*values, "巴中市某餐饮公司", "", "13900000000"], start=1):
            sheet.cell(row=index, column=column, value=value)
    book.save(out)
    return out


def _hold_the_exam(plan: ExamPlan, user: User, centre: User) -> None:
    """Materials, roster review, exam application, dispatch, scores and the results' approval."""
    regs = list(Registration.objects.filter(plan=plan))
    for reg in regs:
        for key in registrations.material_items(plan):
            registrations.registration_attach_material(actor=user, registration=reg, key=key, at=clock.now(),
                                                       upload=SimpleUploadedFile(f"{key}.pdf", samples.pdf()))
    with transaction.atomic():
        letter = file_store(actor=user, upload=SimpleUploadedFile("责任书.pdf", samples.pdf()), at=clock.now())
    review = registrations.roster_submit(actor=user, plan=plan, quality_letter=letter, at=clock.now())
    registrations.roster_decide(actor=centre, review=review, approve=True, at=clock.now())
    day = _at(plan.registration_closes + dt.timedelta(days=1))
    with transaction.atomic():
        emergency = file_store(actor=user, upload=SimpleUploadedFile("应急预案.pdf", samples.pdf()), at=day)
    plan_svc.exam_application_submit(actor=user, plan=plan, scheme="考核方案", emergency_plan=emergency,
                                     papers_requested=len(regs), at=day)
    plan_svc.exam_application_decide(actor=centre, plan=plan, approve=True, at=day)
    exam = _at(EXAM_DAY)
    assignments = dispatch.assessors_dispatch(actor=centre, plan=plan, count=2, at=exam)
    marks = {r.public_id: Decimal(v) for r, v in zip(regs, (88, 75, 52), strict=True)}
    for assignment in assignments:
        scoring.scores_enter(actor=assignment.assessor.user, plan=plan, scores=marks, at=exam)
        scoring.score_sheet_submit(actor=assignment.assessor.user, plan=plan,
                                   signature_name=assignment.assessor.name, at=exam)
    scoring.results_submit(actor=user, plan=plan, at=exam)
    scoring.results_decide(actor=centre, plan=plan, approve=True, at=exam)


def test_an_institution_plans_an_exam_fixes_its_roster_issues_certificates_and_the_public_verifies(
        web: Web, bazhong: Authority, bz_official: User, tmp_path: Path) -> None:
    user = _filed_body(bazhong, bz_official)
    centre = make_user(Role.CENTRE_STAFF, bazhong, username="bz-centre")

    # --- plan and publish -----------------------------------------------------------------
    inst = login(web, user, who="机构")
    inst.get_by_role("link", name="考务").click()
    inst.wait_for_url("**/exams/")
    inst.get_by_role("link", name="拟定考核计划").click()
    inst.wait_for_url("**/exams/plans/new/")
    inst.get_by_label("计划名称").fill(TITLE)
    inst.get_by_label("职业（工种）或项目").select_option(label=PROJECT)
    inst.get_by_label("报名开始").fill("2026-11-01")
    inst.get_by_label("报名截止").fill("2026-11-24")
    inst.get_by_label("考核开始").fill(EXAM_DAY.isoformat())
    inst.get_by_label("考核结束").fill(EXAM_DAY.isoformat())
    inst.get_by_label("收费标准（元/人）").fill("120")
    inst.get_by_label("收费依据").fill("川发改价格〔2020〕号")
    web.shot(inst, "plan-new")
    submit_button(inst, "保存草稿").click()
    inst.wait_for_url("**/exams/plans/*/")
    plan = ExamPlan.objects.get(title=TITLE)
    submit_button(inst, "发布考核计划").click()
    inst.wait_for_load_state()
    assert "考核计划已发布" in messages_text(inst), messages_text(inst)
    plan.refresh_from_db()
    assert plan.status == ExamPlan.Status.PUBLISHED
    web.shot(inst, "plan-published")

    # --- the roster template, a roster with errors, then the fixed one ---------------------
    inst.goto("/exams/")
    with inst.expect_download() as template_info:
        inst.get_by_role("link", name="下载考生名册模板（.xlsx）").click()
    template = tmp_path / "template.xlsx"
    template_info.value.save_as(template)
    bad_id = CANDIDATES[1][1][:17] + ("0" if CANDIDATES[1][1][17] != "0" else "1")
    wrong = _roster(template, [CANDIDATES[0], (CANDIDATES[1][0], bad_id, "中专"), (CANDIDATES[2][0],
                                                                                   CANDIDATES[2][1], "")],
                    tmp_path / "名册（有误）.xlsx")
    inst.goto(f"/exams/plans/{plan.public_id}/")
    upload = inst.locator('form[action$="/import/"]')
    upload.locator('input[type="file"]').set_input_files(str(wrong))
    upload.get_by_role("button", name="上传并校验").click()
    inst.wait_for_url("**/exams/imports/*/")
    problems = inst.locator("table").inner_text()
    # Rows as Excel numbers them: the header is row 1.
    assert "3\t身份证号码\t身份证号码校验位错误" in problems and "4\t文化程度\t文化程度不能为空" in problems, problems
    assert "数据行 3，合格 1，问题 2" in inst.locator("#import-progress").inner_text()
    web.shot(inst, "roster-import-with-errors")
    submit_button(inst, "放弃").click()
    inst.wait_for_load_state()
    assert RosterImport.objects.get(plan=plan).status == "discarded"
    assert not Registration.objects.filter(plan=plan).exists()

    fixed = _roster(template, CANDIDATES, tmp_path / "名册（已改正）.xlsx")
    inst.goto(f"/exams/plans/{plan.public_id}/")
    upload.locator('input[type="file"]').set_input_files(str(fixed))
    upload.get_by_role("button", name="上传并校验").click()
    inst.wait_for_url("**/exams/imports/*/")
    assert "数据行 3，合格 3，问题 0" in inst.locator("#import-progress").inner_text()
    submit_button(inst, "确认导入合格行").click()
    inst.wait_for_load_state()
    assert "已导入 3 人" in inst.locator("#import-progress").inner_text()
    web.shot(inst, "roster-imported")
    inst.get_by_role("link", name=f"返回考核计划：{TITLE}").click()
    candidates = inst.locator("section", has_text="考生（3 人）").inner_text()
    assert CANDIDATES[0][0] in candidates
    assert CANDIDATES[0][1] not in candidates and CANDIDATES[0][1][:6] in candidates  # masked: 6 + 4
    web.shot(inst, "plan-with-candidates")

    # --- the exam (services), then issuing through the page -------------------------------
    _hold_the_exam(plan, user, centre)
    clock.set_now(_at(EXAM_DAY + dt.timedelta(days=3)))  # frozen_clock restores NOW afterwards
    inst.goto("/certificates/")
    inst.get_by_role("link", name="发放证书").click()
    inst.wait_for_url("**/certificates/issue/")
    inst.get_by_label("考核批次").fill(str(plan.public_id))
    inst.get_by_label("职业（工种）/项目").select_option(PROJECT)
    passed = "\n".join(f"{name} {id_number}" for name, id_number, _ in CANDIDATES[:2])
    inst.get_by_label("考核合格人员", exact=False).fill(passed)
    web.shot(inst, "certificates-issue-form")
    submit_button(inst, "发放").click()
    inst.wait_for_url("**/certificates/")
    assert "已发放 2 本证书" in messages_text(inst), messages_text(inst)
    issued = list(Certificate.objects.filter(holder_name__in=[c[0] for c in CANDIDATES]).order_by("number"))
    assert len(issued) == 2
    web.shot(inst, "certificates-issued")

    # --- the public verifies ---------------------------------------------------------------
    public = web.new_page("公众")
    public.goto("/certificates/verify/")
    public.get_by_label("证书编号").fill(issued[0].number)
    submit_button(public, "查验").click()
    public.wait_for_load_state()
    result = public.locator("main").inner_text()
    assert "证书有效" in result and issued[0].holder_name in result and PROJECT in result
    web.shot(public, "certificate-verified-by-number")
    public.goto("/certificates/verify/")
    public.get_by_label("身份证号码").fill(CANDIDATES[1][1])
    public.get_by_label("姓名").fill(CANDIDATES[1][0])
    submit_button(public, "查验").click()
    public.wait_for_load_state()
    result = public.locator("main").inner_text()
    assert "证书有效" in result and CANDIDATES[1][1] not in result  # the ID number is masked
    web.shot(public, "certificate-verified-by-id")
