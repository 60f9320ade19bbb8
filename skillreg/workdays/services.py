"""Writes to the working-day calendar: entering (or re-entering) a year's arrangement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import IntegrityError, transaction

from skillreg.audit.services import record
from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.workdays.calendar import library_knows
from skillreg.workdays.models import MAX_YEAR, MIN_YEAR, CalendarDay, CalendarYear
from skillreg.workdays.schedule import NAME_MAX_LENGTH, DayEntry
from skillreg.workdays.signals import calendar_changed

NOTE_MAX_LENGTH = 200


def can_enter_calendar(user: Any) -> bool:
    """Only the system administrator enters or corrects the State Council's arrangement."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return getattr(user, "role", None) == "sysadmin" or bool(user.is_superuser)


def _problems(year: int, days: Sequence[DayEntry], note: str) -> list[str]:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return [f"年度应在 {MIN_YEAR}–{MAX_YEAR} 之间"]
    problems = []
    if not note.strip():
        problems.append("请填写依据（如国务院办公厅通知文号）")
    elif len(note) > NOTE_MAX_LENGTH:
        problems.append(f"依据不超过 {NOTE_MAX_LENGTH} 字")
    # A year nobody knows, entered with no days, would claim a year without a single
    # public holiday: certainly a mistake. For a known year an empty entry withdraws
    # the administrator's corrections.
    if not days and not library_knows(year):
        problems.append(f"{year} 年尚无内置安排，请至少录入一天（节假日或调休上班日）")
    seen: set[dt.date] = set()
    for d in days:
        if d.date.year != year:
            problems.append(f"{d.date.isoformat()} 不在 {year} 年内")
        if d.date in seen:
            problems.append(f"{d.date.isoformat()} 重复录入")
        seen.add(d.date)
        if not d.name.strip():
            problems.append(f"{d.date.isoformat()} 缺少名称")
        elif len(d.name) > NAME_MAX_LENGTH:
            problems.append(f"{d.date.isoformat()} 的名称过长（不超过 {NAME_MAX_LENGTH} 字）")
    return problems


def _snapshot(calendar_year: CalendarYear) -> dict[str, Any]:
    return {
        "year": calendar_year.year,
        "note": calendar_year.note,
        "days": [
            [d.date.isoformat(), "班" if d.is_workday else "休", d.name]
            for d in calendar_year.days.order_by("date")
        ],
    }


@transaction.atomic
def calendar_year_enter(
    *, actor: Any, year: int, days: Iterable[DayEntry | tuple[dt.date, bool, str]], note: str,
    at: dt.datetime | None = None,
) -> CalendarYear:
    """Enter ``year``'s arrangement; entering it again replaces its days.

    ``actor`` None is the system (the ``calendar-import`` command run without ``--actor``).
    Results computed across the year are recomputed by the receivers of ``calendar_changed``,
    sent once the transaction has committed.
    """
    if actor is not None and not can_enter_calendar(actor):
        raise DomainError("只有系统管理员可以录入节假日安排", code="forbidden")
    entries = [DayEntry(d[0], bool(d[1]), str(d[2]).strip()) for d in days]
    note = note.strip()
    problems = _problems(year, entries, note)
    if problems:
        raise InvalidInput("；".join(problems), field="days")
    at = at or clock.now()

    # Lock the year's row so that two administrators re-entering it cannot interleave.
    calendar_year = CalendarYear.objects.select_for_update().filter(year=year).first()
    if calendar_year is None:
        before = None
        try:
            with transaction.atomic():
                calendar_year = CalendarYear.objects.create(
                    year=year, note=note, entered_by=actor, entered_at=at
                )
        except IntegrityError:
            # Another administrator entered the same year a moment ago (unique year).
            raise DomainError(
                f"{year} 年安排刚被他人录入，请刷新后核对再提交", code="conflict"
            ) from None
    else:
        before = _snapshot(calendar_year)
        calendar_year.days.all().delete()
        calendar_year.note, calendar_year.entered_by, calendar_year.entered_at = note, actor, at
        calendar_year.save(update_fields=["note", "entered_by", "entered_at"])
    CalendarDay.objects.bulk_create(
        CalendarDay(calendar_year=calendar_year, date=d.date, is_workday=d.is_workday, name=d.name)
        for d in sorted(entries)
    )
    rest = sum(not d.is_workday for d in entries)
    record(
        actor=actor, action="calendar.year_entered", obj=calendar_year,
        summary=(
            f"{'更正' if before else '录入'} {year} 年节假日安排：休 {rest} 天、"
            f"班 {len(entries) - rest} 天（{note}）"
        ),
        before=before, after=_snapshot(calendar_year), at=at,
    )
    transaction.on_commit(
        lambda: calendar_changed.send(
            sender=CalendarYear, years=[year], calendar_year=calendar_year
        )
    )
    return calendar_year
