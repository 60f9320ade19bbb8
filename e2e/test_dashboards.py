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
    ("bz-filing-official", ["/", "/applications/", "/institutions/", "/lifecycle/",
                            "/supervision/", "/supervision/plans/", "/supervision/complaints/",
                            "/evaluation/experts/", "/notifications/"]),
    ("bz-approving-official", ["/applications/?status=evaluated"]),
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
