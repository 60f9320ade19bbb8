"""The exam plan index at a province's scale (issue 8, figure 5): the centre's "待鉴定中心办理"
shows how many wait of each kind and the first few, with a link to the full filtered list."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from skillreg.accounts.models import Role
from skillreg.conftest import NOW, login, make_user
from skillreg.exams import selectors as sel
from skillreg.exams.models import ExamPlan, RosterReview
from skillreg.exams.tests.conftest import D
from skillreg.exams.tests.helpers import pdf


def _table(client, url: str) -> str:  # type: ignore[no-untyped-def]
    """The plan list of the page (the centre's worklist above it names plans too)."""
    page = client.get(url).content.decode()
    return page[page.index("<table>"):]


def _plans(inst, inst_user, venue, scope, status: str, n: int, start: int = 0) -> list[ExamPlan]:  # type: ignore[no-untyped-def]
    ExamPlan.objects.bulk_create([ExamPlan(
        institution=inst, scope=scope, scope_name=scope.name, venue=venue, region_code=venue.region_code,
        pack_id=inst.pack_id, title=f"{status}计划{i:02d}", registration_opens=D(2026, 11, 1),
        registration_closes=D(2026, 11, 24), exam_start=D(2026, 12, 1) + dt.timedelta(days=i),
        exam_end=D(2026, 12, 1) + dt.timedelta(days=i), fee=100,
        status=status, created_at=NOW, created_by=inst_user) for i in range(start, start + n)])
    return list(ExamPlan.objects.filter(status=status).order_by("exam_start"))


def test_the_centre_sees_counts_the_first_items_and_links_to_all(inst, inst_user, centre, venue, scope,
                                                                  wuhai) -> None:
    applied = _plans(inst, inst_user, venue, scope, ExamPlan.Status.APPLIED, sel.WORKLIST_ITEMS + 3)
    published = _plans(inst, inst_user, venue, scope, ExamPlan.Status.PUBLISHED, 12)
    letter = pdf(inst_user)
    RosterReview.objects.bulk_create([RosterReview(plan=p, quality_letter=letter, roster_count=1, submitted_at=NOW,
                                                   submitted_by=inst_user) for p in published[:11]])
    page = login(centre).get(reverse("exams:index")).content.decode()
    line = re.search(r"<li>考核申请待审核：(.*?)</li>", page).group(1)
    assert line.startswith(f"{sel.WORKLIST_ITEMS + 3} ·")
    # The ten whose exam comes first, then the link to all of them.
    assert [f"applied计划{i:02d}" in line for i in range(13)] == [True] * 10 + [False] * 3
    assert '<a href="?status=applied">全部 13 项</a>' in line
    line = re.search(r"<li>报名名册待复审：(.*?)</li>", page).group(1)
    assert line.startswith("11 ·") and '<a href="?roster=submitted">全部 11 份</a>' in line
    assert "考核结果待审核：0</li>" in page
    # The links: all 13 applied plans, only they; the 11 plans whose roster waits.
    assert 'value="applied" selected' in login(centre).get(reverse("exams:index") + "?status=applied").content.decode()
    listed = _table(login(centre), reverse("exams:index") + "?status=applied")
    assert all(p.title in listed for p in applied) and "published计划" not in listed
    listed = _table(login(centre), reverse("exams:index") + "?roster=submitted")
    assert sum(p.title in listed for p in published) == 11 and published[11].title not in listed
    # Another province's centre sees none of it.
    other = login(make_user(Role.CENTRE_STAFF, wuhai, username="wh-centre")).get(reverse("exams:index"))
    assert "考核申请待审核：0</li>" in other.content.decode() and "applied计划" not in other.content.decode()


def test_the_filter_rides_along_in_the_page_links(inst, inst_user, centre, venue, scope) -> None:
    from skillreg.exams.views import PLANS_PER_PAGE

    _plans(inst, inst_user, venue, scope, ExamPlan.Status.APPLIED, PLANS_PER_PAGE + 1)
    _plans(inst, inst_user, venue, scope, ExamPlan.Status.PUBLISHED, 3)
    page = login(centre).get(reverse("exams:index") + "?status=applied").content.decode()
    assert "第 1 / 2 页，共 51 项" in page and 'href="?status=applied&amp;page=2"' in page
    page2 = _table(login(centre), reverse("exams:index") + "?status=applied&page=2")
    assert "applied计划" in page2 and "published计划" not in page2
    # An unknown status is ignored (all plans), not an error.
    assert "共 54 项" in login(centre).get(reverse("exams:index") + "?status=nope").content.decode()
