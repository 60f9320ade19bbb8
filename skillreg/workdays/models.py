"""Administrator-entered calendar data.

chinese-calendar knows the State Council's holiday arrangements up to the year it was
released. When the State Council publishes a new year (usually in November or December),
or when a known year needs correcting, a system administrator enters it here. Entered days
win over chinese-calendar; see ``skillreg.workdays.calendar``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

# Years that can be entered and computed from. The platform starts in 2026; the lower
# bound admits the years chinese-calendar knows (2004 onwards) with room to spare.
MIN_YEAR = 2000
MAX_YEAR = 2099


class CalendarYear(models.Model):
    """One year's holiday arrangement as entered by an administrator.

    Its existence makes the year known: dates in it are no longer provisional, even when
    chinese-calendar does not know the year.
    """

    year = models.PositiveSmallIntegerField("年度", unique=True)
    note = models.CharField("依据", max_length=200, help_text="如国务院办公厅通知文号")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name="录入人",
    )
    entered_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = verbose_name_plural = "节假日安排（年度）"
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR),
                name="workdays_year_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} 年节假日安排"


class CalendarDay(models.Model):
    """A day whose status the administrator fixes: a holiday (休) or a working day (班).

    A day is stored once whatever year entry it belongs to (unique date). That the date
    lies inside its year is checked by ``services.calendar_year_enter``: a check constraint
    across the two tables is not portable between SQLite and PostgreSQL.
    """

    calendar_year = models.ForeignKey(
        CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name="年度"
    )
    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否上班")
    name = models.CharField("名称", max_length=50, help_text="如 春节、国庆节、春节调休上班")

    class Meta:
        verbose_name = verbose_name_plural = "节假日安排（日）"
        ordering = ["date"]
        constraints = [
            # Every entered day says why it differs: an unnamed override cannot be checked
            # against the State Council notice.
            models.CheckConstraint(condition=~models.Q(name=""), name="workdays_day_has_name"),
            models.CheckConstraint(
                condition=models.Q(
                    date__gte=dt.date(MIN_YEAR, 1, 1), date__lte=dt.date(MAX_YEAR, 12, 31)
                ),
                name="workdays_day_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {'班' if self.is_workday else '休'} {self.name}"
