"""The clocks running on an application, for the worklist, the page and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from skillreg.core import clock
from skillreg.policies.registry import get_pack
from skillreg.registry.models import Application
from skillreg.workdays.calendar import WorkCalendar

S = Application.Status
# The statuses in which a clock runs against the authority (材料核查 while submitted, 办结 from
# acceptance to the decision); in 补正 the clock runs against the applicant.
AUTHORITY_CLOCK_STATUSES = (S.SUBMITTED, S.ACCEPTED, S.EVALUATING, S.EVALUATED)


@dataclass(frozen=True)
class Clock:
    key: str
    label: str
    due: dt.date | None
    provisional: bool
    workdays_left: int | None
    overdue: bool
    source: str | None
    runs_against: str  # "authority" or "applicant"

    @property
    def left_label(self) -> str:
        if self.due is None:
            return "文件未规定时限"
        if self.overdue:
            return f"已逾期 {-(self.workdays_left or 0)} 个工作日" if (self.workdays_left or 0) < 0 else "已逾期"
        if self.workdays_left == 0:
            return "今日到期"
        return f"剩余 {self.workdays_left} 个工作日"


def _clock(key: str, label: str, due: dt.date | None, provisional: bool, source: str | None,
           runs_against: str, today: dt.date, calendar: WorkCalendar) -> Clock:
    if due is None:
        return Clock(key, label, None, False, None, False, source, runs_against)
    left = calendar.workdays_left(due, today)
    return Clock(key, label, due, provisional or left.provisional, left.days, left.overdue, source, runs_against)


def application_clocks(application: Application, *, today: dt.date | None = None,
                       calendar: WorkCalendar | None = None) -> list[Clock]:
    """The clocks that run now. A clock whose event has happened stops and is not shown."""
    today = today or clock.today()
    calendar = calendar or WorkCalendar()
    pack = get_pack(application.pack_id)
    clocks = []
    if application.status == S.SUBMITTED and application.submitted_at:
        clocks.append(_clock("material_check", "材料核查", application.material_check_due,
                             application.material_check_due_provisional, pack.clocks.material_check.source,
                             "authority", today, calendar))
    # The notice is read only in 补正: a list that fetched only the columns it shows (no
    # supplement_notice join) makes no query per row for the other statuses.
    in_supplement = application.status == S.SUPPLEMENT_REQUESTED
    notice = getattr(application, "supplement_notice", None) if in_supplement else None
    if notice is not None:
        clocks.append(_clock("supplement", "补正材料", notice.due, notice.due_provisional,
                             pack.clocks.supplement.source, "applicant", today, calendar))
    if application.status in (S.ACCEPTED, S.EVALUATING, S.EVALUATED):
        clocks.append(_clock("completion", "办结", application.completion_due,
                             application.completion_due_provisional, pack.clocks.completion.source,
                             "authority", today, calendar))
    return clocks
