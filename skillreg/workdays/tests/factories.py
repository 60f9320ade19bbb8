from __future__ import annotations

import datetime as dt

import factory

from skillreg.core import clock
from skillreg.workdays.models import CalendarDay, CalendarYear


class CalendarYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarYear
        django_get_or_create = ("year",)

    year = 2027
    note = "国办发明电〔2026〕测试号"
    entered_by = None
    entered_at = factory.LazyFunction(clock.now)


class CalendarDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarDay

    date = dt.date(2027, 1, 1)
    calendar_year = factory.LazyAttribute(lambda o: CalendarYearFactory(year=o.date.year))
    is_workday = False
    name = "元旦"
