"""Pages: the public year view and calculator; the administrator's year entry."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from skillreg.audit.models import AuditEvent
from skillreg.workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

CALENDAR = reverse("workdays:calendar")
ENTER = reverse("workdays:enter_year")


class TestCalendarPage:
    def test_it_is_public_and_shows_holidays_and_make_up_days(self, client: Client) -> None:
        response = client.get(CALENDAR, {"year": "2026"})
        assert response.status_code == 200
        html = response.content.decode()
        assert "春节调休上班" in html
        assert "国庆节" in html
        assert 'class="makeup' in html

    def test_an_unknown_year_is_marked_provisional(self, client: Client) -> None:
        html = client.get(CALENDAR, {"year": "2031"}).content.decode()
        assert "2031 年法定节假日安排尚未录入" in html

    def test_the_calculator_shows_the_result(self, client: Client) -> None:
        html = client.get(CALENDAR, {"start": "2026-09-30", "days": "5"}).content.decode()
        assert "2026年10月13日" in html
        assert "暂定" not in html

    def test_a_provisional_result_says_so(self, client: Client) -> None:
        html = client.get(CALENDAR, {"start": "2026-12-30", "days": "3"}).content.decode()
        assert "2027年1月4日" in html
        assert "暂定（该年度法定节假日安排尚未录入）" in html

    def test_a_bad_count_keeps_the_input_and_explains(self, client: Client) -> None:
        html = client.get(CALENDAR, {"start": "2026-09-30", "days": "4000"}).content.decode()
        assert "工作日数不能超过 3650" in html
        assert 'value="4000"' in html
        assert 'value="2026-09-30"' in html

    def test_a_bad_date_is_explained(self, client: Client) -> None:
        html = client.get(CALENDAR, {"start": "2026-02-30", "days": "5"}).content.decode()
        assert "日期无效，应为 YYYY-MM-DD" in html

    def test_a_bad_year_falls_back_with_a_message(self, client: Client) -> None:
        response = client.get(CALENDAR, {"year": "abc"})
        assert response.status_code == 200
        assert "年度「abc」无效" in response.content.decode()


GOOD = "2027-01-01,休,元旦\n2027-02-07,班,春节调休上班\n"
BAD = "2027-01-01,休,元旦\n2027-13-01,休,元旦\n2026-12-31,休,元旦\n2027-02-07,上午,春节\n"


class TestEnterYear:
    def test_it_requires_login(self, client: Client) -> None:
        response = client.get(ENTER)
        assert response.status_code == 302
        assert "/login/" in response["Location"]

    def test_it_does_not_exist_for_other_roles(self, client: Client, official: Any) -> None:
        client.force_login(official)
        assert client.get(ENTER).status_code == 404
        response = client.post(ENTER, {"year": "2027", "note": "x", "lines": GOOD})
        assert response.status_code == 404
        assert not CalendarYear.objects.exists()

    def test_the_administrator_sees_the_form(self, client: Client, sysadmin: Any) -> None:
        client.force_login(sysadmin)
        response = client.get(ENTER, {"year": "2027"})
        assert response.status_code == 200
        assert "录入年度节假日安排" in response.content.decode()

    def test_a_known_year_is_prefilled_for_correction(self, client: Client, sysadmin: Any) -> None:
        client.force_login(sysadmin)
        html = client.get(ENTER, {"year": "2026"}).content.decode()
        assert "2026-10-10,班,国庆节调休上班" in html

    def test_bad_lines_are_all_listed_and_the_text_kept(
        self, client: Client, sysadmin: Any
    ) -> None:
        client.force_login(sysadmin)
        response = client.post(ENTER, {"year": "2027", "note": "国办发明电〔2026〕测试号", "lines": BAD})
        assert response.status_code == 200
        html = response.content.decode()
        assert "第 2 行「2027-13-01,休,元旦」" in html
        assert "第 3 行「2026-12-31,休,元旦」：日期不在 2027 年内" in html
        assert "第 4 行「2027-02-07,上午,春节」" in html
        assert "2027-13-01,休,元旦\n2026-12-31,休,元旦" in html  # the textarea keeps it
        assert "国办发明电〔2026〕测试号" in html
        assert not CalendarYear.objects.exists()

    def test_a_good_schedule_is_recorded_and_shown(self, client: Client, sysadmin: Any) -> None:
        client.force_login(sysadmin)
        response = client.post(ENTER, {"year": "2027", "note": "国办发明电〔2026〕测试号", "lines": GOOD})
        assert response.status_code == 302
        assert response["Location"] == f"{CALENDAR}?year=2027"
        assert CalendarDay.objects.count() == 2
        assert AuditEvent.objects.filter(action="calendar.year_entered", actor=sysadmin).exists()
        html = client.get(response["Location"]).content.decode()
        assert "春节调休上班" in html
        assert "尚未录入" not in html

    def test_a_csv_upload_is_accepted(self, client: Client, sysadmin: Any) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        client.force_login(sysadmin)
        upload = SimpleUploadedFile(
            "2027.csv", ("\ufeffdate,is_workday,name\n" + GOOD).encode(), "text/csv"
        )
        response = client.post(ENTER, {"year": "2027", "note": "测试", "upload": upload})
        assert response.status_code == 302
        assert CalendarDay.objects.count() == 2

    def test_empty_lines_are_refused(self, client: Client, sysadmin: Any) -> None:
        client.force_login(sysadmin)
        response = client.post(ENTER, {"year": "2027", "note": "测试", "lines": ""})
        assert "请填写该年度的安排" in response.content.decode()
