"""Occupation keys with their levels, and exact counts of 3- and 4-character words (issue 8, figure 2).

An occupation of 3+ characters or at a level is matched on the whole occupation names the
directory holds (``DirectorySearchOccupation``), a 3- or 4-character name word is counted from
its own count row (registry/models/search.py). These tests check that the answers and totals
are those of the general search, that the counts follow publish and supersede, and that the
query count does not grow.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from skillreg.accounts.models import Authority
from skillreg.registry.directory import publish
from skillreg.registry.models import Institution, InstitutionScope
from skillreg.registry.models.search import (
    DirectorySearchGramCount,
    DirectorySearchOccupation,
    counted_words,
    search_rows_for,
)
from skillreg.registry.public_selectors import DirectoryQuery, current_entries, directory_search
from skillreg.registry.tests.test_directory import DAY2, filed, names, search

pytestmark = pytest.mark.django_db


def _sql(**filters: Any) -> str:
    """Every statement of a count and a first page."""
    with CaptureQueriesContext(connection) as captured:
        results = directory_search(DirectoryQuery.model_validate(filters))
        results.count()
        list(results[:20])
    return " ".join(q["sql"] for q in captured.captured_queries)


def _count(field: str, gram: str) -> tuple[int, int]:
    row = DirectorySearchGramCount.objects.filter(field=field, gram=gram).first()
    return (row.entries, row.active_entries) if row else (0, 0)


@pytest.fixture
def scopes(bazhong: Authority, chengdu: Authority) -> None:
    filed("巴中市电力职业技能考核鉴定所", bazhong, region_code="511902",
          scope=[("电工", (5, 4, 3, 2)), ("养老护理员", (5, 4))])
    # 电工 at 初级 and something else at 技师: not "电工 at 技师".
    filed("成都市焊工职业技能评价中心", chengdu, region_code="510104", scope=[("电工", (5,)), ("焊工", (5, 4, 3, 2))])
    # 维修电工 holds 电工: found by 电工 at 技师 (a substring of the occupation, as before).
    filed("巴中市维修电工培训学校", bazhong, region_code="511902", scope=[("维修电工", (2,)), ("中式烹调师", (5,))])
    filed("成都市中式烹调技能鉴定站", chengdu, region_code="510104", scope=[("中式烹调师", (5, 4, 3))])
    filed("巴中市注销烹调职业技能学校", bazhong, region_code="511902", scope=[("中式烹调师", (4,))],
          status=Institution.Status.CANCELLED, active=False)


def test_an_occupation_and_a_level_hold_for_the_same_scope_item(scopes: None) -> None:
    assert names(occupation="电工", level=2) == ["巴中市电力职业技能考核鉴定所", "巴中市维修电工培训学校"]
    assert search(occupation="电工", level=2)["total"] == 2
    assert names(occupation="电工", level=5) == ["成都市焊工职业技能评价中心", "巴中市电力职业技能考核鉴定所"]
    assert names(occupation="焊工", level=2) == ["成都市焊工职业技能评价中心"]
    assert names(occupation="养老护理", level=4) == ["巴中市电力职业技能考核鉴定所"]
    assert names(occupation="养老护理", level=3) == [] and search(occupation="养老护理", level=3)["total"] == 0
    assert names(occupation="烹调师", level=4) == ["成都市中式烹调技能鉴定站"]
    assert names(occupation="中式烹调师") == ["成都市中式烹调技能鉴定站", "巴中市维修电工培训学校"]
    assert names(occupation="中式烹调师", status="cancelled") == ["巴中市注销烹调职业技能学校"]
    assert names(occupation="中式烹调师", level=4, status="cancelled") == ["巴中市注销烹调职业技能学校"]
    assert names(occupation="无此职业") == [] and search(occupation="无此职业", level=2)["total"] == 0


def test_one_key_is_read_in_directory_order_and_equals_the_general_search(scopes: None) -> None:
    # One key (中式烹调师): its occupation rows' range; a kind sends the same query to the general search.
    for filters in ({"occupation": "中式烹调师"}, {"occupation": "中式烹调师", "level": 5},
                    {"occupation": "养老护理", "level": 4}, {"occupation": "烹调师", "region": "5119"}):
        assert names(**filters) == names(**filters, kind="social_body")
        assert search(**filters)["total"] == search(**filters, kind="social_body")["total"]
        assert "registry_directorysearchoccupation" in _sql(**filters)
    assert "registry_directorysearchscope" not in _sql(occupation="中式烹调师", level=5)
    # Without a level or a region the total is the key's count row.
    assert _count("o", "中式烹调师") == (3, 2)
    assert search(occupation="中式烹调师")["total"] == 2
    # Several keys (电工, 维修电工) hold 电工: the general search, same answers as with a kind.
    assert names(occupation="电工", level=2) == names(occupation="电工", level=2, kind="social_body")


def test_a_three_or_four_character_word_is_counted_from_its_own_row(scopes: None) -> None:
    assert _count("n", "职业技能") == (3, 2)
    assert search(q="职业技能")["total"] == 2 == search(q="职业技能", kind="social_body")["total"]
    assert names(q="职业技能") == ["成都市焊工职业技能评价中心", "巴中市电力职业技能考核鉴定所"]
    assert search(q="职业技能", status="cancelled")["total"] == 1
    sql = _sql(q="职业技能")
    assert "registry_directorysearchgramcount" in sql
    # Five characters have no count row: counted on the postings, the same total.
    assert search(q="职业技能考")["total"] == 1 == search(q="职业技能考", kind="social_body")["total"]
    assert search(q="无此名称")["total"] == 0 and names(q="无此名称") == []


def test_the_keys_and_word_counts_follow_each_publish_and_supersede(bazhong: Authority) -> None:
    body = filed("巴中市焊接技能鉴定站", bazhong, scope=[("焊工", (5, 4)), ("中式烹调师", ())])
    filed("巴中市焊接技能学校", bazhong, scope=[("焊工", (5,))])
    assert _count("o", "焊工") == (2, 2) and _count("o", "中式烹调师") == (1, 1)
    assert _count("n", "焊接技") == (2, 2) and _count("n", "焊接技能") == (2, 2) and _count("n", "鉴定站") == (1, 1)
    levels = dict(DirectorySearchOccupation.objects.filter(entry__institution=body).values_list("key", "levels"))
    assert levels == {"焊工": (1 << 5) | (1 << 4), "中式烹调师": 0}
    # An item published without levels is found by its name, never at a level.
    assert names(occupation="中式烹调师") == ["巴中市焊接技能鉴定站"] and names(occupation="中式烹调师", level=5) == []
    body.name = "巴中市电气鉴定站"
    body.save()
    InstitutionScope.objects.filter(institution=body).delete()
    InstitutionScope.objects.create(institution=body, name="电工", level=2)
    publish(institution=body, actor=None, at=DAY2)  # version 1 superseded
    assert _count("o", "焊工") == (1, 1) and _count("o", "中式烹调师") == (0, 0) and _count("o", "电工") == (1, 1)
    assert _count("n", "焊接技能") == (1, 1) and _count("n", "鉴定站") == (1, 1) and _count("n", "电气鉴") == (1, 1)
    assert names(occupation="中式烹调师") == [] and search(occupation="中式烹调师")["total"] == 0
    assert names(occupation="电工", level=2) == ["巴中市电气鉴定站"]
    assert search(q="焊接技能")["total"] == 1
    publish(institution=body, actor=None, at=DAY2, active=False)  # off the directory: counted, not active
    assert _count("o", "电工") == (1, 0) and _count("n", "电气鉴") == (1, 0)
    assert search(q="电气鉴")["total"] == 0 and search(occupation="电工", level=2)["total"] == 0


def test_every_count_row_is_what_the_current_entries_give(scopes: None, bazhong: Authority) -> None:
    """The counts kept publish by publish equal a recount from the current entries' rows."""
    body = Institution.objects.get(name="巴中市维修电工培训学校")
    publish(institution=body, actor=None, at=DAY2)
    expected: dict[tuple[str, str], list[int]] = {}
    for entry in current_entries():
        rows = search_rows_for(entry)
        assert counted_words(rows.row.name) <= {g for f, g in rows.counted if f == "n"}
        for key in rows.counted:
            n = expected.setdefault(key, [0, 0])
            n[0] += 1
            n[1] += entry.active
    kept = {(f, g): [n, a] for f, g, n, a in
            DirectorySearchGramCount.objects.values_list("field", "gram", "entries", "active_entries") if n or a}
    assert kept == expected


@pytest.mark.parametrize(("filters", "queries"), [
    ({"occupation": "中式烹调师"}, 3), ({"occupation": "烹调师", "level": 5}, 3),
    ({"occupation": "电工", "level": 5}, 2), ({"q": "职业技能"}, 3),
])
def test_key_searches_make_the_same_queries_for_3_and_30_entries(
        bazhong: Authority, django_assert_num_queries: Any, filters: dict[str, Any], queries: int) -> None:
    # The count and the page; a 3+ character occupation or word adds one (its keys or rarest pair).
    for n in range(3):
        filed(f"巴中市小{n}职业技能评价站", bazhong, scope=[("电工", (5,)), ("中式烹调师", (5,))])
    with django_assert_num_queries(queries):
        assert search(**filters)["total"] == 3
    for n in range(27):
        filed(f"巴中市大{n}职业技能评价站", bazhong, scope=[("维修电工", (5,)), ("中式烹调师", (5, 4))])
    with django_assert_num_queries(queries):
        assert len(search(**filters, limit=30)["items"]) == 30


def test_several_words_walk_the_rarest_words_postings_with_the_general_answers(scopes: None) -> None:
    # The rarest word drives; every other word is checked on each posting; same as the general search.
    for q in ("巴中 职业技能", "职业技能 巴中", "成都 技能", "电力 职业技能考核", "成都 巴中", "巴中 巴中",
              "技能 无此"):
        for region in (None, "5119"):
            filters = {"q": q, **({"region": region} if region else {})}
            assert names(**filters) == names(**filters, kind="social_body"), filters
            assert search(**filters)["total"] == search(**filters, kind="social_body")["total"], filters
    assert names(q="巴中 职业技能") == ["巴中市电力职业技能考核鉴定所"]
    assert names(q="成都 技能") == ["成都市中式烹调技能鉴定站", "成都市焊工职业技能评价中心"]
    assert search(q="成都 巴中")["total"] == 0
