"""calendar-import: all rows good or nothing written; a one-line summary."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from skillreg.audit.models import AuditEvent
from skillreg.workdays.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "2027.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_with_a_bad_row_writes_nothing(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "date,is_workday,name\n2027-01-01,休,元旦\n2027-02-30,休,春节\n2027-02-07,x,春节\n",
    )
    err = StringIO()
    with pytest.raises(CommandError, match=r"未写入：.* 有 2 行错误"):
        call_command("calendar-import", str(path), year=2027, note="测试", stderr=err)
    assert "第 3 行" in err.getvalue()
    assert "第 4 行" in err.getvalue()
    assert not CalendarYear.objects.exists()
    assert not CalendarDay.objects.exists()


def test_a_good_file_is_entered_with_a_summary(tmp_path: Path, sysadmin: Any) -> None:
    path = _write(tmp_path, "date,is_workday,name\n2027-01-01,休,元旦\n2027-02-07,班,春节调休上班\n")
    out = StringIO()
    call_command(
        "calendar-import", str(path), year=2027, note="测试", actor=sysadmin.username, stdout=out
    )
    assert out.getvalue().strip().startswith("已录入 2027 年节假日安排：休 1 天、班 1 天")
    assert len(out.getvalue().strip().splitlines()) == 1
    assert CalendarDay.objects.count() == 2
    assert AuditEvent.objects.get(action="calendar.year_entered").actor_id == sysadmin.pk


def test_the_actor_must_be_the_system_administrator(tmp_path: Path, official: Any) -> None:
    path = _write(tmp_path, "2027-01-01,休,元旦\n")
    with pytest.raises(CommandError, match="不是系统管理员"):
        call_command("calendar-import", str(path), year=2027, note="测试", actor=official.username)


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("calendar-import", str(tmp_path / "none.csv"), year=2027, note="测试")
