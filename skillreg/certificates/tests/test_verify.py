"""Public verification, API and page: no login, one certificate at most, masked, rate-limited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from skillreg.accounts.models import User
from skillreg.certificates.models import Certificate
from skillreg.certificates.services import certificate_revoke
from skillreg.certificates.tests.conftest import make_id
from skillreg.conftest import NOW

pytestmark = pytest.mark.django_db

API = "/api/v1/public/certificates/verify"
PAGE = "/certificates/verify/"
ID = make_id("150302", "19880315", 41)


@pytest.fixture
def cert(nm_user: User, issue: Callable[..., list[Certificate]]) -> Certificate:
    return issue(nm_user, holders=[("张伟", ID)], level=4)[0]


def test_it_verifies_by_number_without_login(cert: Certificate) -> None:
    response = Client().get(API, {"number": cert.number})
    assert response.status_code == 200
    assert response.json() == {
        "holder_name": "张伟", "id_number_masked": ID[:6] + "********" + ID[-4:], "occupation": "电工",
        "level": 4, "level_label": "中级", "issuer": "乌海市技能评价服务中心", "issued_on": "2026-11-20",
        "status": "valid", "status_label": "有效",
    }


def test_the_masked_id_keeps_the_first_six_and_last_four(cert: Certificate) -> None:
    masked = Client().get(API, {"number": cert.number}).json()["id_number_masked"]
    assert masked == ID[:6] + "*" * 8 + ID[-4:]


def test_it_verifies_by_id_number_and_name(cert: Certificate) -> None:
    response = Client().get(API, {"id_number": ID.lower(), "name": " 张伟 "})
    assert response.status_code == 200
    assert response.json()["issuer"] == "乌海市技能评价服务中心"


def test_a_revoked_certificate_verifies_as_revoked_not_missing(cert: Certificate, wh_official: User) -> None:
    # 002 第二十六条 (追缴): the revoked certificate is still found, and says so.
    certificate_revoke(actor=wh_official, certificate=cert, reason="违规发放", at=NOW)
    for params in ({"number": cert.number}, {"id_number": ID, "name": "张伟"}):
        response = Client().get(API, params)
        assert response.status_code == 200
        assert response.json()["status"] == "revoked" and response.json()["status_label"] == "已撤销"
        assert "违规发放" not in response.content.decode()
    page = Client().get(PAGE, {"number": cert.number})
    assert page.status_code == 200 and "该证书已撤销" in page.content.decode()


def test_a_wrong_name_is_indistinguishable_from_a_missing_certificate(cert: Certificate) -> None:
    wrong_name = Client().get(API, {"id_number": ID, "name": "张玮"})
    missing_id = Client().get(API, {"id_number": make_id(seq=999), "name": "张伟"})
    missing_number = Client().get(API, {"number": "S000015000007264999999"})
    assert wrong_name.status_code == missing_id.status_code == missing_number.status_code == 404
    assert wrong_name.content == missing_id.content == missing_number.content
    assert wrong_name.json() == {"code": "not_found", "message": "未找到该证书"}
    page_wrong = Client().get(PAGE, {"id_number": ID, "name": "张玮"})
    page_missing = Client().get(PAGE, {"id_number": make_id(seq=999), "name": "张玮"})
    assert page_wrong.status_code == page_missing.status_code == 404
    assert "未找到该证书" in page_wrong.content.decode()


@pytest.mark.parametrize("params", [{"id_number": ID}, {"name": "张伟"}, {}])
def test_id_number_and_name_are_required_together(cert: Certificate, params: dict[str, str]) -> None:
    response = Client().get(API, params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert "同时填写身份证号码和姓名" in response.json()["message"]


def test_several_certificates_of_one_person_are_never_listed(
        nm_user: User, cert: Certificate, issue: Callable[..., list[Certificate]]) -> None:
    issue(nm_user, holders=[("张伟", ID)], level=3)
    response = Client().get(API, {"id_number": ID, "name": "张伟"})
    assert response.status_code == 409
    assert response.json()["code"] == "number_required"
    assert "电工" not in response.content.decode() and cert.number not in response.content.decode()
    # Each number still verifies on its own.
    assert Client().get(API, {"number": cert.number}).json()["level"] == 4


def test_no_public_response_carries_the_full_id(cert: Certificate, nm_user: User,
                                                issue: Callable[..., list[Certificate]]) -> None:
    issue(nm_user, holders=[("张伟", ID)], level=5)
    client = Client()
    responses = [
        client.get(API, {"number": cert.number}),
        client.get(API, {"id_number": ID, "name": "张伟"}),  # 409: several
        client.get(API, {"id_number": ID, "name": "李四"}),
        client.get(API, {"id_number": ID}),
        client.get(PAGE, {"number": cert.number}),
        client.get(PAGE, {"id_number": ID, "name": "张伟"}),
        client.get(PAGE, {"id_number": ID, "name": "李四"}),
    ]
    for response in responses:
        body = response.content.decode()
        # The page keeps what the visitor typed in the form field, and nothing else of it.
        assert body.count(ID) == (1 if response.get("Content-Type", "").startswith("text/html")
                                  and "id_number=" in response.wsgi_request.get_full_path() else 0), body[:300]
        assert ID[6:14] not in body.replace(f'value="{ID}"', "")


def test_the_rate_limit_answers_429_stating_the_limit(settings, cert: Certificate) -> None:  # type: ignore[no-untyped-def]
    settings.SKILLREG_VERIFY_RATE_LIMIT = 3
    settings.SKILLREG_VERIFY_RATE_WINDOW = 60
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(3):
        assert client.get(API, {"number": cert.number}).status_code == 200
    limited = client.get(API, {"number": cert.number})
    assert limited.status_code == 429
    body = limited.json()
    assert body["code"] == "rate_limited" and body["limit"] == 3 and body["window_seconds"] == 60
    assert "每 60 秒最多查验 3 次" in body["message"]
    assert int(limited["Retry-After"]) == body["retry_after"] > 0
    # The page shares the counter, and says the same.
    page = client.get(PAGE, {"number": cert.number})
    assert page.status_code == 429 and "每 60 秒最多查验 3 次" in page.content.decode()
    assert page["Retry-After"]
    # Another address is not affected.
    assert Client(REMOTE_ADDR="203.0.113.8").get(API, {"number": cert.number}).status_code == 200


def test_the_default_limit_is_thirty_a_minute(cert: Certificate) -> None:
    client = Client(REMOTE_ADDR="198.51.100.1")
    codes = [client.get(API, {"number": cert.number}).status_code for _ in range(31)]
    assert codes[:30] == [200] * 30 and codes[30] == 429


def test_the_page_needs_no_login_and_keeps_what_was_typed(cert: Certificate) -> None:
    empty = Client().get(PAGE)
    assert empty.status_code == 200 and "证书查验" in empty.content.decode()
    typed = Client().get(PAGE, {"id_number": ID, "name": ""})
    assert typed.status_code == 422
    html = typed.content.decode()
    assert f'value="{ID}"' in html and "同时填写身份证号码和姓名" in html


def test_a_qr_link_lands_on_the_page_with_the_number_filled(cert: Certificate) -> None:
    response = Client().get(PAGE, {"number": cert.number})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{cert.number}"' in html and "证书有效" in html and "张伟" in html
    assert ID[:6] + "********" + ID[-4:] in html


def test_verification_is_one_query(cert: Certificate, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    with django_assert_num_queries(1):
        client.get(API, {"number": cert.number})
    with django_assert_num_queries(1):
        client.get(API, {"id_number": ID, "name": "张伟"})
