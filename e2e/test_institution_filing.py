"""Journey 1: an institution registers, fills in the 备案表, uploads, submits; the filing official
sees it with its clock and sends the one-time supplement notice; the institution supplements.

Everything the institution and the official do goes through the pages. The other office's
overdue application in the worklist is built through the services (its dates are the point).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from e2e.conftest import NOW, Web, login, messages_text, submit_button
from skillreg.accounts.models import Authority, Role, User
from skillreg.conftest import make_user
from skillreg.core import clock
from skillreg.files.tests import samples
from skillreg.registry.factories import InstitutionFactory, make_credit_code
from skillreg.registry.models import Application, Institution
from skillreg.registry.services import applications as svc
from skillreg.registry.tests.builders import sc_form

pytestmark = pytest.mark.django_db(transaction=True)

ORG = "巴中市恒达职业技能培训学校"
STATION = ORG + "职业技能考核鉴定所"
USERNAME = "hengda-e2e"
PASSWORD = "Hengda-Kaoping-2026"


def _add_row(page: Any, prefix: str) -> int:
    """Click the list's “添加…” button (apply.js adds a blank row); returns the new row's index."""
    index = int(page.locator(f"#id_{prefix}-TOTAL_FORMS").input_value())
    button = page.locator(f'button.add-row[data-formset="{prefix}"]')
    assert button.is_visible(), f"{prefix} 表没有可见的“添加”按钮"
    button.click()
    assert page.locator(f"#id_{prefix}-TOTAL_FORMS").input_value() == str(index + 1)
    assert page.locator(f"#{prefix}-row-{index}").is_visible()
    return index


def _overdue_application(bazhong: Authority) -> Application:
    """Another body's application, submitted 8 working days ago and never checked: overdue."""
    org = InstitutionFactory(name="巴中市宏图职业技能鉴定中心", authority=bazhong, region_code="511902",
                             credit_code=make_credit_code("511902", 55), body_kind="technical_school",
                             pack_id="sc-2021-appraisal")
    user = make_user(Role.INSTITUTION_USER, None, username="hongtu", institution=org)
    with clock.frozen(NOW - dt.timedelta(days=12)):
        app = svc.application_create(actor=user, institution=org, form=sc_form(org), at=clock.now())
        svc.application_attach_material(actor=user, application=app, key="filing-form",
                                        upload=SimpleUploadedFile("备案表.pdf", samples.pdf()), at=clock.now())
        return svc.application_submit(actor=user, application=app, at=clock.now())


def test_an_institution_registers_files_and_answers_the_one_time_supplement_notice(
        web: Web, bazhong: Authority, bz_official: User, tmp_path: Path) -> None:
    overdue = _overdue_application(bazhong)
    form_pdf = tmp_path / "备案表（盖章）.pdf"
    form_pdf.write_bytes(samples.pdf())
    letter_pdf = tmp_path / "补正说明.pdf"
    letter_pdf.write_bytes(samples.pdf())

    # --- the institution registers its organisation --------------------------------------
    inst = web.new_page("机构")
    inst.goto("/")
    inst.get_by_role("link", name="单位注册").click()
    assert inst.url.endswith("/register/")
    inst.get_by_label("单位名称（全称）").fill(ORG)
    inst.get_by_label("统一社会信用代码").fill(make_credit_code("511902", 77))
    inst.get_by_label("法定代表人").fill("李卫东")
    inst.get_by_label("营业执照/登记证书号码").fill("川巴民证字第0077号")
    inst.get_by_label("发证机关").fill("巴中市民政局")
    inst.get_by_label("单位类别").select_option("technical_school")
    inst.get_by_label("地址", exact=False).first.fill("四川省巴中市巴州区回风大道18号")
    inst.get_by_label("所在地").select_option("511900")
    inst.get_by_label("适用政策（备案制度）").select_option("sc-2021-appraisal")
    inst.get_by_label("联系人").fill("赵晓雨")
    inst.get_by_label("联系电话").fill("0827-5261234")
    inst.get_by_label("电子邮箱").fill("hengda@example.cn")
    inst.get_by_label("登录用户名").fill(USERNAME)
    inst.locator("#id_password1").fill(PASSWORD)
    inst.locator("#id_password2").fill(PASSWORD)
    web.shot(inst, "registration-filled")
    submit_button(inst, "注册").click()
    inst.wait_for_url("**/applications/")
    assert "已注册" in messages_text(inst)
    org = Institution.objects.get(name=ORG)
    assert org.authority == bazhong and org.pack_id == "sc-2021-appraisal"

    # --- a new application, and the 备案表 ---------------------------------------------------
    submit_button(inst, "新建备案申请").click()
    inst.wait_for_url("**/edit/")
    app = Application.objects.get(institution=org)
    assert inst.locator("h1").inner_text().startswith("《四川省职业技能考核鉴定机构备案表》")
    inst.get_by_label("职业技能考核鉴定所（站）名称", exact=False).fill(STATION)

    # Scope: the first spare row, then one added with the button.
    inst.locator('[name="scope-0-name"]').fill("电工")
    inst.locator('[name="scope-0-occupation_code"]').fill("6-31-01-03")
    for level in ("5", "4", "3"):
        inst.locator(f'input[name="scope-0-levels"][value="{level}"]').check()
    inst.locator('[name="scope-0-assessors"]').fill("4")
    row = _add_row(inst, "scope")
    inst.locator(f'[name="scope-{row}-name"]').fill("焊工")
    inst.locator(f'[name="scope-{row}-occupation_code"]').fill("6-18-02-04")
    for level in ("5", "4"):
        inst.locator(f'input[name="scope-{row}-levels"][value="{level}"]').check()
    inst.locator(f'[name="scope-{row}-assessors"]').fill("3")

    # Sites and their equipment (one row typed, one added).
    inst.locator('[name="theory_rooms-count"]').fill("2")
    inst.locator('[name="theory_rooms-area"]').fill("120")
    inst.locator('[name="practical_sites-count"]').fill("1")
    inst.locator('[name="practical_sites-area"]').fill("300")
    for index, (name, model, unit, quantity) in enumerate([("低压配电实训台", "DL-380", "台", "10")]):
        inst.locator(f'[name="practical_sites-equipment-{index}-name"]').fill(name)
        inst.locator(f'[name="practical_sites-equipment-{index}-model"]').fill(model)
        inst.locator(f'[name="practical_sites-equipment-{index}-unit"]').fill(unit)
        inst.locator(f'[name="practical_sites-equipment-{index}-quantity"]').fill(quantity)
    row = _add_row(inst, "practical_sites-equipment")
    inst.locator(f'[name="practical_sites-equipment-{row}-name"]').fill("电焊机")
    inst.locator(f'[name="practical_sites-equipment-{row}-model"]').fill("ZX7-400")
    inst.locator(f'[name="practical_sites-equipment-{row}-quantity"]').fill("6")

    # 附件2: the roles are printed in order; names typed into them, one more person added.
    for index, name in enumerate(["周建华", "吴敏", "郑丽", "孙强", "钱伟", "冯静"]):
        inst.locator(f'[name="staff-{index}-name"]').fill(name)
    inst.locator('[name="staff-0-title"]').select_option("中级")
    row = _add_row(inst, "staff")
    inst.locator(f'[name="staff-{row}-role"]').select_option("finance")
    inst.locator(f'[name="staff-{row}-name"]').fill("陈芳")

    # 附件3: assessors in the spare rows, a quality supervisor added.
    for index in range(3):
        inst.locator(f'[name="assessors-{index}-name"]').fill(f"考评员{index + 1}")
        inst.locator(f'[name="assessors-{index}-certificate_no"]').fill(f"KP2024{index:04d}")
        inst.locator(f'[name="assessors-{index}-scope"]').fill("电工、焊工")
    row = _add_row(inst, "assessors")
    inst.locator(f'[name="assessors-{row}-kind"]').select_option("supervisor")
    inst.locator(f'[name="assessors-{row}-name"]').fill("督导员甲")
    inst.locator(f'[name="assessors-{row}-certificate_no"]').fill("DD20240001")

    inst.get_by_label("备案材料填写内容真实性承诺").check()
    inst.get_by_label("规范运行承诺（诚信承诺）").check()
    inst.get_by_label("规章制度").fill("财务管理制度\n档案管理制度\n考务管理制度\n安全、消防应急预案")
    web.shot(inst, "filing-form-filled")
    submit_button(inst, "保存草稿").click()
    inst.wait_for_load_state()
    assert "申请表已保存" in messages_text(inst), messages_text(inst)
    app.refresh_from_db()
    assert [s["name"] for s in app.form["scope"]] == ["电工", "焊工"]
    assert [e["name"] for e in app.form["practical_sites"]["equipment"]] == ["低压配电实训台", "电焊机"]
    assert "陈芳" in [m["name"] for m in app.form["staff"]]
    assert [a["kind"] for a in app.form["assessors"]].count("supervisor") == 1
    web.shot(inst, "filing-form-saved")

    # --- materials and submission on the application page --------------------------------
    inst.get_by_role("link", name="返回申请详情").first.click()
    inst.wait_for_url(f"**/applications/{app.public_id}/")
    inst.locator('select[name="key"]').select_option("filing-form")
    inst.locator('input[type="file"][name="file"]').set_input_files(str(form_pdf))
    submit_button(inst, "上传").click()
    inst.wait_for_load_state()
    assert "材料已上传" in messages_text(inst), messages_text(inst)
    assert "备案表（盖章）.pdf" in inst.locator("body").inner_text()
    web.shot(inst, "application-with-material")
    submit_button(inst, "提交申请").click()
    inst.wait_for_load_state()
    assert "申请已提交" in messages_text(inst), messages_text(inst)
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED and app.authority == bazhong

    # --- the filing official: worklist with clocks, the one-time supplement notice -------
    official = login(web, bz_official, who="经办人员")
    official.get_by_role("link", name="备案申请").first.click()
    official.wait_for_url("**/applications/")
    ours = official.locator("tr", has=official.get_by_role("link", name=ORG))
    # 001 三(一)2(1): 5 working days to check the materials; submitted Friday 2026-11-20.
    assert "材料核查：剩余 5 个工作日" in ours.inner_text()
    late = official.locator("tr", has=official.get_by_role("link", name=overdue.institution.name))
    late_clock = late.locator("td div.overdue")
    assert "已逾期" in late_clock.inner_text()
    color = late_clock.evaluate("el => getComputedStyle(el).color")
    assert color == "rgb(180, 35, 24)", f"逾期时限应为红色，实际 {color}"
    web.shot(official, "official-worklist")
    official.get_by_label("状态").select_option("submitted")
    official.get_by_label("申请单位").fill("恒达")
    submit_button(official, "筛选").click()
    official.wait_for_load_state()
    assert official.get_by_role("link", name=ORG).count() == 1
    assert official.get_by_role("link", name=overdue.institution.name).count() == 0

    official.get_by_role("link", name=ORG).click()
    official.wait_for_url(f"**/applications/{app.public_id}/")
    assert "2026年11月27日" in official.locator("table", has_text="材料核查").inner_text()
    web.shot(official, "official-application-submitted")
    official.get_by_label("一次性告知需补正的全部事项", exact=False).fill(
        "备案表须经法人单位出具意见并加盖公章\n补充消防安全应急预案原件扫描件")
    submit_button(official, "发出一次性补正告知").click()
    official.wait_for_load_state()
    assert "已发出一次性补正告知" in messages_text(official), messages_text(official)
    # Once only: the form is gone; the notice and its 5-working-day deadline are shown.
    assert official.get_by_role("button", name="发出一次性补正告知").count() == 0
    assert "补正期限：2026年11月27日" in official.locator("body").inner_text()
    web.shot(official, "official-supplement-sent")

    # --- the institution sees the notice, supplements and resubmits ----------------------
    inst.goto("/notifications/")
    assert "一次性补正告知" in inst.locator("table.inbox").inner_text()
    web.shot(inst, "institution-inbox")
    inst.goto(f"/applications/{app.public_id}/")
    body = inst.locator("body").inner_text()
    assert "待补正材料" in body and "补充消防安全应急预案原件扫描件" in body
    web.shot(inst, "institution-sees-notice")
    inst.get_by_role("link", name="填写/修改申请表").click()
    inst.wait_for_url("**/edit/")
    rules = inst.get_by_label("规章制度")
    rules.fill(rules.input_value() + "\n消防安全应急预案（已补正）")
    submit_button(inst, "保存并查看备案条件").click()
    inst.wait_for_url(f"**/applications/{app.public_id}/")
    inst.locator('select[name="key"]').select_option("other")
    inst.locator('input[type="file"][name="file"]').set_input_files(str(letter_pdf))
    submit_button(inst, "上传").click()
    inst.wait_for_load_state()
    assert "材料已上传" in messages_text(inst)
    submit_button(inst, "补正完毕，提交").click()
    inst.wait_for_load_state()
    assert "补正材料已提交" in messages_text(inst), messages_text(inst)
    app.refresh_from_db()
    assert app.status == Application.Status.SUBMITTED
    assert app.supplement_notice.answered_at is not None
    assert "消防安全应急预案（已补正）" in app.form["rules"]
    assert "已于" in inst.locator("body").inner_text()
    web.shot(inst, "institution-supplemented")

    # The official's worklist shows it back in the queue.
    official.goto("/applications/?status=submitted")
    assert official.get_by_role("link", name=ORG).count() == 1
    web.shot(official, "official-worklist-after-supplement")
