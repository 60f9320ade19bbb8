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
from skillreg.registry.models import DirectorySearchGram, DirectorySearchGramCount, Institution, InstitutionScope
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


# --- one-gram searches answered from the postings alone (issue 8, figure 2 at 100,000) ----------


def _count_sql(**filters: Any) -> str:
    with CaptureQueriesContext(connection) as captured:
        directory_search(DirectoryQuery.model_validate(filters)).count()
    return " ".join(q["sql"] for q in captured.captured_queries)


def test_a_one_gram_total_counts_active_current_versions_only(bazhong: Authority) -> None:
    """A superseded version's grams and an entry off the directory are not in the default total."""
    renamed = filed("巴中市焊接技能鉴定站", bazhong, scope=[("焊工", (5,))])
    filed("巴中市焊工学校", bazhong, scope=[("焊工", (5,))])
    filed("巴中市注销焊接培训中心", bazhong, scope=[("焊工", (5,))],
          status=Institution.Status.CANCELLED, active=False)
    assert search(q="焊")["total"] == 3 - 1  # the cancelled one is not in the default search
    assert search(q="焊接")["total"] == 1 and search(occupation="焊工")["total"] == 2
    renamed.name = "巴中市电气鉴定站"
    renamed.save()
    InstitutionScope.objects.filter(institution=renamed).update(name="电工")
    publish(institution=renamed, actor=None, at=DAY2)  # version 1 (焊接, 焊工) superseded
    assert search(q="焊") == {**search(q="焊"), "total": 1}
    assert names(q="焊") == ["巴中市焊工学校"]
    assert search(q="焊接")["total"] == 0 and names(q="焊接") == []
    assert names(occupation="焊工") == ["巴中市焊工学校"]
    assert names(occupation="电工") == ["巴中市电气鉴定站"]
    # The cancelled entry stays findable by its status (issue 4), through the general search.
    assert names(q="焊接", status="cancelled") == ["巴中市注销焊接培训中心"]
    assert names(status="cancelled", occupation="焊工") == ["巴中市注销焊接培训中心"]
    # The per-gram active count is what the total reads, and it matches the postings.
    row = DirectorySearchGramCount.objects.get(field="n", gram="焊")
    assert (row.entries, row.active_entries) == (2, 1)
    assert DirectorySearchGram.objects.filter(field="n", gram="焊", active=True).count() == 1
    assert "registry_directorysearchgramcount" in _count_sql(q="焊")


def test_the_postings_page_and_the_general_search_give_the_same_answers(
        bazhong: Authority, chengdu: Authority) -> None:
    for n in range(6):
        filed(f"成都市第{n}焊工职业技能站", chengdu, region_code="510104", scope=[("焊工", (5,))])
        filed(f"巴中市第{n}焊工职业技能站", bazhong, region_code="511902", scope=[("焊工", (4,))])
    filed("巴中市焊工技能职业站", bazhong, region_code="511902", scope=[("焊工", (4,))])  # pairs, not the word
    word = sorted([(r, f"{city}第{n}焊工职业技能站") for n in range(6)
                   for r, city in (("510104", "成都市"), ("511902", "巴中市"))])
    with_word = [name for _, name in word]
    every = [name for _, name in sorted([*word, ("511902", "巴中市焊工技能职业站")])]
    # One gram (postings alone), with a region, a 3+ word confirmed on the postings' names,
    # and the same filters through the general search (a kind, a level) in the same order.
    assert names(q="焊工", limit=100) == every and search(q="焊工")["total"] == 13
    assert names(q="焊工", region="5119", limit=100) == every[6:] and search(q="焊工", region="5119")["total"] == 7
    assert names(q="焊工", kind="social_body", limit=100) == every
    assert names(q="职业技能", limit=100) == with_word and search(q="职业技能")["total"] == 12
    assert names(q="职业技能", kind="social_body", limit=100) == with_word
    assert names(q="职业技能", limit=5, offset=10) == with_word[10:]
    assert names(occupation="焊工", limit=100) == every == names(occupation="焊工", kind="social_body", limit=100)
    assert names(occupation="焊工", level=4, limit=100) == every[6:]
    assert search(q="焊工", region="5119", occupation="焊工")["total"] == 7


def test_a_word_with_latin_letters_matches_in_any_case(bazhong: Authority) -> None:
    # Not from the postings' names (LIKE is case-sensitive on PostgreSQL): the lower-cased search row.
    filed("巴中市ABC技能培训中心", bazhong)
    assert names(q="abc技能") == ["巴中市ABC技能培训中心"]
    assert names(q="Abc技能培训") == ["巴中市ABC技能培训中心"]
