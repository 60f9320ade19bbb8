"""Every role's dashboards and worklists, on the demo data (``skillreg demo-data``), render
without a console error or a failed request; a screenshot of each is kept for review.

The demo set is what ``make run`` shows: authorities of the five regimes, one account per
role in 巴中 and 乌海, and applications in every state.
"""

from __future__ import annotations

import pytest

from e2e.conftest import Web, login
from skillreg.accounts.models import User
from skillreg.web.demo import demo_password, load_demo

pytestmark = pytest.mark.django_db(transaction=True)

# (demo account, pages) — what each person opens first, and their worklists.
ROUNDS: list[tuple[str, list[str]]] = [
    ("bz-filing-official", ["/", "/dashboard/", "/applications/", "/institutions/", "/lifecycle/",
                            "/supervision/", "/supervision/plans/", "/supervision/complaints/",
                            "/evaluation/experts/", "/notifications/"]),
    ("bz-approving-official", ["/dashboard/", "/applications/?status=evaluated"]),
    ("bz-centre-staff", ["/exams/", "/archives/", "/certificates/"]),
    ("bz-expert", ["/evaluation/"]),
    ("bz-institution-user", ["/", "/applications/", "/exams/", "/certificates/"]),
]
PUBLIC = ["/directory/", "/policies/", "/calendar/", "/supervision/public/inspections/",
          "/supervision/public/sanctions/", "/certificates/verify/"]


def _slug(path: str) -> str:
    return path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"


def test_each_roles_dashboards_and_worklists_render_cleanly(web: Web) -> None:
    load_demo()
    for username, pages in ROUNDS:
        page = login(web, User.objects.get(username=username), password=demo_password(), who=username)
        for path in pages:
            response = page.goto(path)
            assert response is not None and response.status == 200, f"{username} {path}: {response and response.status}"
            assert page.locator("main h1").count() >= 1, f"{path} 没有页面标题"
            web.shot(page, f"{username}-{_slug(path)}")
    public = web.new_page("公众")
    for path in PUBLIC:
        response = public.goto(path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        web.shot(public, f"public-{_slug(path)}")


def test_the_officials_dashboard_charts_lead_to_the_worklist_and_a_bulk_accept(web: Web) -> None:
    """The filing official reads the charts (drawn by the app as SVG), follows the overdue
    figure to the worklist, ticks two applications and accepts them in one go: one is accepted,
    the other (already accepted) is reported with its reason; then exports the ticked ones."""
    load_demo()
    official = login(web, User.objects.get(username="bz-filing-official"), password=demo_password())
    official.set_viewport_size({"width": 1280, "height": 900})
    official.goto("/dashboard/")
    charts = official.locator("main svg[role=img]")
    assert charts.count() == 5
    for name in ("备案申请（按状态）", "备案申请（按地区）", "已逾期的办理时限（按事项）", "机构最近一次考核评估等级"):
        assert official.get_by_role("img", name=name).is_visible()
    # Each bar says its figure on hover (an SVG <title>): the status chart counts the open ones.
    assert official.locator("main svg title", has_text="已提交，待核查材料：").count() == 1
    web.shot(official, "dashboard", full_page=False)
    web.shot(official, "dashboard-full")

    official.get_by_role("link", name="办理中").first.click()
    official.wait_for_url("**/applications/?status=open")
    assert official.get_by_role("combobox", name="排序").input_value() == "overdue"  # overdue first by default
    web.shot(official, "worklist-open", full_page=False)

    for name in ("巴中市恩阳区电子商务协会", "巴中市通江县银耳种植技术服务中心"):
        official.get_by_role("checkbox", name=f"选择 {name}").check()
    official.get_by_role("button", name="批量受理（材料齐全）").click()
    official.wait_for_load_state()
    results = official.locator("main").inner_text()
    assert "成功 1 件" in results and "未办理 1 件" in results
    assert "不能受理" in results  # the one already accepted, with its reason
    web.shot(official, "bulk-accept-results", full_page=False)

    official.get_by_role("link", name="返回申请列表").click()
    official.wait_for_url("**/applications/?status=open")
    official.get_by_role("checkbox", name="选择 巴中市恩阳区电子商务协会").check()
    with official.expect_download() as download:
        official.get_by_role("button", name="导出 XLSX").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    official.goto("/applications/?status=accepted")
    assert official.get_by_role("link", name="巴中市恩阳区电子商务协会").is_visible()
    official.get_by_role("link", name="巴中市恩阳区电子商务协会").click()
    assert official.get_by_text("受理", exact=True).count() >= 1  # the timeline's Chinese action name
    assert "application.accepted" not in official.content()
    web.shot(official, "application-after-bulk-accept", full_page=False)
