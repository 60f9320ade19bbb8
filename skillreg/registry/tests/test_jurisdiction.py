"""An official sees only their jurisdiction; an institution user only their institution.

What is not visible is a 404, the same as what does not exist, on the page and in the API.
"""

from __future__ import annotations

import uuid

import pytest

from skillreg.accounts.models import Authority, Role, User
from skillreg.conftest import login, make_user
from skillreg.registry.factories import InstitutionFactory, make_credit_code
from skillreg.registry.models import Institution

pytestmark = pytest.mark.django_db


@pytest.fixture
def bz_institution(bazhong: Authority) -> Institution:
    return InstitutionFactory(name="巴中市甲职业技能评价中心", authority=bazhong)


@pytest.fixture
def wh_institution(wuhai: Authority) -> Institution:
    return InstitutionFactory(name="乌海市乙考核中心", authority=wuhai,
                              credit_code=make_credit_code("150300", 7), pack_id="nm-2020-special")


def test_an_official_of_one_city_gets_404_for_another_citys_institution(
    bz_official: User, wh_institution: Institution
) -> None:
    client = login(bz_official)
    page = client.get(f"/institutions/{wh_institution.public_id}/")
    api = client.get(f"/api/v1/institutions/{wh_institution.public_id}")
    assert page.status_code == 404
    assert api.status_code == 404
    assert api.json() == {"code": "not_found", "message": "未找到该对象"}
    assert wh_institution.name not in page.content.decode()


def test_a_hidden_object_and_a_missing_one_answer_the_same(
    bz_official: User, wh_institution: Institution
) -> None:
    client = login(bz_official)
    hidden = client.get(f"/api/v1/institutions/{wh_institution.public_id}")
    missing = client.get(f"/api/v1/institutions/{uuid.uuid4()}")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


def test_an_official_reads_institutions_of_their_own_city(
    bz_official: User, bz_institution: Institution, wh_institution: Institution
) -> None:
    client = login(bz_official)
    page = client.get(f"/institutions/{bz_institution.public_id}/")
    assert page.status_code == 200
    assert bz_institution.name in page.content.decode()
    listed = client.get("/api/v1/institutions").json()
    assert [i["name"] for i in listed] == [bz_institution.name]


def test_a_province_official_sees_every_city_of_the_province(
    sichuan: Authority, chengdu: Authority, bz_institution: Institution,
    wh_institution: Institution
) -> None:
    cd_inst = InstitutionFactory(name="成都市丙鉴定所", authority=chengdu)
    province = make_user(Role.APPROVING_OFFICIAL, sichuan, username="sc-approver")
    names = {i["name"] for i in login(province).get("/api/v1/institutions").json()}
    assert names == {bz_institution.name, cd_inst.name}


def test_a_city_official_does_not_see_a_sibling_city(
    chengdu: Authority, bz_institution: Institution
) -> None:
    cd_official = make_user(Role.CENTRE_STAFF, chengdu, username="cd-centre")
    assert login(cd_official).get(f"/institutions/{bz_institution.public_id}/").status_code == 404


def test_an_institution_user_sees_only_their_own_institution(
    bazhong: Authority, bz_institution: Institution
) -> None:
    other = InstitutionFactory(name="巴中市另一机构", authority=bazhong)
    staff = make_user(Role.INSTITUTION_USER, None, username="inst-staff", institution=bz_institution)
    client = login(staff)
    assert client.get(f"/institutions/{bz_institution.public_id}/").status_code == 200
    assert client.get(f"/institutions/{other.public_id}/").status_code == 404
    assert [i["name"] for i in client.get("/api/v1/institutions").json()] == [bz_institution.name]


def test_an_expert_sees_no_institution_without_an_assignment(
    bazhong: Authority, bz_institution: Institution
) -> None:
    expert = make_user(Role.EXPERT, bazhong, username="bz-expert")
    assert login(expert).get(f"/institutions/{bz_institution.public_id}/").status_code == 404


def test_the_system_administrator_sees_all(
    admin_user: User, bz_institution: Institution, wh_institution: Institution
) -> None:
    names = {i["name"] for i in login(admin_user).get("/api/v1/institutions").json()}
    assert names == {bz_institution.name, wh_institution.name}


def test_anonymous_users_are_sent_to_login_or_refused(bz_institution: Institution) -> None:
    from django.test import Client

    client = Client()
    page = client.get(f"/institutions/{bz_institution.public_id}/")
    assert page.status_code == 302 and "/login/" in page["Location"]
    api = client.get("/api/v1/institutions")
    assert api.status_code == 401
    assert api.json()["code"] == "unauthenticated"


def test_the_list_page_makes_the_same_queries_for_1_and_20_rows(
    bz_official: User, bazhong: Authority, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = login(bz_official)
    InstitutionFactory(authority=bazhong)
    with django_assert_max_num_queries(8) as one:
        client.get("/institutions/")
    InstitutionFactory.create_batch(19, authority=bazhong)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get("/institutions/").status_code == 200
