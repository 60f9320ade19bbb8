from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from skillreg.accounts.models import Authority
from skillreg.workdays.schedule import DayEntry
from skillreg.workdays.services import calendar_year_enter

# A made-up 2027 arrangement for tests (the State Council has not published it yet):
# 元旦 on Friday 1 January, and a Spring Festival week with a make-up Sunday.
SCHEDULE_2027 = [
    DayEntry(dt.date(2027, 1, 1), False, "元旦"),
    DayEntry(dt.date(2027, 2, 5), False, "春节"),
    DayEntry(dt.date(2027, 2, 7), True, "春节调休上班"),
]


@pytest.fixture
def sysadmin(db: Any) -> Any:
    return get_user_model().objects.create_user(
        username="wd-admin", password="unused-password-1", role="sysadmin",
        display_name="系统管理员甲",
    )


@pytest.fixture
def official(db: Any) -> Any:
    authority = Authority.objects.create(
        name="测试市人力资源和社会保障局", region_code="510100", region_name="成都市", level="city",
    )
    return get_user_model().objects.create_user(
        username="wd-official", password="unused-password-1", role="filing_official",
        authority=authority,
    )


@pytest.fixture
def year_2027(sysadmin: Any) -> Any:
    return calendar_year_enter(
        actor=sysadmin, year=2027, days=SCHEDULE_2027, note="国办发明电〔2026〕测试号"
    )
