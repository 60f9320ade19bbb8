"""The officials' dashboard figures: reads only, scoped to the user's jurisdiction.

Applications by status, by city, by month of submission, the running clocks that are overdue,
and the institutions' latest grades (002 第二十条) from the supervision app's evaluations.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncMonth
from stdnum import numdb

from skillreg.accounts.models import Authority
from skillreg.accounts.scoping import scoped
from skillreg.core import clock
from skillreg.registry import workflow
from skillreg.registry.models import Application
from skillreg.registry.selectors import CLOCK_STATUSES, applications_visible_to, with_running_clock
from skillreg.supervision.models import Evaluation

GRADES = ("优秀", "良好", "合格", "不合格")
S = Application.Status
CLOCK_LABELS = {S.SUBMITTED: "材料核查", S.SUPPLEMENT_REQUESTED: "补正材料（申请单位）",
                S.ACCEPTED: "办结", S.EVALUATING: "办结", S.EVALUATED: "办结"}


@dataclass
class Board:
    total: int
    open: int
    overdue: int
    by_status: list[tuple[str, int]]
    by_city: list[tuple[str, int, str]]  # (name, count, 4- or 6-digit code for the worklist filter)
    by_month: list[tuple[str, int]]
    overdue_by_clock: list[tuple[str, int]]
    grades: list[tuple[str, int]]
    graded: int


def county_name(code: str) -> str:
    """巴州区 for 511902: the latest name GB/T 2260 gives the code, or the code itself."""
    info = numdb.get("cn/loc").info(code)
    names = info[-1][1].get("county", "") if len(info) > 1 else ""
    latest = names.split(",")[-1] if names else ""
    return re.sub(r"^\[[^\]]*\]", "", latest) or code


def _months(today: dt.date, n: int = 12) -> list[dt.date]:
    first = today.replace(day=1)
    months = []
    for _ in range(n):
        months.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return months[::-1]


def board_for(user: Any) -> Board:
    today = clock.today()
    apps = applications_visible_to(user).order_by()
    status_labels = dict(S.choices)
    by_status_raw = dict(apps.values_list("status").annotate(n=Count("pk")))
    by_status = [(status_labels[s], by_status_raw[s]) for s in S.values if by_status_raw.get(s)]

    # A province sees its cities; a city (or county) official, whose applications are all in one
    # city, sees its counties (district names from GB/T 2260 as python-stdnum ships it).
    counties = getattr(getattr(user, "authority", None), "level", None) in (Authority.Level.CITY,
                                                                             Authority.Level.COUNTY)
    city_counts: Counter[str] = Counter()
    for code, n in apps.values_list("region_code").annotate(n=Count("pk")):
        city_counts[code if counties else code[:4]] += n
    if counties:
        by_city = sorted(((county_name(c), n, c) for c, n in city_counts.items()), key=lambda r: -r[1])
    else:
        names = dict(Authority.objects.filter(region_code__in=[c + "00" for c in city_counts])
                     .values_list("region_code", "region_name"))
        by_city = sorted(((names.get(c + "00", c + "00"), n, c) for c, n in city_counts.items()),
                         key=lambda r: -r[1])

    months = _months(today)
    submitted = dict(
        apps.filter(submitted_at__date__gte=months[0]).annotate(month=TruncMonth("submitted_at"))
        .values_list("month").annotate(n=Count("pk")).values_list("month", "n"))
    per_month = Counter({(m.year, m.month): n for m, n in submitted.items() if m is not None})
    by_month = [(f"{m.month}月" if m.month != 1 else f"{m.year % 100}年1月", per_month[(m.year, m.month)])
                for m in months]

    running = with_running_clock(apps.filter(status__in=list(CLOCK_STATUSES)), today)
    overdue_counts: Counter[str] = Counter()
    for status, n in running.filter(clock_overdue=1).values_list("status").annotate(n=Count("pk")):
        overdue_counts[CLOCK_LABELS[status]] += n
    overdue_by_clock = [(label, overdue_counts[label]) for label in dict.fromkeys(CLOCK_LABELS.values())]

    # Each institution's latest grade (read-only view of the supervision app's evaluations).
    latest: dict[int, str] = {}
    evaluations = scoped(Evaluation.objects.order_by("institution_id", "-evaluated_at", "-pk"), user,
                         region_field="institution__region_code", institution_field="institution_id")
    for institution_id, grade in evaluations.values_list("institution_id", "grade"):
        latest.setdefault(institution_id, grade)
    grade_counts = Counter(latest.values())
    grades = [(g, grade_counts[g]) for g in GRADES] + [(g, n) for g, n in grade_counts.items() if g not in GRADES]

    return Board(
        total=sum(by_status_raw.values()),
        open=sum(n for s, n in by_status_raw.items() if s in workflow.OPEN_STATUSES),
        overdue=sum(overdue_counts.values()),
        by_status=by_status, by_city=by_city, by_month=by_month,
        overdue_by_clock=overdue_by_clock, grades=grades, graded=len(latest),
    )
