from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from skillreg.policies.tests.conftest import PACK_IDS


@pytest.mark.django_db
def test_compare_page_shows_every_pack(client, packs):
    response = client.get(reverse("policies:compare"))
    assert response.status_code == 200
    html = response.content.decode()
    for pack in packs.values():
        assert pack.title in html
    assert "文件未规定" in html
    assert 'class="silent"' in html
    assert 'class="differs"' in html


@pytest.mark.django_db
def test_every_clause_link_on_the_compare_page_resolves(client):
    html = client.get(reverse("policies:compare")).content.decode()
    links = set(re.findall(r'href="(/policies/[^"]+/clauses/[^"]+)"', html))
    assert links
    for link in links:
        assert client.get(unescape(link)).status_code == 200, link


@pytest.mark.django_db
def test_clause_page_shows_the_verbatim_text_and_citing_rules(client):
    url = reverse("policies:clause", args=["sc-2021-appraisal", "三(一)2(1)"])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "省人力资源社会保障部门应当自受理备案之日起5个工作日内" in html
    assert "clocks.material_check" in html


@pytest.mark.django_db
def test_clause_page_for_bz_article_15(client):
    response = client.get(reverse("policies:clause", args=["bz-2023-special", "第十五条"]))
    assert response.status_code == 200
    assert "每次考评人员轮换不得少于三分之一" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("pack_id", PACK_IDS)
def test_pack_page_renders(client, pack_id):
    response = client.get(reverse("policies:pack", args=[pack_id]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_unknown_pack_and_clause_are_404(client):
    assert client.get("/policies/no-such-pack/").status_code == 404
    assert client.get(
        reverse("policies:clause", args=["bz-2023-special", "第十四条"])
    ).status_code == 404
