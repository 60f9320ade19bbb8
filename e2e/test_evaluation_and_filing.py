"""Journey 2: the filing official accepts, draws the expert panel, each expert scores, the
official concludes; the approving official (another person) files and downloads 样式一.

The submitted application and the expert pool are built through the services; every step of
the officials and experts goes through the pages.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from e2e.conftest import Web, login, messages_text, submit_button
from skillreg.accounts.models import Authority, Role, User
from skillreg.conftest import make_user
from skillreg.core import clock
from skillreg.evaluation import services as evaluation
from skillreg.evaluation.models import Panel, PanelMember
from skillreg.files.tests import samples
from skillreg.registry.factories import InstitutionFactory, make_credit_code
from skillreg.registry.models import Application, DirectoryEntry
from skillreg.registry.services import applications as svc
from skillreg.registry.tests.builders import sc_form

pytestmark = pytest.mark.django_db(transaction=True)

ORG = "巴中市第一技工学校"


def _submitted(bazhong: Authority) -> Application:
    org = InstitutionFactory(name=ORG, authority=bazhong, region_code="511902", body_kind="technical_school",
                             credit_code=make_credit_code("511902", 11), pack_id="sc-2021-appraisal")
    applicant = make_user(Role.INSTITUTION_USER, None, username="diyi-jigong", institution=org)
    app = svc.application_create(actor=applicant, institution=org, form=sc_form(org), at=clock.now())
    svc.application_attach_material(actor=applicant, application=app, key="filing-form",
                                    upload=SimpleUploadedFile("备案表.pdf", samples.pdf()), at=clock.now())
    return svc.application_submit(actor=applicant, application=app, at=clock.now())


def _pool(official: User) -> list[User]:
    """Three experts with logins in 巴中's pool (one works for the applicant: excluded from the draw)."""
    users = []
    for n, (name, employer) in enumerate([("王建国", "四川省电力职业技术学院"), ("刘晓梅", "巴中市特种设备检验所"),
                                          ("陈志强", ORG)]):
        user = make_user(Role.EXPERT, official.authority, username=f"expert-{n}", display_name=name)
        evaluation.expert_add(actor=official, name=name, employer=employer, region_code="511900",
                              specialties=["电工", "焊工"], user=user, at=clock.now())
        users.append(user)
    return users


def test_experts_score_the_official_concludes_and_another_official_files_and_downloads_the_notice(
        web: Web, bazhong: Authority, bz_official: User) -> None:
    app = _submitted(bazhong)
    experts = _pool(bz_official)
    approver = make_user(Role.APPROVING_OFFICIAL, bazhong, username="bz-approver", display_name="审批人员")

    # --- the filing official accepts and draws the panel ---------------------------------
    official = login(web, bz_official, who="经办人员")
    official.goto("/applications/")
    official.get_by_role("link", name=ORG).click()
    official.wait_for_url(f"**/applications/{app.public_id}/")
    submit_button(official, "材料齐全，受理").click()
    official.wait_for_load_state()
    assert "已受理" in messages_text(official), messages_text(official)
    # 001 三(一)2(2): 15 working days from acceptance.
    assert "办结" in official.locator("table", has_text="办结").inner_text()
    web.shot(official, "official-accepted")

    official.get_by_role("link", name="专家评估（抽取专家、评分、评估结论）").click()
    official.wait_for_url(f"**/evaluation/applications/{app.public_id}/")
    assert "在库 3 人" in official.locator("body").inner_text()
    official.get_by_label("专家组人数").fill("2")
    submit_button(official, "随机抽取").click()
    official.wait_for_load_state()
    assert "已随机抽取专家组" in messages_text(official), messages_text(official)
    panel = Panel.objects.get(application=app)
    drawn = [m.expert.user for m in panel.members.select_related("expert__user")]
    assert len(drawn) == 2 and experts[2] not in drawn  # same employer as the applicant: excluded
    assert "与申请单位为同一单位" in official.locator("body").inner_text()
    assert panel.draw.seed in official.locator("body").inner_text()
    web.shot(official, "panel-drawn")

    # --- each drawn expert logs in and scores independently ------------------------------
    for n, user in enumerate(drawn):
        expert = login(web, user, who=f"专家{n + 1}")
        expert.get_by_role("link", name="评估任务").click()
        expert.wait_for_url("**/evaluation/")
        row = expert.locator("tr", has_text=ORG)
        if n == 0:
            web.shot(expert, "expert-assignments")
        row.get_by_role("link", name="评分").click()
        expert.wait_for_url(f"**/evaluation/applications/{app.public_id}/score/")
        assert "其他专家已提交的评分" not in expert.locator("body").inner_text()
        expert.locator('[name="score_0"]').fill(str(86 + n))
        expert.locator('[name="notes_0"]').fill("场地、设备与申报职业（工种）等级相适应")
        expert.get_by_label("总体意见").select_option("pass")
        expert.get_by_label("评估意见").fill("同意备案")
        if n == 0:
            web.shot(expert, "expert-score-form")
        submit_button(expert, "提交评分").click()
        expert.wait_for_load_state()
        assert "评分已提交" in messages_text(expert), messages_text(expert)
        if n == 1:
            # Once one's own score is in, the others' show.
            assert "其他专家已提交的评分" in expert.locator("body").inner_text()
            web.shot(expert, "expert-scored-sees-others")
    assert panel.members.filter(status=PanelMember.Status.SUBMITTED).count() == 2

    # --- the official records the panel's conclusion -------------------------------------
    official.reload()
    official.get_by_label("评估合格").check()
    official.get_by_label("评估结论意见").fill("现场技术评估合格，场地设备和人员配备符合要求。")
    submit_button(official, "记录评估结论").click()
    official.wait_for_load_state()
    assert "评估结论已记录" in messages_text(official), messages_text(official)
    web.shot(official, "panel-concluded")
    app.refresh_from_db()
    assert app.status == Application.Status.EVALUATED

    # --- the approving official files it and downloads 样式一 ------------------------------
    boss = login(web, approver, who="审批人员")
    boss.goto("/applications/?status=evaluated")
    boss.get_by_role("link", name=ORG).click()
    boss.wait_for_url(f"**/applications/{app.public_id}/")
    web.shot(boss, "approver-before-filing")
    submit_button(boss, "同意备案").click()
    boss.wait_for_load_state()
    assert "已备案并公布" in messages_text(boss), messages_text(boss)
    app.refresh_from_db()
    assert app.status == Application.Status.FILED
    code = app.filing.code
    assert code in boss.locator("body").inner_text()
    web.shot(boss, "approver-filed")

    notice = boss.locator("li", has_text="办理结果告知书（样式一）").get_by_role("link", name="PDF")
    with boss.expect_response(lambda r: "/documents/result_filed.pdf" in r.url) as response_info, \
            boss.expect_download() as download_info:
        notice.click()
    response = response_info.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # --- and the public sees it in the directory ----------------------------------------
    assert DirectoryEntry.objects.filter(data__code=code, superseded_at__isnull=True).exists()
    public = web.new_page("公众")
    public.goto(f"/directory/{code}/")
    assert ORG + "职业技能考核鉴定所" in public.locator("h1").inner_text()
    web.shot(public, "directory-entry")
