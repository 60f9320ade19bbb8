"""The deadline sweep: what happens by itself when a clock runs out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from skillreg.core import clock
from skillreg.registry.models import Application
from skillreg.registry.services.applications import application_terminate_overdue


@dataclass
class SweepReport:
    terminated: int = 0

    def summary(self) -> str:
        return f"期限巡检完成：逾期未补正终止办理 {self.terminated} 件。"


def sweep_deadlines(*, at: dt.datetime | None = None) -> SweepReport:
    at = at or clock.now()
    today = at.astimezone(clock.LOCAL_TZ).date()
    report = SweepReport()
    # 001 三(一)2(2): 通知一次性补齐材料后，5个工作日未补齐，终止本次办理
    overdue = Application.objects.filter(
        status=Application.Status.SUPPLEMENT_REQUESTED, supplement_notice__due__lt=today,
    ).only("pk")
    for application in overdue:
        # Each in its own transaction: one failure does not undo the others.
        if application_terminate_overdue(application=application, at=at) is not None:
            report.terminated += 1
    return report
