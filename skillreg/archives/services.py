"""Archive records: registration with the pack's retention, holds, approval, destruction.

Destruction is two steps by two roles: an official of the filing authority approves it
(only once the retention period is over and the record is not held), then the body or the
official destroys it in the presence of a witness, which writes the destruction ledger
(000 三(二): 对保存期满需要销毁的档案进行台账登记备查). Records tied to an open violation
or complaint are held and cannot be approved or destroyed until released: by an explicit hold
(with its reason), and automatically while the body has a violation record or a complaint
still open that was opened on or after the day the record was made (no document numbers
this rule; it is the issue's requirement, stated as a system rule in the refusal).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from skillreg.accounts.models import OFFICIAL_ROLES, Role
from skillreg.archives.models import (
    ArchiveCategory,
    ArchiveKind,
    ArchiveRecord,
    DestructionLedgerEntry,
    DestructionMethod,
)
from skillreg.archives.retention import SILENT, destroyable_from, retention_for
from skillreg.audit import services as audit
from skillreg.core import clock
from skillreg.core.errors import DomainError, IllegalTransition, InvalidInput
from skillreg.policies.registry import get_pack
from skillreg.registry.models import Institution

S = ArchiveRecord.Status
APPROVER_ROLES = frozenset({Role.APPROVING_OFFICIAL, Role.CENTRE_STAFF})


class Forbidden(DomainError):
    status = 403

    def __init__(self, message: str) -> None:
        super().__init__(message, code="forbidden")


def _local_date(at: dt.datetime) -> dt.date:
    return at.astimezone(clock.LOCAL_TZ).date()


def _covers(user: Any, institution: Institution) -> bool:
    if user.role in OFFICIAL_ROLES and user.authority_id:
        return bool(user.authority.covers(institution.region_code))
    return False


def can_keep(user: Any, institution: Institution) -> bool:
    """Register and destroy records: the body itself or an official over it."""
    if user.role == Role.SYSADMIN:
        return True
    if user.role == Role.INSTITUTION_USER:
        return bool(user.institution_id == institution.pk)
    return _covers(user, institution)


def can_hold(user: Any, institution: Institution) -> bool:
    return _covers(user, institution)


def can_approve(user: Any, institution: Institution) -> bool:
    return user.role in APPROVER_ROLES and _covers(user, institution)


def _move(record: ArchiveRecord, to: str) -> None:
    if to not in ArchiveRecord.MOVES[record.status]:
        raise IllegalTransition(
            f"档案当前状态为“{record.get_status_display()}”，不能改为“{S(to).label}”。")
    record.status = to


def _snapshot(record: ArchiveRecord) -> dict[str, Any]:
    return {"status": record.status, "retain_until": record.retain_until, "hold_reason": record.hold_reason}


@transaction.atomic
def archive_record_create(*, actor: Any, institution: Institution, kind: str, category: str, title: str,
                          made_on: dt.date, sitting: str = "", at: dt.datetime) -> ArchiveRecord:
    """Register a kept item; its retention comes from the institution's pack."""
    if not can_keep(actor, institution):
        raise Forbidden("您无权为该机构登记档案。")
    if kind not in ArchiveKind.values:
        raise InvalidInput("载体应为纸质、电子或视频。", field="kind")
    if category not in ArchiveCategory.values:
        raise InvalidInput("请选择档案类别。", field="category")
    if not title.strip():
        raise InvalidInput("请填写档案名称。", field="title")
    if made_on > _local_date(at):
        raise InvalidInput("形成日期不能晚于今天。", field="made_on")
    retention = retention_for(get_pack(institution.pack_id), kind, made_on)
    record = ArchiveRecord.objects.create(
        institution=institution, kind=kind, category=category, title=title.strip()[:200],
        sitting=sitting.strip()[:200], made_on=made_on, pack_id=institution.pack_id,
        retention_years=retention.years, retention_at_least=retention.at_least,
        retention_source=retention.source, retention_note=retention.note[:300],
        retain_until=retention.retain_until, created_by=actor, created_at=at,
    )
    audit.record(actor=actor, action="archives.record_create", obj=record, at=at,
                 summary=f"登记档案“{record.title}”，保存期：{retention.text}",
                 after={"kind": kind, "made_on": made_on, "retain_until": retention.retain_until,
                        "source": retention.source})
    return record


def archive_records_for_sitting(*, actor: Any, institution: Institution, sitting: str, made_on: dt.date,
                                items: Sequence[tuple[str, str, str]], at: dt.datetime) -> list[ArchiveRecord]:
    """A sitting's records at once: ``items`` are (kind, category, title). All or none."""
    with transaction.atomic():
        return [archive_record_create(actor=actor, institution=institution, kind=kind, category=category,
                                      title=title, made_on=made_on, sitting=sitting, at=at)
                for kind, category, title in items]


# What a sitting leaves behind (issue #7: papers, score sheets, candidate work, supervision
# records, video references); 000 三(二) names 考场安排、试卷保管、考生考件实物及考评员评分信息.
SITTING_ITEMS: tuple[tuple[str, str, str], ...] = (
    (ArchiveKind.PAPER, ArchiveCategory.PAPERS, "试卷及答题卡"),
    (ArchiveKind.PAPER, ArchiveCategory.SCORE_SHEETS, "阅卷评分表（考评员签名）"),
    (ArchiveKind.PAPER, ArchiveCategory.CANDIDATE_WORK, "考生考件实物"),
    (ArchiveKind.PAPER, ArchiveCategory.EXAM_ARRANGEMENT, "考场安排表及考生签到表"),
    (ArchiveKind.PAPER, ArchiveCategory.SUPERVISION, "督导、监考记录"),
    (ArchiveKind.ELECTRONIC, ArchiveCategory.ANSWER_SHEETS, "客观题作答数据及成绩（电子）"),
    (ArchiveKind.VIDEO, ArchiveCategory.VIDEO, "考场监控录像（存储位置索引）"),
)


@transaction.atomic
def archive_records_from_sitting(*, actor: Any, plan: Any, at: dt.datetime) -> list[ArchiveRecord]:
    """Register an exam sitting's records (exams.ExamPlan) with the pack's retention, once.

    Made on the last exam day; the sitting is named by the plan's title and dates.
    """
    from skillreg.exams.models import ExamPlan

    # The plan's row is the lock: two clicks on "登记档案" register the sitting once.
    plan = ExamPlan.objects.select_for_update(of=("self",)).select_related("institution").get(pk=plan.pk)
    if plan.status not in (ExamPlan.Status.APPROVED, ExamPlan.Status.RESULTS_SUBMITTED,
                           ExamPlan.Status.RESULTS_APPROVED):
        raise DomainError("考核实施后（考核申请核准后）方可登记该场次档案。", code="sitting_not_held")
    if plan.exam_end > _local_date(at):
        raise DomainError(f"该场次考核至 {plan.exam_end:%Y年%-m月%-d日}结束，结束后方可登记档案。",
                          code="sitting_not_over")
    sitting = f"{plan.title}（{plan.exam_start:%Y-%m-%d}）"[:200]
    if ArchiveRecord.objects.filter(institution=plan.institution, sitting=sitting).exists():
        raise DomainError(f"“{sitting}”的档案已登记。", code="already_registered")
    return archive_records_for_sitting(actor=actor, institution=plan.institution, sitting=sitting,
                                       made_on=plan.exam_end, items=SITTING_ITEMS, at=at)


@transaction.atomic
def archive_hold(*, actor: Any, record: ArchiveRecord, reason: str, at: dt.datetime) -> ArchiveRecord:
    """Keep a record past its date while a violation or complaint about it is open."""
    record = ArchiveRecord.objects.select_for_update().get(pk=record.pk)
    if not can_hold(actor, record.institution):
        raise Forbidden("只有备案部门人员可以留置档案。")
    if not reason.strip():
        raise InvalidInput("请写明留置原因（如相关违规或投诉案件）。", field="reason")
    before = _snapshot(record)
    _move(record, S.HELD)
    record.hold_reason, record.held_at = reason.strip()[:300], at
    record.approved_by, record.approved_at = None, None  # an approval does not survive a hold
    record.save()
    audit.record(actor=actor, action="archives.record_hold", obj=record, at=at, before=before,
                 after=_snapshot(record), summary=f"留置档案“{record.title}”：{record.hold_reason}")
    return record


@transaction.atomic
def archive_release(*, actor: Any, record: ArchiveRecord, at: dt.datetime) -> ArchiveRecord:
    record = ArchiveRecord.objects.select_for_update().get(pk=record.pk)
    if not can_hold(actor, record.institution):
        raise Forbidden("只有备案部门人员可以解除留置。")
    before = _snapshot(record)
    _move(record, S.KEPT)
    record.hold_reason, record.held_at = "", None
    record.save()
    audit.record(actor=actor, action="archives.record_release", obj=record, at=at, before=before,
                 after=_snapshot(record), summary=f"解除档案“{record.title}”的留置")
    return record


def _check_due(record: ArchiveRecord, at: dt.datetime) -> None:
    if record.retain_until is None:
        raise DomainError(
            f"{record.retention_note or SILENT}：文件未规定该类档案的保存期限，系统不认定其保存期满，不能销毁。",
            code="retention_unknown")
    today = _local_date(at)
    if today < destroyable_from(record.retain_until):
        raise DomainError(
            f"该档案保存期至 {record.retain_until:%Y年%-m月%-d日}"
            f"（{'不少于' if record.retention_at_least else ''}{record.retention_years} 年），"
            f"{destroyable_from(record.retain_until):%Y年%-m月%-d日}起方可销毁。",
            code="retention_not_over", source=record.retention_source or None)


OPEN_CASE_RULE = "系统规则：机构有未办结的违规记录或投诉时，此前形成的档案一律留置，不得销毁"


def open_cases(record: ArchiveRecord) -> list[str]:
    """The body's open violation records and complaints that hold this record (see the docstring)."""
    from skillreg.supervision.models import Complaint, ViolationRecord

    made = record.made_on
    cases = [f"违规记录（{v.source}，{v.recorded_at.astimezone(clock.LOCAL_TZ):%Y-%m-%d}登记）"
             for v in ViolationRecord.objects.filter(institution_id=record.institution_id,
                                                     status=ViolationRecord.Status.OPEN).order_by("recorded_at")
             if v.recorded_at.astimezone(clock.LOCAL_TZ).date() >= made]
    cases += [f"投诉 {c.tracking_number}（{c.get_status_display()}）"
              for c in Complaint.objects.filter(institution_id=record.institution_id)
              .exclude(status=Complaint.Status.ANSWERED).order_by("received_at")
              if c.received_at.astimezone(clock.LOCAL_TZ).date() >= made]
    return cases


def _check_open_cases(record: ArchiveRecord) -> None:
    cases = open_cases(record)
    if cases:
        raise DomainError(f"该机构尚有未办结的{'、'.join(cases[:3])}{'等' if len(cases) > 3 else ''}，"
                          f"档案留置，办结前不得销毁（{OPEN_CASE_RULE}）。", code="open_case")


@transaction.atomic
def archive_destruction_approve(*, actor: Any, record: ArchiveRecord, at: dt.datetime) -> ArchiveRecord:
    record = ArchiveRecord.objects.select_for_update().get(pk=record.pk)
    if not can_approve(actor, record.institution):
        raise Forbidden("只有备案部门的审批人员或鉴定中心人员可以批准销毁。")
    if record.status == S.HELD:
        raise DomainError(f"档案已留置（{record.hold_reason}），解除留置前不得销毁。", code="held")
    _check_due(record, at)
    _check_open_cases(record)
    before = _snapshot(record)
    _move(record, S.APPROVED)
    record.approved_by, record.approved_at = actor, at
    record.save()
    audit.record(actor=actor, action="archives.destruction_approve", obj=record, at=at, before=before,
                 after=_snapshot(record), summary=f"批准销毁档案“{record.title}”")
    return record


@transaction.atomic
def archive_destroy(*, actor: Any, record: ArchiveRecord, method: str, witness: str, at: dt.datetime,
                    method_detail: str = "") -> DestructionLedgerEntry:
    """Destroy an approved record and write its line in the destruction ledger (000 三(二))."""
    record = ArchiveRecord.objects.select_for_update().get(pk=record.pk)
    if not can_keep(actor, record.institution):
        raise Forbidden("您无权销毁该机构的档案。")
    if record.status == S.HELD:
        raise DomainError(f"档案已留置（{record.hold_reason}），不得销毁。", code="held")
    if record.status != S.APPROVED:
        raise DomainError("销毁须先经备案部门批准。", code="not_approved")
    _check_due(record, at)
    _check_open_cases(record)
    if method not in DestructionMethod.values:
        raise InvalidInput("请选择销毁方式。", field="method")
    witness = witness.strip()
    if not witness:
        raise InvalidInput("请填写监销人。", field="witness")
    if witness in {actor.get_username(), getattr(actor, "display_name", "")}:
        raise InvalidInput("监销人不能是销毁人本人。", field="witness")
    if method == DestructionMethod.OTHER and not method_detail.strip():
        raise InvalidInput("销毁方式为“其他”时请写明具体方式。", field="method_detail")
    if record.retain_until is None or record.approved_by is None or record.approved_at is None:
        raise DomainError("档案缺少保存期满日或批准记录，不能销毁。", code="not_approved")
    before = _snapshot(record)
    _move(record, S.DESTROYED)
    record.destroyed_at = at
    record.save()
    entry = DestructionLedgerEntry.objects.create(
        record=record, institution=record.institution, title=record.title, kind=record.kind,
        category=record.category, sitting=record.sitting, made_on=record.made_on,
        retain_until=record.retain_until, retention_source=record.retention_source,
        destroyed_on=_local_date(at), destroyed_at=at, destroyed_by=actor, method=method,
        method_detail=method_detail.strip()[:200], witness=witness[:100],
        approved_by=record.approved_by, approved_at=record.approved_at,
    )
    audit.record(actor=actor, action="archives.destroy", obj=record, at=at, before=before,
                 after={**_snapshot(record), "ledger_entry": entry.pk, "method": method, "witness": witness},
                 summary=f"销毁档案“{record.title}”（{entry.get_method_display()}，监销人 {witness}），已登记台账")
    return entry
