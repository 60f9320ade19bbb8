"""No exam for a year: 000 三(三)10, 002 第二十二条(七), 003 五(五)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command

from skillreg.conftest import NOW
from skillreg.supervision.models import Evaluation, InactivityFlag, ViolationRecord
from skillreg.supervision.services import inactivity
from skillreg.supervision.tests.conftest import filed

OLD = NOW - dt.timedelta(days=400)


def test_command_flags_idle_bodies_once_and_prints_summary(bazhong, chengdu, wuhai) -> None:
    idle = filed(bazhong, registered_at=OLD)
    filed(bazhong, registered_at=NOW)  # filed recently: not idle
    filed(chengdu, pack_id="sc-2021-appraisal", registered_at=OLD)  # 001 silent: never flagged
    out = StringIO()
    call_command("flag-inactive", stdout=out)
    assert out.getvalue().strip().endswith("家。") and "新标记长期未开展考核 1 家" in out.getvalue()
    flag = InactivityFlag.objects.get()
    assert flag.institution == idle and flag.source == "002 第二十二条(七)"
    call_command("flag-inactive", stdout=StringIO())
    assert InactivityFlag.objects.count() == 1


def test_bz_action_is_a_direct_fail_002_art22_7(bazhong, bz_official) -> None:
    filed(bazhong, registered_at=OLD)
    inactivity.inactivity_sweep(at=NOW)
    flag = InactivityFlag.objects.get()
    inactivity.inactivity_decide(actor=bz_official, flag=flag, act=True, note="核实属实", at=NOW)
    ev = Evaluation.objects.get()
    assert ev.grade == "不合格" and ev.direct_fail == ["idle-year"]


def test_nm_2021_action_opens_idle_violation_003_5_5(wuhai, wh_official) -> None:
    filed(wuhai, pack_id="nm-2021-skill-level", registered_at=OLD)
    inactivity.inactivity_sweep(at=NOW)
    inactivity.inactivity_decide(actor=wh_official, flag=InactivityFlag.objects.get(), act=True, note="属实",
                                 at=NOW)
    assert ViolationRecord.objects.get().item_key == "idle-one-year"


def test_dismissed_flag_stays_dismissed_until_a_further_idle_year_002_art22_7(bazhong, bz_official) -> None:
    """A flag the official dismissed is not raised again at the next sweep; only a further
    full period (002 第二十二条(七): 年度内) without an exam, counted from the dismissal, flags again."""
    inst = filed(bazhong, registered_at=OLD)
    inactivity.inactivity_sweep(at=NOW)
    flag = InactivityFlag.objects.get()
    inactivity.inactivity_decide(actor=bz_official, flag=flag, act=False, note="已在外省考点组织考核，有记录", at=NOW)
    for days in (1, 30, 364):
        assert inactivity.inactivity_sweep(at=NOW + dt.timedelta(days=days))[1] == 0, days
    assert list(InactivityFlag.objects.values_list("status", flat=True)) == [InactivityFlag.Status.DISMISSED]
    # A year after the dismissal, still no exam: new evidence, a new flag.
    assert inactivity.inactivity_sweep(at=NOW + dt.timedelta(days=365))[1] == 1
    new = InactivityFlag.objects.get(status=InactivityFlag.Status.OPEN)
    assert new.institution == inst and new.source == "002 第二十二条(七)"


def test_acted_flag_is_not_raised_again_at_the_next_sweep(wuhai, wh_official) -> None:
    filed(wuhai, pack_id="nm-2021-skill-level", registered_at=OLD)
    inactivity.inactivity_sweep(at=NOW)
    inactivity.inactivity_decide(actor=wh_official, flag=InactivityFlag.objects.get(), act=True, note="属实",
                                 at=NOW)
    assert inactivity.inactivity_sweep(at=NOW + dt.timedelta(days=1))[1] == 0
    assert InactivityFlag.objects.count() == 1
