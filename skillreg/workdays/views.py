"""Pages: the public year view with its calculator, and the administrator's year entry."""

from __future__ import annotations

import calendar as stdcal
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.workdays import selectors
from skillreg.workdays.calendar import (
    PROVISIONAL_NOTE,
    DayInfo,
    WorkCalendar,
    library_knows,
    year_schedule,
)
from skillreg.workdays.forms import CalculatorForm, EnterYearForm
from skillreg.workdays.models import MAX_YEAR, MIN_YEAR
from skillreg.workdays.schedule import DayEntry, format_schedule, parse_schedule
from skillreg.workdays.services import calendar_year_enter, can_enter_calendar

_MONTHS = stdcal.Calendar(firstweekday=0)


@dataclass(frozen=True)
class _Month:
    number: int
    weeks: list[list[DayInfo | None]]  # None: a day of the neighbouring month
    special: list[DayInfo]


def _months(days: list[DayInfo], year: int) -> list[_Month]:
    by_date = {d.date: d for d in days}
    months = []
    for number in range(1, 13):
        weeks = [
            [by_date[d] if d.month == number else None for d in week]
            for week in _MONTHS.monthdatescalendar(year, number)
        ]
        special = [d for d in days if d.date.month == number and d.is_special]
        months.append(_Month(number, weeks, special))
    return months


def _requested_year(request: HttpRequest) -> tuple[int, str]:
    today_year = clock.today().year
    raw = request.GET.get("year", "").strip()
    if not raw:
        return today_year, ""
    try:
        year = int(raw)
    except ValueError:
        return today_year, f"年度「{raw}」无效，已显示 {today_year} 年"
    if not MIN_YEAR <= year <= MAX_YEAR:
        return today_year, f"年度应在 {MIN_YEAR}–{MAX_YEAR} 之间，已显示 {today_year} 年"
    return year, ""


def calendar_page(request: HttpRequest) -> HttpResponse:
    year, year_error = _requested_year(request)
    cal = WorkCalendar()
    schedule = year_schedule(year, calendar=cal)

    bound = "start" in request.GET or "days" in request.GET
    form = CalculatorForm(request.GET if bound else None)
    result = None
    if bound and form.is_valid():
        try:
            result = cal.add_workdays(form.cleaned_data["start"], form.cleaned_data["days"])
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)

    return render(request, "workdays/calendar.html", {
        "year": year,
        "year_error": year_error,
        "schedule": schedule,
        "entered": selectors.calendar_year_get(year),
        "months": _months(schedule.days, year),
        "form": form,
        "result": result,
        "provisional_note": PROVISIONAL_NOTE,
        "may_enter": can_enter_calendar(request.user),
        "weekday_headers": ["一", "二", "三", "四", "五", "六", "日"],
    })


@login_required
def enter_year(request: HttpRequest) -> HttpResponse:
    # Not the system administrator: the page does not exist for them.
    if not can_enter_calendar(request.user):
        raise Http404
    line_errors: list[str] = []
    if request.method == "POST":
        form = EnterYearForm(request.POST, request.FILES)
        if form.is_valid():
            year = form.cleaned_data["year"]
            parsed = parse_schedule(form.cleaned_data["lines"], year=year)
            line_errors = [str(e) for e in parsed.errors]
            if parsed.ok:
                try:
                    calendar_year_enter(
                        actor=request.user, year=year, days=parsed.days,
                        note=form.cleaned_data["note"], at=clock.now(),
                    )
                except DomainError as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(
                        request, f"已录入 {year} 年节假日安排（{len(parsed.days)} 天）"
                    )
                    return redirect(f"{reverse('workdays:calendar')}?year={year}")
    else:
        form = EnterYearForm(initial=_initial(request))
    return render(request, "workdays/enter_year.html", {
        "form": form,
        "line_errors": line_errors,
        "entered_years": selectors.calendar_year_list(),
    })


def _initial(request: HttpRequest) -> dict[str, object]:
    """Prefill with what is stored for ``?year=``, so a correction starts from it."""
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = clock.today().year + 1
    initial: dict[str, object] = {"year": year}
    entered = selectors.calendar_year_get(year)
    if entered is not None:
        initial["note"] = entered.note
        initial["lines"] = format_schedule(
            [DayEntry(d.date, d.is_workday, d.name) for d in entered.days.order_by("date")]
        )
    elif library_knows(year) and MIN_YEAR <= year <= MAX_YEAR:
        # A correction of a year chinese-calendar knows starts from its arrangement.
        special = year_schedule(year).special_days
        initial["lines"] = format_schedule(
            [DayEntry(d.date, d.is_workday, d.name) for d in special if d.name]
        )
    return initial
