"""The directory search through the gram table (issue 8, figure 2): 1, 2 and 3+ Chinese characters.

Trigram indexes cannot serve 电工 or 焊; the search reads per-character and per-pair postings
(registry/models/search.py). These tests check the answers a visitor would get, that they come
from the gram rows (not a scan of the published JSON), and that the query count does not grow.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from skillreg.accounts.models import Authority
from skillreg.registry.directory import publish
from skillreg.registry.models import DirectorySearchGram, DirectorySearchGramCount
from skillreg.registry.public_selectors import DirectoryQuery, directory_search
from skillreg.registry.tests.test_directory import DAY2, filed, names, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def bodies(bazhong: Authority, chengdu: Authority) -> None:
    filed("巴中市电力职业技能考核鉴定所", bazhong, region_code="511902",
          scope=[("电工", (5, 4, 3, 2)), ("养老护理员", (5, 4))])
    filed("成都市焊工技能评价中心", chengdu, region_code="510104", scope=[("焊工", (5, 4))])
    # Carries every pair of 职业技能 (职业, 业技, 技能) but never the four characters in a row.
    filed("巴中市技能职业业技培训学校", bazhong, region_code="511902", scope=[("中式烹调师", (5,))])


def _sql_of(**filters: Any) -> str:
    """The WHERE and ORDER BY of the page query (what filters and sorts, not what is selected)."""
    with CaptureQueriesContext(connection) as captured:
        list(directory_search(DirectoryQuery.model_validate(filters))[:20])
    return " ".join(q["sql"].split(" WHERE ", 1)[1] for q in captured.captured_queries)


def test_one_character_finds_every_name_holding_it_through_the_gram_rows(bodies: None) -> None:
    assert names(q="焊") == ["成都市焊工技能评价中心"]
    assert names(q="技") == ["成都市焊工技能评价中心", "巴中市技能职业业技培训学校", "巴中市电力职业技能考核鉴定所"]
    sql = _sql_of(q="焊")
    assert "registry_directorysearchgram" in sql
    assert '"data"' not in sql  # no scan of the published JSON


def test_two_characters_are_one_exact_gram_and_never_two_separate_characters(bodies: None) -> None:
    # 电 and 工 both occur in 电力…/焊工…, but only a name holding 电工 together may match.
    assert names(q="电工") == []
    assert names(q="焊工") == ["成都市焊工技能评价中心"]
    assert names(occupation="电工") == ["巴中市电力职业技能考核鉴定所"]


def test_three_or_more_characters_need_the_whole_word_not_just_its_pairs(bodies: None) -> None:
    assert names(q="职业技能") == ["巴中市电力职业技能考核鉴定所"]
    assert names(q="技能评价中心") == ["成都市焊工技能评价中心"]
    assert names(q="职业业技") == ["巴中市技能职业业技培训学校"]
    assert search(q="考核评价")["total"] == 0  # 考核 and 评价 exist, the word does not
    assert search(q="不存在的词")["total"] == 0  # no pair of it anywhere
    assert names(occupation="养老护理", level=4) == ["巴中市电力职业技能考核鉴定所"]
    assert names(occupation="养老护理", level=3) == []
    assert "registry_directorysearchgramcount" in _sql_of(q="职业技能")  # starts from the rarest pair


def test_several_words_must_all_match(bodies: None) -> None:
    assert names(q="巴中 职业技能") == ["巴中市电力职业技能考核鉴定所"]
    assert names(q="成都 职业技能") == []


def test_the_gram_counts_follow_each_publish_and_supersede(bazhong: Authority) -> None:
    inst = filed("巴中市焊接技能鉴定站", bazhong, scope=[("焊工", (5,))])
    filed("巴中市焊工学校", bazhong, scope=[("焊工", (5,))])

    def count(gram: str) -> int:
        row = DirectorySearchGramCount.objects.filter(field="n", gram=gram).first()
        return row.entries if row else 0

    assert count("焊") == 2 and count("焊接") == 1
    inst.name = "巴中市电焊鉴定站"
    inst.save()
    publish(institution=inst, actor=None, at=DAY2)  # supersedes version 1: its grams are uncounted
    assert count("焊") == 2 and count("焊接") == 0 and count("电焊") == 1
    assert count("焊") == DirectorySearchGram.objects.filter(field="n", gram="焊").count()
    assert names(q="焊接") == [] and names(q="电焊鉴定") == ["巴中市电焊鉴定站"]


@pytest.mark.parametrize(("q", "queries"), [("电", 2), ("电工", 2), ("电工评价站", 3), ("电工评价站 巴中", 3)])
def test_the_search_makes_the_same_queries_for_3_and_30_entries(
        bazhong: Authority, django_assert_num_queries: Any, q: str, queries: int) -> None:
    # The count and the page; a word of 3+ characters adds one for all such words (its rarest pair).
    for n in range(3):
        filed(f"巴中市小{n}电工评价站", bazhong)
    with django_assert_num_queries(queries):
        assert search(q=q)["total"] == 3
    for n in range(27):
        filed(f"巴中市大{n}电工评价站", bazhong)
    with django_assert_num_queries(queries):
        assert len(search(q=q, limit=30)["items"]) == 30
    with django_assert_num_queries(queries):
        assert [i["name"] for i in search(q=q, limit=5, offset=28)["items"]] == [
            "巴中市小1电工评价站", "巴中市小2电工评价站"]


def test_a_page_of_a_later_offset_keeps_the_order_of_the_whole_list(bazhong: Authority) -> None:
    for n in range(25):
        filed(f"巴中市第{n:02d}焊工站", bazhong)
    everything = names(q="焊工", limit=100)
    assert everything == sorted(everything) and len(everything) == 25
    assert names(q="焊工", limit=10, offset=10) == everything[10:20]
    assert search(q="焊工", limit=10, offset=20) == {**search(q="焊工", limit=10, offset=20), "total": 25}


def test_sorting_few_matches_and_walking_the_index_give_the_same_pages(
        bazhong: Authority, chengdu: Authority, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(12):
        filed(f"成都市第{n:02d}焊工站", chengdu, region_code="510104")
        filed(f"巴中市第{n:02d}焊工站", bazhong, region_code="511902")
    sorted_pages = [names(q="焊工", limit=5, offset=o) for o in (0, 5, 10, 20)]
    from skillreg.registry import public_selectors

    monkeypatch.setattr(public_selectors, "SORT_MATCHES_UNDER", 0)  # as if there were very many matches
    assert [names(q="焊工", limit=5, offset=o) for o in (0, 5, 10, 20)] == sorted_pages
    assert sorted_pages[0][0] == "成都市第00焊工站" and sorted_pages[-1] == ["巴中市第08焊工站", "巴中市第09焊工站",
                                                                       "巴中市第10焊工站", "巴中市第11焊工站"]
