"""No exam for a year (000 三(三)10, 002 第二十二条(七), 003 五(五)): flag, then the official decides."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from django.db import transaction

from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.policies.registry import get_pack
from skillreg.registry.models import Filing, Institution
from skillreg.supervision.models import InactivityFlag
from skillreg.supervision.models.grading import Evaluation
from skillreg.supervision.models.violations import FoundVia
from skillreg.supervision.services.common import add_months, check_move, local_date, require_official_over


def _last_exam_date(institution: Institution) -> dt.date | None:
    """The exams app's answer, once it offers ``selectors.last_exam_date(institution)``."""
    try:
        selectors = importlib.import_module("skillreg.exams.selectors")
    except ImportError:
        return None
    reader = getattr(selectors, "last_exam_date", None)
    return reader(institution) if callable(reader) else None


def last_activity_date(institution: Institution) -> tuple[dt.date, str]:
    """The last exam held, else the filing date (a body filed recently is not idle)."""
    exam = _last_exam_date(institution)
    filing = Filing.objects.filter(institution=institution).order_by("-valid_from").first()
    filed = filing.valid_from if filing else local_date(institution.registered_at)
    if exam is not None and exam >= filed:
        return exam, "最近一次考核"
    return filed, "备案日期（尚无考核记录）"


@transaction.atomic
def inactivity_sweep(*, at: dt.datetime) -> tuple[int, int]:
    """Flag every filed institution idle for the pack's period; returns (checked, newly flagged)."""
    today = local_date(at)
    checked = flagged = 0
    for institution in Institution.objects.filter(status=Institution.Status.FILED).order_by("pk"):
        rule = get_pack(institution.pack_id).inactivity
        if rule.years is None:
            continue  # the document is silent: no automatic exit
        checked += 1
        last, basis = last_activity_date(institution)
        if InactivityFlag.objects.filter(institution=institution, status=InactivityFlag.Status.OPEN).exists():
            continue
        # A decided flag (dismissed after verification, or acted on) settles the idle period it
        # was raised for: the body is flagged again only after a further full period without an
        # exam counted from that decision (or from a later exam), never at the next sweep.
        decided = (InactivityFlag.objects.filter(institution=institution, decided_at__isnull=False)
                   .order_by("-decided_at").values_list("decided_at", flat=True).first())
        since = max(last, local_date(decided)) if decided is not None else last
        if add_months(since, 12 * rule.years) > today:
            continue
        flag = InactivityFlag.objects.create(institution=institution, last_activity=last, activity_basis=basis,
                                             source=rule.source or "", flagged_at=at)
        audit.record(actor=None, action="supervision.inactivity_flagged", obj=institution, at=at,
                     after={"last_activity": last.isoformat(), "basis": basis, "source": flag.source})
        flagged += 1
    return checked, flagged


@transaction.atomic
def inactivity_decide(*, actor: Any, flag: InactivityFlag, act: bool, note: str, at: dt.datetime) -> Any:
    """Dismiss (e.g. exams held elsewhere on record) or act: a violation record under the
    pack's idle clause, or for 002 a direct-fail evaluation (第二十二条(七))."""
    from skillreg.supervision.services.grading import evaluation_record
    from skillreg.supervision.services.violations import violation_record

    flag = InactivityFlag.objects.select_for_update().select_related("institution").get(pk=flag.pk)
    institution = flag.institution
    require_official_over(actor, institution.region_code)
    target = InactivityFlag.Status.ACTED if act else InactivityFlag.Status.DISMISSED
    check_move(flag, target)
    if not note.strip():
        raise InvalidInput("请写明处理说明", field="note")
    result: Any = None
    if act:
        pack = get_pack(institution.pack_id)
        matches = [(c.key, i.key) for c in pack.violations for i in c.items if i.source == flag.source and i.key]
        # 003 五(五) covers three situations under one clause: pick the idle one.
        idle_item = next((m for m in matches if "idle" in m[1]), matches[0] if matches else None)
        idle_fail = next((i.key for i in pack.direct_fail.items if i.source == flag.source), None)
        if idle_item:
            result = violation_record(actor=actor, institution=institution, catalogue_key=idle_item[0],
                                      item_key=idle_item[1], found_via=FoundVia.INACTIVITY, at=at,
                                      facts=(f"自 {flag.last_activity:%Y年%m月%d日}（{flag.activity_basis}）"
                                             f"起未开展考核。{note}"))
        elif idle_fail:
            result = evaluation_record(actor=actor, institution=institution, kind=Evaluation.Kind.PERIODIC,
                                       proposed_grade=pack.grading.grades.levels[-1], direct_fail=[idle_fail],
                                       notes=note, at=at)
        else:
            raise DomainError("本政策包没有可适用的条款", code="no_rule")
    flag.status = target
    flag.decided_by, flag.decided_at, flag.decision_note = actor, at, note.strip()
    flag.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(actor=actor, action="supervision.inactivity_decided", obj=institution, at=at,
                 after={"status": target, "note": note})
    return result
