"""/directory/ and /directory/<code>/: no login, public fields only, constant queries per page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from skillreg.accounts.models import Authority
from skillreg.registry.directory import publish
from skillreg.registry.models import Institution
from skillreg.registry.tests.test_directory import DAY2, LEGAL_REP, filed

pytestmark = pytest.mark.django_db


def page(**params: Any) -> str:
    response = Client().get("/directory/", params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_directory_page_needs_no_login_and_lists_the_filed(bazhong: Authority, chengdu: Authority) -> None:
    filed("巴中市电力职业技能考核鉴定所", bazhong, region_code="511902", scope=[("电工", (5, 4, 2))])
    filed("成都市焊工技能评价中心", chengdu, region_code="510104", scope=[("焊工", (5,))])
    html = page()
    assert "巴中市电力职业技能考核鉴定所" in html and "成都市焊工技能评价中心" in html
    assert "电工（初级、中级、技师）" in html
    assert "共 2 个机构" in html
    # The region select offers what is present, named by the authorities.
    for prefix, label in (("51", "四川省"), ("5101", "\u3000成都市"), ("5119", "\u3000巴中市")):
        assert f'<option value="{prefix}" >{label}</option>' in html


def test_the_search_finds_by_one_and_two_characters_and_keeps_what_was_typed(
        bazhong: Authority, chengdu: Authority) -> None:
    filed("巴中市电力职业技能考核鉴定所", bazhong, region_code="511902")
    filed("成都市焊工技能评价中心", chengdu, region_code="510104", scope=[("焊工", (5, 4))])
    html = page(q="电")
    assert "巴中市电力职业技能考核鉴定所" in html and "成都市焊工技能评价中心" not in html
    assert 'value="电"' in html
    html = page(q="焊工", occupation="焊", level="4", region="51")
    assert "成都市焊工技能评价中心" in html and "巴中市电力" not in html
    assert 'value="焊工"' in html and 'value="焊"' in html
    assert '<option value="4" selected>' in html
    assert '<option value="51" selected>' in html


def test_a_bad_level_on_the_page_says_so_and_keeps_the_form(bazhong: Authority) -> None:
    filed("巴中市电力职业技能考核鉴定所", bazhong)
    response = Client().get("/directory/", {"level": "9", "q": "电力"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "等级应为 1（高级技师）至 5（初级）" in html
    assert 'value="电力"' in html


def test_the_page_never_shows_what_the_pack_keeps_private(bazhong: Authority) -> None:
    org = filed("巴中市电力职业技能考核鉴定所", bazhong)
    for html in (page(), Client().get(f"/directory/{org.code}/").content.decode()):
        assert org.credit_code not in html
        assert LEGAL_REP not in html
        assert "0827-5260000" not in html  # 001 五(四) does not publish the phone
        assert "周建华" in html  # … but does publish the head


def test_the_page_paginates_by_20_and_keeps_the_filters(bazhong: Authority) -> None:
    for n in range(23):
        filed(f"巴中市第{n:02d}电工评价站", bazhong)
    first = page(q="电工")
    assert "第 1 / 2 页" in first
    assert "巴中市第19电工评价站" in first and "巴中市第20电工评价站" not in first
    assert "page=2" in first and "q=%E7%94%B5%E5%B7%A5" in first
    second = page(q="电工", page=2)
    assert "巴中市第22电工评价站" in second and "巴中市第00电工评价站" not in second


def test_the_page_makes_the_same_queries_for_3_and_30_entries(
        bazhong: Authority, django_assert_num_queries: Any) -> None:
    # count, page rows, region codes, region names: 4 whatever the number of rows
    for n in range(3):
        filed(f"巴中市小{n}电工评价站", bazhong)
    with django_assert_num_queries(4):
        page(occupation="电工")
    for n in range(27):
        filed(f"巴中市大{n}电工评价站", bazhong)
    with django_assert_num_queries(4):
        page(occupation="电工")


def test_the_entry_page_shows_the_current_version_and_every_past_one(bazhong: Authority) -> None:
    org = filed("巴中市甲职业技能评价中心", bazhong)
    org.name = "巴中市乙职业技能评价中心"
    org.save()
    publish(institution=org, actor=None, at=DAY2)
    response = Client().get(f"/directory/{org.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>巴中市乙职业技能评价中心</h1>" in html
    assert "第 2 版（当前）" in html and "第 1 版" in html and "巴中市甲职业技能评价中心" in html
    past = Client().get(f"/directory/{org.code}/", {"on": "2026-11-25"}).content.decode()
    assert "2026-11-25 公众所见：第 1 版" in past
    early = Client().get(f"/directory/{org.code}/", {"on": "2026-11-01"}).content.decode()
    assert "尚未公布" in early


def test_the_entry_page_of_an_unknown_or_unfiled_code_is_404(bazhong: Authority) -> None:
    assert Client().get("/directory/NOPE/").status_code == 404


def test_a_cancelled_entry_stays_findable_and_says_so(bazhong: Authority) -> None:
    org = filed("巴中市注销职业技能评价中心", bazhong, status=Institution.Status.CANCELLED, active=False)
    assert "巴中市注销职业技能评价中心" not in page()
    assert "巴中市注销职业技能评价中心" in page(status="cancelled")
    html = Client().get(f"/directory/{org.code}/").content.decode()
    assert "该机构已不在有效目录中（已注销）" in html


def test_a_control_character_in_a_search_is_refused_not_a_server_error(bazhong: Authority) -> None:
    # PostgreSQL refuses NUL in text; the query never reaches it.
    api = Client().get("/api/v1/public/institutions?occupation=%E7%94%B5%E5%B7%A5%00x")
    assert api.status_code == 422 and "控制字符" in api.json()["message"]
    page = Client().get("/directory/?q=%E7%94%B5%00")
    assert page.status_code == 400 and "控制字符" in page.content.decode()  # as a bad level is
