"""Periodic and three-year evaluation (002 第二十条–第二十二条) and rectification."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.notifications.selectors import recipients_for_institution
from skillreg.notifications.services import notify
from skillreg.policies.registry import get_pack
from skillreg.policies.schema import Pack
from skillreg.registry.models import Institution
from skillreg.supervision.models import Evaluation, Inspection, Rectification
from skillreg.supervision.services.common import add_months, check_move, local_date, require_official_over
from skillreg.supervision.services.sanctions import proposal_create


def failing_grade(pack: Pack) -> str:
    """The one grade not among the passing ones (002 第二十条: 不合格)."""
    failing = [g for g in pack.grading.grades.levels if g not in pack.grading.grades.passing]
    return failing[-1] if failing else ""


def rectification_deadline(pack: Pack, opened: dt.date) -> dt.date | None:
    months = pack.grading.rectification.months
    return add_months(opened, months) if months else None


@transaction.atomic
def evaluation_record(*, actor: Any, institution: Institution, kind: str, proposed_grade: str,
                      at: dt.datetime, direct_fail: Sequence[str] = (), notes: str = "",
                      inspection: Inspection | None = None,
                      rectification: Rectification | None = None) -> Evaluation:
    """Grade an institution; a failing grade opens a rectification or, after one, a proposal.

    002 第二十条: 合格 and above continue; 不合格 → rectify within half a year; still
    不合格 after it → termination of the filing (proposed to the approving official).
    002 第二十二条: any of its seven behaviours makes the grade 不合格 directly.
    """
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    require_official_over(actor, institution.region_code)
    pack = get_pack(institution.pack_id)
    grades = pack.grading.grades
    if not grades.levels:
        raise DomainError(f"本机构适用的文件未规定评估等级（{grades.note}），不能按等级评定",
                          code="no_grading")
    if kind not in Evaluation.Kind.values:
        raise InvalidInput("请选择评估类别", field="kind")
    if proposed_grade not in grades.levels:
        raise InvalidInput(f"等级应为：{'、'.join(grades.levels)}", field="grade", source=grades.source)
    fail_items = {item.key: item for item in pack.direct_fail.items}
    unknown = [k for k in direct_fail if k not in fail_items]
    if unknown:
        raise InvalidInput("所选直接不合格情形不在本政策包内", field="direct_fail")
    grade, source = proposed_grade, grades.source or ""
    if direct_fail:
        # 002 第二十二条: 直接确定为不合格.
        grade = failing_grade(pack)
        source = "；".join(fail_items[k].source for k in direct_fail)
    if inspection is not None and inspection.institution_id != institution.pk:
        raise InvalidInput("所选检查不是对该机构的检查", field="inspection")

    if kind == Evaluation.Kind.RE_EVALUATION:
        if rectification is None:
            raise InvalidInput("整改后复评须指明所复评的整改", field="rectification")
        rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
        if rectification.institution_id != institution.pk:
            raise InvalidInput("所选整改不是该机构的整改", field="rectification")
        if rectification.status != Rectification.Status.OPEN:
            raise DomainError("该整改已办结", code="rectification_closed")
        if grade not in grades.passing and local_date(at) < rectification.deadline:
            # 002 第二十条: only "半年后整改仍不合格" ends the filing; before the deadline the
            # institution is still rectifying.
            raise DomainError(f"整改期限（{rectification.deadline:%Y年%m月%d日}）未满，不能作出整改仍不合格的结论",
                              code="rectification_running", source=pack.grading.rectification.source)
    elif rectification is not None:
        raise InvalidInput("只有整改后复评才指明整改", field="rectification")

    evaluation = Evaluation.objects.create(
        institution=institution, kind=kind, inspection=inspection, rectification=rectification,
        proposed_grade=proposed_grade, direct_fail=list(direct_fail), grade=grade, notes=notes.strip(),
        source=source, evaluated_by=actor, evaluated_at=at,
    )
    audit.record(actor=actor, action="supervision.evaluated", obj=institution, at=at,
                 summary=f"{evaluation.get_kind_display()}：{grade}",
                 after={"evaluation": str(evaluation.public_id), "grade": grade, "direct_fail": list(direct_fail)})

    passed = grade in grades.passing
    if kind == Evaluation.Kind.RE_EVALUATION and rectification is not None:
        _close_rectification(actor=actor, rectification=rectification, passed=passed, at=at,
                             note=f"复评结论：{grade}")
        if not passed:
            proposal_create(
                actor=actor, institution=institution, rectification=rectification, at=at,
                source=pack.grading.rectification.source or source,
                reason=(f"整改期满复评仍为{grade}。"
                        f"{pack.grading.rectification.on_failure or ''}"),
            )
    elif not passed:
        deadline = rectification_deadline(pack, local_date(at))
        if deadline is None:
            raise DomainError("文件未规定整改期限，请通过违规处理程序指定整改期限", code="no_rectification_period")
        rect = Rectification.objects.create(
            institution=institution, evaluation=evaluation, deadline=deadline,
            requirements=notes.strip() or f"{evaluation.get_kind_display()}结论为{grade}，限期整改。",
            source=pack.grading.rectification.source or "", opened_by=actor, opened_at=at,
        )
        audit.record(actor=actor, action="supervision.rectification_opened", obj=rect, at=at,
                     after={"deadline": deadline.isoformat(), "source": rect.source})
        transaction.on_commit(lambda: notify(
            recipients=recipients_for_institution(institution), subject="限期整改通知",
            body=f"{evaluation.get_kind_display()}结论为{grade}，请于 {deadline:%Y年%m月%d日} 前完成整改"
                 f"（{pack.grading.rectification.source}）。",
            related=rect, at=at))
    return evaluation


def _close_rectification(*, actor: Any, rectification: Rectification, passed: bool, at: dt.datetime,
                         note: str) -> None:
    target = Rectification.Status.PASSED if passed else Rectification.Status.FAILED
    check_move(rectification, target)
    before = rectification.status
    rectification.status = target
    rectification.closed_at, rectification.closed_by, rectification.close_note = at, actor, note
    rectification.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
    audit.record(actor=actor, action="supervision.rectification_closed", obj=rectification, at=at,
                 before={"status": before}, after={"status": target, "note": note})


@transaction.atomic
def rectification_close(*, actor: Any, rectification: Rectification, passed: bool, note: str,
                        at: dt.datetime) -> Rectification:
    """Close a violation's rectification by verification (no grade involved)."""
    rectification = Rectification.objects.select_for_update().select_related("institution").get(pk=rectification.pk)
    require_official_over(actor, rectification.institution.region_code)
    if rectification.evaluation_id and not rectification.violation_id:
        raise DomainError("评估引起的整改须通过整改后复评办结", code="needs_re_evaluation",
                          source="002 第二十条")
    if not note.strip():
        raise InvalidInput("请写明核查情况", field="note")
    _close_rectification(actor=actor, rectification=rectification, passed=passed, at=at, note=note.strip())
    return rectification
