"""The public directory's search and API: current published entries only, public fields only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from skillreg.accounts.models import Authority, Role, User
from skillreg.core import clock
from skillreg.files.tests import samples
from skillreg.registry.directory import publish
from skillreg.registry.factories import InstitutionFactory
from skillreg.registry.models import Institution, InstitutionScope
from skillreg.registry.services import applications as svc
from skillreg.registry.services import decisions
from skillreg.registry.tests.builders import official, sc_form

pytestmark = pytest.mark.django_db

LEGAL_REP = "法人甲某"
DAY1 = dt.datetime(2026, 11, 20, 10, 0, tzinfo=clock.LOCAL_TZ)
DAY2 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=clock.LOCAL_TZ)

_codes = iter(range(1, 100_000))


def filed(name: str, authority: Authority, *, region_code: str | None = None,
          scope: Iterable[tuple[str, Iterable[int]]] = (("电工", (5, 4, 3)),),
          pack_id: str = "sc-2021-appraisal", body_kind: str = "social_body",
          status: str = Institution.Status.FILED, at: dt.datetime = DAY1, active: bool = True,
          **fields: Any) -> Institution:
    """A filed institution with its scope and a published directory entry (directory.publish)."""
    institution = InstitutionFactory(
        name=name, authority=authority, region_code=region_code or authority.region_code, pack_id=pack_id,
        body_kind=body_kind, status=status, code=fields.pop("code", f"JD{next(_codes):010d}"),
        legal_representative=LEGAL_REP, head_name="周建华", contact_phone="0827-5260000",
        valid_until=dt.date(2029, 11, 19), **fields)
    for occupation, levels in scope:
        for level in levels or (None,):
            InstitutionScope.objects.create(institution=institution, name=occupation, level=level)
    publish(institution=institution, actor=None, at=at, active=active)
    return institution


def search(**params: Any) -> dict[str, Any]:
    response = Client().get("/api/v1/public/institutions", params)
    assert response.status_code == 200, response.content
    return response.json()


def names(**params: Any) -> list[str]:
    return [item["name"] for item in search(**params)["items"]]


@pytest.fixture
def directory(bazhong: Authority, chengdu: Authority) -> dict[str, Institution]:
    return {
        "power": filed("巴中市电力职业技能考核鉴定所", bazhong, region_code="511902",
                       scope=[("电工", (5, 4, 3, 2)), ("变配电运行值班员", (5, 4))]),
        "weld": filed("成都市焊工技能评价中心", chengdu, region_code="510104", body_kind="enterprise",
                      scope=[("焊工", (5, 4)), ("电工", (5,))]),
        "cook": filed("成都烹饪职业技能考核鉴定站", chengdu, region_code="510104", scope=[("中式烹调师", (5, 4, 3))]),
    }


# --- search -----------------------------------------------------------------------------------


def test_a_one_character_query_finds_every_name_containing_it(directory: dict[str, Institution]) -> None:
    assert names(q="电") == ["巴中市电力职业技能考核鉴定所"]
    assert set(names(q="技")) == {"成都市焊工技能评价中心", "成都烹饪职业技能考核鉴定站",
                                  "巴中市电力职业技能考核鉴定所"}


def test_two_character_queries_find_the_names_containing_them(directory: dict[str, Institution]) -> None:
    assert names(q="焊工") == ["成都市焊工技能评价中心"]
    assert names(q="电力") == ["巴中市电力职业技能考核鉴定所"]
    assert names(q="电工") == []  # 电工 is an occupation here, not part of any name
    assert names(q="成都 鉴定") == ["成都烹饪职业技能考核鉴定站"]  # every word must match


def test_the_exact_code_finds_its_institution(directory: dict[str, Institution]) -> None:
    assert names(q=directory["cook"].code) == ["成都烹饪职业技能考核鉴定站"]


def test_region_is_a_code_prefix(directory: dict[str, Institution]) -> None:
    assert names(region="5119") == ["巴中市电力职业技能考核鉴定所"]
    assert set(names(region="510104")) == {"成都市焊工技能评价中心", "成都烹饪职业技能考核鉴定站"}
    assert len(names(region="51")) == 3
    assert names(region="15") == []


def test_occupation_and_level_must_hold_for_the_same_scope_item(directory: dict[str, Institution]) -> None:
    assert set(names(occupation="电工")) == {"巴中市电力职业技能考核鉴定所", "成都市焊工技能评价中心"}
    assert names(occupation="焊") == ["成都市焊工技能评价中心"]
    assert names(occupation="烹调") == ["成都烹饪职业技能考核鉴定站"]
    # 2 技师: only the power station's 电工 reaches it.
    assert names(level=2) == ["巴中市电力职业技能考核鉴定所"]
    assert set(names(level=3)) == {"巴中市电力职业技能考核鉴定所", "成都烹饪职业技能考核鉴定站"}
    # 成都焊工 has 电工 (初级) and 焊工 (中级), but no 电工 at 中级.
    assert names(occupation="电工", level=4) == ["巴中市电力职业技能考核鉴定所"]
    assert names(occupation="焊工", level=4) == ["成都市焊工技能评价中心"]


def test_kind_filters_by_the_published_body_kind(directory: dict[str, Institution]) -> None:
    assert names(kind="enterprise") == ["成都市焊工技能评价中心"]


def test_results_come_in_a_stable_order_by_region_then_name(directory: dict[str, Institution]) -> None:
    # 510104 before 511902; within a region, by name.
    assert names() == ["成都市焊工技能评价中心", "成都烹饪职业技能考核鉴定站", "巴中市电力职业技能考核鉴定所"]


def test_unfiled_institutions_and_drafts_never_appear(bazhong: Authority) -> None:
    org = InstitutionFactory(name="巴中市电工培训学校", authority=bazhong, region_code="511902",
                             body_kind="technical_school", pack_id="sc-2021-appraisal")
    applicant = User.objects.create(username="applicant", role=Role.INSTITUTION_USER, institution=org)
    svc.application_create(actor=applicant, institution=org, form=sc_form(org), at=clock.now())
    assert search(q="电工")["total"] == 0
    assert search()["total"] == 0
    assert "巴中市电工培训学校" not in Client().get("/directory/").content.decode()


def test_an_institution_filed_through_the_services_is_found(bazhong: Authority) -> None:
    org = InstitutionFactory(name="巴中市第一技工学校", authority=bazhong, region_code="511902",
                             body_kind="technical_school", pack_id="sc-2021-appraisal")
    applicant = User.objects.create(username="applicant", role=Role.INSTITUTION_USER, institution=org)
    clerk = official(Role.FILING_OFFICIAL, bazhong, "bz-clerk")
    approver = official(Role.APPROVING_OFFICIAL, bazhong, "bz-approver")
    app = svc.application_create(actor=applicant, institution=org, form=sc_form(org), at=clock.now())
    svc.application_attach_material(actor=applicant, application=app, key="filing-form",
                                    upload=SimpleUploadedFile("备案表.pdf", samples.pdf()), at=clock.now())
    app = svc.application_submit(actor=applicant, application=app, at=clock.now())
    assert search(q="技工")["total"] == 0  # submitted is not filed
    svc.application_accept(actor=clerk, application=app, at=clock.now())
    decisions.application_start_evaluation(actor=clerk, application=app, at=clock.now())
    decisions.application_conclude_evaluation(actor=clerk, application=app, passed=True, summary="合格",
                                              at=clock.now())
    filing = decisions.application_file(actor=approver, application=app, at=clock.now())
    found = search(q="技工", occupation="焊工", level=4)
    assert found["total"] == 1
    item = found["items"][0]
    assert item["code"] == filing.code
    assert item["name"] == "巴中市第一技工学校职业技能考核鉴定所"
    assert item["head"] == "周建华"  # 001 五(四) publishes the head …
    assert item["contact"] is None  # … but not the phone


def test_a_superseded_version_is_not_searchable_but_stays_in_history(bazhong: Authority) -> None:
    org = filed("巴中市恩阳区焊接技术评价中心", bazhong, scope=[("焊工", (5,))])
    org.name = "巴中市恩阳区电气技术评价中心"
    org.save()
    InstitutionScope.objects.filter(institution=org).update(name="电工")
    publish(institution=org, actor=None, at=DAY2)
    assert names(q="焊接") == []
    assert names(occupation="焊工") == []
    assert names(q="电气", occupation="电工") == ["巴中市恩阳区电气技术评价中心"]
    history = Client().get(f"/api/v1/public/institutions/{org.code}/history").json()
    assert [(v["version"], v["record"]["name"]) for v in history["versions"]] == [
        (2, "巴中市恩阳区电气技术评价中心"), (1, "巴中市恩阳区焊接技术评价中心")]
    assert history["versions"][1]["superseded_at"] == history["versions"][0]["published_at"]
    assert history["versions"][0]["superseded_at"] is None


def test_history_on_a_date_returns_what_the_public_saw_that_day(bazhong: Authority) -> None:
    """issue 4: GET …/history?on= shows the entry as it was on a past date."""
    org = filed("巴中市甲职业技能评价中心", bazhong, at=DAY1)
    org.name = "巴中市乙职业技能评价中心"
    org.save()
    publish(institution=org, actor=None, at=DAY2)
    url = f"/api/v1/public/institutions/{org.code}/history"

    def seen(on: str) -> tuple[int, str]:
        body = Client().get(url, {"on": on}).json()
        assert len(body["versions"]) == 1
        return body["versions"][0]["version"], body["versions"][0]["record"]["name"]

    assert seen("2026-11-20") == (1, "巴中市甲职业技能评价中心")
    assert seen("2026-11-30") == (1, "巴中市甲职业技能评价中心")
    assert seen("2026-12-01") == (2, "巴中市乙职业技能评价中心")  # published 09:00 that day
    assert seen("2027-06-01") == (2, "巴中市乙职业技能评价中心")
    before = Client().get(url, {"on": "2026-11-19"})
    assert before.status_code == 404
    assert set(before.json()) == {"code", "message"}


def test_an_entry_that_left_the_directory_is_found_only_by_its_status(bazhong: Authority) -> None:
    filed("巴中市注销职业技能评价中心", bazhong, status=Institution.Status.CANCELLED, active=False)
    filed("巴中市在册职业技能评价中心", bazhong)
    assert names() == ["巴中市在册职业技能评价中心"]
    assert names(status="cancelled") == ["巴中市注销职业技能评价中心"]
    assert names(status="filed") == ["巴中市在册职业技能评价中心"]


# --- API shape, errors, pagination ------------------------------------------------------------


def test_the_api_returns_only_the_packs_public_fields(bazhong: Authority, wuhai: Authority) -> None:
    sc = filed("巴中市电力职业技能考核鉴定所", bazhong)
    nm = filed("乌海市电子商务专项能力考核站", wuhai, pack_id="nm-2020-special", scope=[("电子商务运营", ())])
    listing = Client().get("/api/v1/public/institutions")
    detail = Client().get(f"/api/v1/public/institutions/{sc.code}")
    for response in (listing, detail, Client().get(f"/api/v1/public/institutions/{sc.code}/history")):
        text = response.content.decode()
        assert response.status_code == 200
        for secret in ("credit_code", "legal_representative", sc.credit_code, nm.credit_code, LEGAL_REP,
                       "public_id", str(sc.public_id), "institution_id"):
            assert secret not in text
    by_code = {item["code"]: item for item in listing.json()["items"]}
    assert by_code[sc.code]["head"] == "周建华" and by_code[sc.code]["contact"] is None  # 001 五(四)
    assert by_code[nm.code]["contact"] == "0827-5260000" and by_code[nm.code]["head"] is None  # 000 二
    assert detail.json()["status_label"] == "已备案"
    assert detail.json()["scope"] == [{"name": "电工", "levels": ["初级", "中级", "高级"]}]


def test_an_unknown_code_is_404_with_the_error_shape(db: None) -> None:
    for url in ("/api/v1/public/institutions/NOPE", "/api/v1/public/institutions/NOPE/history"):
        response = Client().get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("params", [{"level": 9}, {"level": "高级"}, {"status": "registered"}, {"region": "5x"},
                                    {"kind": "bank"}, {"limit": 101}, {"offset": -1}])
def test_bad_filters_are_422_with_the_error_shape(db: None, params: dict[str, Any]) -> None:
    response = Client().get("/api/v1/public/institutions", params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["message"]


def test_a_bad_level_says_what_levels_exist(db: None) -> None:
    assert "1（高级技师）至 5（初级）" in Client().get("/api/v1/public/institutions?level=9").json()["message"]


def test_a_bad_date_is_422(bazhong: Authority) -> None:
    org = filed("巴中市丙职业技能评价中心", bazhong)
    response = Client().get(f"/api/v1/public/institutions/{org.code}/history", {"on": "2026-13-01"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_limit_and_offset_page_through_a_total(bazhong: Authority) -> None:
    for n in range(25):
        filed(f"巴中市第{n:02d}电工评价站", bazhong)
    first = search(limit=10)
    assert first["total"] == 25 and len(first["items"]) == 10
    last = search(limit=10, offset=20)
    assert len(last["items"]) == 5
    every = search(limit=100)["items"]
    assert [i["name"] for i in every] == sorted(i["name"] for i in every)
    assert [i["name"] for i in last["items"]] == [i["name"] for i in every[20:]]
    assert len(search()["items"]) == 20  # the default page


def test_the_api_needs_no_login(directory: dict[str, Institution]) -> None:
    client = Client()
    assert client.get("/api/v1/public/institutions").status_code == 200
    assert client.get(f"/api/v1/public/institutions/{directory['power'].code}").status_code == 200


def test_the_list_makes_the_same_queries_for_3_and_30_entries(
        bazhong: Authority, django_assert_num_queries: Any) -> None:
    for n in range(3):
        filed(f"巴中市小{n}电工评价站", bazhong)
    with django_assert_num_queries(2):  # the count and the page
        assert len(search(occupation="电工", level=5)["items"]) == 3
    for n in range(27):
        filed(f"巴中市大{n}电工评价站", bazhong)
    with django_assert_num_queries(2):
        assert len(search(occupation="电工", level=5, limit=30)["items"]) == 30


def test_empty_filters_mean_any_and_like_wildcards_are_literal(directory: dict[str, Institution]) -> None:
    assert search(q="", region="", kind="", occupation="", level="", status="")["total"] == 3
    assert search(occupation="%")["total"] == 0
    assert search(q="_")["total"] == 0


def test_the_public_endpoints_declare_their_schemas_and_no_security(db: None) -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/public/institutions", "/api/v1/public/institutions/{code}",
                 "/api/v1/public/institutions/{code}/history"):
        operation = paths[path]["get"]
        assert "security" not in operation or operation["security"] == []
        assert "application/json" in operation["responses"]["200"]["content"]
    listed = {p["name"] for p in paths["/api/v1/public/institutions"]["get"]["parameters"]}
    assert listed == {"q", "region", "kind", "occupation", "level", "status", "limit", "offset"}
