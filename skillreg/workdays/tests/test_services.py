"""calendar_year_enter: validated, audited, replaced on re-entry, announced after commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from skillreg.audit.models import AuditEvent
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.workdays.models import CalendarDay, CalendarYear
from skillreg.workdays.schedule import DayEntry
from skillreg.workdays.services import calendar_year_enter
from skillreg.workdays.signals import calendar_changed
from skillreg.workdays.tests.conftest import SCHEDULE_2027

pytestmark = pytest.mark.django_db
D = dt.date


def test_entering_a_year_writes_its_days_and_an_audit_event(year_2027: Any, sysadmin: Any) -> None:
    assert year_2027.entered_by == sysadmin
    assert list(CalendarDay.objects.values_list("date", "is_workday", "name")) == [
        (d.date, d.is_workday, d.name) for d in SCHEDULE_2027
    ]
    event = AuditEvent.objects.get(action="calendar.year_entered")
    assert event.actor_id == sysadmin.pk
    assert event.object_id == str(year_2027.pk)
    assert event.before is None
    after = event.after
    assert after is not None
    assert after["days"][0] == ["2027-01-01", "休", "元旦"]
    assert "2027" in event.summary


def test_entering_it_again_replaces_its_days_and_records_before_and_after(
    year_2027: Any, sysadmin: Any
) -> None:
    calendar_year_enter(
        actor=sysadmin, year=2027, days=[(D(2027, 1, 1), False, "元旦")], note="更正：撤销春节测试数据"
    )
    assert CalendarYear.objects.count() == 1
    assert list(CalendarDay.objects.values_list("date", flat=True)) == [D(2027, 1, 1)]
    second = AuditEvent.objects.filter(action="calendar.year_entered").order_by("-seq").first()
    assert second is not None
    before, after = second.before, second.after
    assert before is not None and after is not None
    assert len(before["days"]) == 3
    assert after["days"] == [["2027-01-01", "休", "元旦"]]
    assert after["note"] == "更正：撤销春节测试数据"


def test_the_signal_is_sent_after_commit_with_the_year(
    sysadmin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    received: list[list[int]] = []

    def receiver(sender: Any, years: list[int], **kwargs: Any) -> None:
        received.append(years)

    calendar_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            calendar_year_enter(actor=sysadmin, year=2027, days=SCHEDULE_2027, note="测试")
        assert received == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        calendar_changed.disconnect(receiver)
    assert received == [[2027]]


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ([DayEntry(D(2026, 12, 31), False, "元旦")], "2026-12-31 不在 2027 年内"),
        (
            [DayEntry(D(2027, 1, 1), False, "元旦"), DayEntry(D(2027, 1, 1), True, "元旦")],
            "2027-01-01 重复录入",
        ),
        ([DayEntry(D(2027, 1, 1), False, " ")], "缺少名称"),
        ([], "请至少录入一天"),
    ],
)
def test_bad_days_are_refused_and_nothing_is_written(
    sysadmin: Any, days: list[DayEntry], message: str
) -> None:
    with pytest.raises(InvalidInput) as exc:
        calendar_year_enter(actor=sysadmin, year=2027, days=days, note="测试")
    assert message in exc.value.message
    assert not CalendarYear.objects.exists()
    assert not AuditEvent.objects.filter(action="calendar.year_entered").exists()


def test_a_year_outside_the_range_is_refused(sysadmin: Any) -> None:
    with pytest.raises(InvalidInput, match="年度应在"):
        calendar_year_enter(actor=sysadmin, year=2100, days=SCHEDULE_2027, note="测试")


def test_a_note_is_required(sysadmin: Any) -> None:
    with pytest.raises(InvalidInput, match="请填写依据"):
        calendar_year_enter(actor=sysadmin, year=2027, days=SCHEDULE_2027, note="  ")


def test_it_requires_the_system_administrator(official: Any) -> None:
    with pytest.raises(DomainError) as exc:
        calendar_year_enter(actor=official, year=2027, days=SCHEDULE_2027, note="测试")
    assert exc.value.code == "forbidden"
    assert not CalendarYear.objects.exists()


def test_a_known_year_may_be_entered_empty_to_withdraw_corrections(sysadmin: Any) -> None:
    calendar_year_enter(actor=sysadmin, year=2026, days=[], note="撤销更正")
    assert CalendarYear.objects.filter(year=2026).exists()
