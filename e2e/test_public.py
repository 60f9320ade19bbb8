"""Journey 3: the public searches the directory (two characters), opens an entry, exports CSV,
files a complaint and follows it with the tracking number and secret; the official answers it
and the complainant sees the answer.

The filed institutions are built through the factories and ``directory.publish``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import pytest

from e2e.conftest import Web, login, messages_text, submit_button
from skillreg.accounts.models import Authority, User
from skillreg.core import clock
from skillreg.registry.directory import publish
from skillreg.registry.factories import InstitutionFactory, make_credit_code
from skillreg.registry.models import Institution, InstitutionScope
from skillreg.supervision.models import Complaint

pytestmark = pytest.mark.django_db(transaction=True)

TARGET = "巴中市电力职业技能考核鉴定所"


def _filed(name: str, authority: Authority, code: str, region_code: str,
           scope: Iterable[tuple[str, Iterable[int]]]) -> Institution:
    institution = InstitutionFactory(
        name=name, authority=authority, region_code=region_code, pack_id="sc-2021-appraisal",
        credit_code=make_credit_code(region_code, int(code[-4:])), status=Institution.Status.FILED, code=code,
        head_name="周建华", contact_phone="0827-5260000", valid_until=dt.date(2029, 11, 19),
        address=f"{authority.region_name}人民路 {code[-2:]} 号")
    for occupation, levels in scope:
        for level in levels:
            InstitutionScope.objects.create(institution=institution, name=occupation, level=level)
    publish(institution=institution, actor=None, at=clock.now())
    return institution


def test_the_public_searches_exports_complains_and_follows_the_complaint(
        web: Web, bazhong: Authority, chengdu: Authority, bz_official: User) -> None:
    target = _filed(TARGET, bazhong, "JD51190220260001", "511902", [("电工", (5, 4, 3))])
    _filed("巴中市恩阳区家政服务职业技能评价站", bazhong, "JD51190320260002", "511903", [("家政服务员", (5, 4))])
    _filed("成都市焊工技能评价中心", chengdu, "JD51010420260003", "510104", [("焊工", (5, 4, 3))])

    # --- search with two characters, open the entry ---------------------------------------
    public = web.new_page("公众")
    public.goto("/")
    public.get_by_role("link", name="机构目录").first.click()
    public.wait_for_url("**/directory/")
    assert "共 3 个机构" in public.locator("main").inner_text()
    web.shot(public, "directory-all")
    public.get_by_label("机构名称").fill("电力")
    submit_button(public, "查询").click()
    public.wait_for_url("**/directory/?*")
    assert "共 1 个机构" in public.locator("main").inner_text()
    assert public.get_by_label("机构名称").input_value() == "电力"
    web.shot(public, "directory-search-two-characters")
    public.get_by_role("link", name=TARGET).click()
    public.wait_for_url(f"**/directory/{target.code}/")
    entry = public.locator("main").inner_text()
    assert "电工（初级、中级、高级）" in entry and target.code in entry
    web.shot(public, "directory-entry")

    # --- export the search result as CSV --------------------------------------------------
    public.go_back()
    public.wait_for_url("**/directory/?*")
    with public.expect_response(lambda r: "/directory/export.csv" in r.url) as response_info, \
            public.expect_download() as download_info:
        public.get_by_role("link", name="CSV", exact=True).click()
    response = response_info.value
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    with open(download_info.value.path(), encoding="utf-8-sig") as csv_file:
        rows = [line for line in csv_file.read().splitlines() if line.strip()]
    assert len(rows) == 2 and TARGET in rows[1]  # a header and the one institution found

    # --- a complaint, then following it -------------------------------------------------
    public.goto("/")
    public.get_by_role("link", name="投诉举报").first.click()
    public.wait_for_url("**/supervision/public/complaints/new/")
    public.get_by_label("被投诉机构代码").fill(target.code)
    public.get_by_label("事由").fill("考核现场考评员不足")
    public.get_by_label("投诉内容").fill("2026年11月15日电工（中级）操作技能考核，一个考场仅有一名考评员在场。")
    public.get_by_label("姓名（可不填）").fill("张先生")
    public.get_by_label("联系方式（可不填，不公开）").fill("13800000000")
    web.shot(public, "complaint-form")
    submit_button(public, "提交").click()
    public.wait_for_load_state()
    done = public.locator("main").inner_text()
    assert "投诉已受理" in done, done
    tracking = re.search(r"受理编号：\s*(\S+)", done)
    secret = re.search(r"查询密码：\s*([0-9a-f]+)", done)
    assert tracking and secret, done
    complaint = Complaint.objects.get(tracking_number=tracking.group(1))
    assert complaint.authority == bazhong
    web.shot(public, "complaint-received")

    public.get_by_role("link", name="查询办理进度").click()
    public.wait_for_url("**/complaints/follow/")
    public.get_by_label("受理编号").fill(tracking.group(1))
    public.get_by_label("查询密码").fill(secret.group(1))
    submit_button(public, "查询").click()
    public.wait_for_load_state()
    status = public.locator("dl.fields").inner_text()
    assert "已受理" in status and TARGET in status
    assert secret.group(1) not in public.url  # the secret is POSTed, never in the address
    web.shot(public, "complaint-followed")

    # --- the official answers; the complainant sees the answer ----------------------------
    official = login(web, bz_official, who="经办人员")
    official.get_by_role("link", name="监督管理").click()
    official.wait_for_url("**/supervision/")
    web.shot(official, "supervision-dashboard")
    official.goto("/supervision/complaints/")
    web.shot(official, "complaints-worklist")
    official.get_by_role("link", name=tracking.group(1)).click()
    official.wait_for_url(f"**/supervision/complaints/{complaint.public_id}/")
    official.locator('select[name="finding"]').select_option("substantiated")
    official.locator('textarea[name="answer"]').fill("经核实情况属实，已责令该机构限期整改。")
    official.get_by_role("button", name="答复", exact=True).click()
    official.wait_for_load_state()
    assert "已答复" in messages_text(official), messages_text(official)
    web.shot(official, "complaint-answered")

    public.get_by_label("受理编号").fill(tracking.group(1))
    public.get_by_label("查询密码").fill(secret.group(1))
    submit_button(public, "查询").click()
    public.wait_for_load_state()
    answered = public.locator("dl.fields").inner_text()
    assert "已答复" in answered and "情况属实" in answered and "限期整改" in answered
    web.shot(public, "complaint-answer-seen")
