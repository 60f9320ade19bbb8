"""/api/v1/calendar: public, 200 with {date, provisional}, 422 with {code, message}."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/api/v1/calendar/add-workdays"


def test_it_needs_no_login(client: Client) -> None:
    response = client.get(URL, {"start": "2026-09-30", "days": "5"})
    assert response.status_code == 200
    assert response.json() == {"date": "2026-10-13", "provisional": False}


def test_into_an_unknown_year_it_is_provisional(client: Client) -> None:
    response = client.get(URL, {"start": "2026-12-30", "days": "3"})
    assert response.json() == {"date": "2027-01-04", "provisional": True}


def test_zero_days_returns_the_start(client: Client) -> None:
    assert client.get(URL, {"start": "2026-10-01", "days": "0"}).json()["date"] == "2026-10-01"


@pytest.mark.parametrize(
    ("params", "field", "fragment"),
    [
        ({"start": "2026-02-30", "days": "5"}, "start", "不是有效日期"),
        ({"start": "30/09/2026", "days": "5"}, "start", "不是有效日期"),
        ({"start": "2026-09-30", "days": "-1"}, "days", "不能为负数"),
        ({"start": "2026-09-30", "days": "3651"}, "days", "不能超过 3650"),
        ({"start": "2026-09-30", "days": "五"}, "days", "应为整数"),
        ({"start": "1999-12-31", "days": "5"}, "start", "超出支持范围"),
    ],
)
def test_bad_input_gets_a_422_with_a_chinese_message(
    client: Client, params: dict[str, str], field: str, fragment: str
) -> None:
    response = client.get(URL, params)
    assert response.status_code == 422
    body = response.json()
    assert set(body) >= {"code", "message"}
    assert body["code"] == "invalid"
    assert body["field"] == field
    assert fragment in body["message"]


def test_a_missing_parameter_is_a_422(client: Client) -> None:
    response = client.get(URL, {"start": "2026-09-30"})
    assert response.status_code == 422
    assert {"code", "message"} <= set(response.json())


class TestYearDays:
    def test_a_known_year_lists_holidays_and_make_up_days_by_month(self, client: Client) -> None:
        response = client.get("/api/v1/calendar/days", {"year": "2026"})
        assert response.status_code == 200
        body = response.json()
        assert (body["year"], body["known"], body["provisional"]) == (2026, True, False)
        assert body["source"] == "library"
        assert len(body["months"]) == 12
        october = {d["date"]: d for d in body["months"][9]["days"]}
        assert october["2026-10-10"]["kind"] == "makeup_workday"
        assert october["2026-10-10"]["is_workday"] is True
        assert october["2026-10-01"]["kind"] == "holiday"
        assert october["2026-10-01"]["name"] == "国庆节"
        assert "2026-10-12" not in october  # an ordinary Monday

    def test_an_unknown_year_is_provisional(self, client: Client) -> None:
        body = client.get("/api/v1/calendar/days", {"year": "2031"}).json()
        assert (body["known"], body["provisional"], body["source"]) == (False, True, "unknown")
        assert all(m["days"] == [] for m in body["months"])

    def test_an_entered_year_is_known(self, client: Client, year_2027: Any) -> None:
        body = client.get("/api/v1/calendar/days", {"year": "2027"}).json()
        assert (body["known"], body["source"]) == (True, "entered")
        assert body["months"][0]["days"][0]["name"] == "元旦"

    @pytest.mark.parametrize("year", ["abc", "1999", "2100"])
    def test_a_bad_year_is_a_422(self, client: Client, year: str) -> None:
        response = client.get("/api/v1/calendar/days", {"year": year})
        assert response.status_code == 422
        assert response.json()["field"] == "year"


def test_the_schemas_are_in_the_openapi_document(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    get = schema["paths"]["/api/v1/calendar/add-workdays"]["get"]
    assert set(get["responses"]) >= {"200", "422"}
    assert {"date", "provisional"} <= set(schema["components"]["schemas"]["WorkdayOut"]["properties"])
