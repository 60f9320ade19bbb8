"""投诉举报 (000 四(一), 001 五(三), 003 五(三)): filed by the public, answered by the authority."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.notifications.selectors import recipients_for_authority
from skillreg.notifications.services import notify
from skillreg.policies.registry import get_pack
from skillreg.registry.models import Institution
from skillreg.supervision.models import Complaint
from skillreg.supervision.services.common import NotFound, check_move, local_date, require_official_over
from skillreg.workdays.calendar import add_workdays

# The documents set no answer deadline for complaints (000 四(一), 001 五(三) 及时处理回应,
# 003 五(三) 及时调查核实处理): a configurable system default, shown as such.
DEFAULT_ANSWER_WORKDAYS = 15
SUBJECT_MAX = 100
CONTENT_MAX = 3000
NAME_MAX = 50
CONTACT_MAX = 100
ANSWER_MAX = 5000
OPEN_STATUSES = (Complaint.Status.RECEIVED, Complaint.Status.VERIFYING)


def answer_rule(pack_id: str) -> tuple[int, str]:
    """(working days, how the deadline is fixed): the pack's ``supervision.complaint_answer``;
    every document is silent on the number (null + note), so the setting's default applies."""
    pack = get_pack(pack_id)
    rule = pack.supervision.complaint_answer
    if rule is not None and rule.workdays is not None:
        return rule.workdays, f"{rule.source}：受理之日起 {rule.workdays} 个工作日内答复"
    days = int(getattr(settings, "SKILLREG_COMPLAINT_ANSWER_WORKDAYS", DEFAULT_ANSWER_WORKDAYS))
    basis = pack.supervision.complaints
    said = f"{basis.source}要求“及时处理回应”" if basis.source else "该文件未规定投诉举报机制"
    return days, f"{said}，未规定答复期限；系统默认 {days} 个工作日（可配置）"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _tracking_number(at: dt.datetime) -> str:
    return f"TS{local_date(at):%Y%m%d}{secrets.randbelow(10**6):06d}"


def _clean(value: str, *, field: str, label: str, max_len: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}", field=field)
    if len(value) > max_len:
        raise InvalidInput(f"{label}不能超过 {max_len} 字", field=field)
    return value


def complainable(code: str) -> Institution:
    code = (code or "").strip()
    institution = (Institution.objects.select_related("authority")
                   .filter(code=code, status__in=[Institution.Status.FILED, Institution.Status.SUSPENDED])
                   .first()) if code else None
    if institution is None:
        raise InvalidInput("未找到该代码对应的已备案机构，请核对机构代码", field="institution_code")
    return institution


@transaction.atomic
def complaint_submit(*, institution_code: str, subject: str, content: str, at: dt.datetime,
                     name: str = "", contact: str = "") -> tuple[Complaint, str]:
    """Anyone may complain; returns the complaint and its secret (shown once, stored hashed).

    Routed to the authority of the institution's jurisdiction (its filing authority).
    """
    institution = complainable(institution_code)
    subject = _clean(subject, field="subject", label="事由", max_len=SUBJECT_MAX, required=True)
    content = _clean(content, field="content", label="投诉内容", max_len=CONTENT_MAX, required=True)
    name = _clean(name, field="name", label="姓名", max_len=NAME_MAX, required=False)
    contact = _clean(contact, field="contact", label="联系方式", max_len=CONTACT_MAX, required=False)
    days, basis = answer_rule(institution.pack_id)
    due = add_workdays(local_date(at), days)
    secret = secrets.token_hex(8)
    for _ in range(5):
        try:
            with transaction.atomic():
                complaint = Complaint.objects.create(
                    tracking_number=_tracking_number(at), secret_digest=_digest(secret),
                    institution=institution, authority=institution.authority, region_code=institution.region_code,
                    subject=subject, content=content, complainant_name=name, complainant_contact=contact,
                    received_at=at, answer_due=due.date, answer_due_provisional=due.provisional,
                    answer_due_source=basis,
                )
            break
        except IntegrityError:
            continue
    else:  # pragma: no cover - a million numbers a day
        raise DomainError("受理编号生成失败，请稍后重试", code="busy")
    # Contact details stay out of the audit trail: it is read more widely than the complaint.
    audit.record(actor=None, action="supervision.complaint_received", obj=complaint, at=at,
                 after={"institution": str(institution.public_id), "tracking_number": complaint.tracking_number,
                        "answer_due": due.date.isoformat()})
    transaction.on_commit(lambda: notify(
        recipients=recipients_for_authority(institution.authority), subject="新的投诉举报",
        body=f"{complaint.tracking_number}：关于{institution.name}，{subject}。答复期限 {due.date:%Y年%m月%d日}。",
        link=f"/supervision/complaints/{complaint.public_id}/", related=complaint, at=at))
    return complaint, secret


def complaint_track(*, tracking_number: str, secret: str) -> Complaint:
    """The complainant's view; a wrong number or secret are the same answer."""
    complaint = Complaint.objects.select_related("institution").filter(
        tracking_number=(tracking_number or "").strip().upper()).first()
    if complaint is None or not hmac.compare_digest(complaint.secret_digest, _digest((secret or "").strip())):
        raise NotFound("受理编号或查询密码不正确")
    return complaint


def is_overdue(complaint: Complaint, today: dt.date) -> bool:
    """Overdue from the first day after the answer deadline while unanswered."""
    return complaint.status in OPEN_STATUSES and today > complaint.answer_due


@transaction.atomic
def complaint_start_verifying(*, actor: Any, complaint: Complaint, at: dt.datetime) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    require_official_over(actor, complaint.region_code)
    check_move(complaint, Complaint.Status.VERIFYING)
    complaint.status = Complaint.Status.VERIFYING
    complaint.save(update_fields=["status"])
    audit.record(actor=actor, action="supervision.complaint_verifying", obj=complaint, at=at,
                 before={"status": Complaint.Status.RECEIVED}, after={"status": complaint.status})
    return complaint


@transaction.atomic
def complaint_answer(*, actor: Any, complaint: Complaint, finding: str, answer: str,
                     at: dt.datetime) -> Complaint:
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    require_official_over(actor, complaint.region_code)
    check_move(complaint, Complaint.Status.ANSWERED)
    if finding not in Complaint.Finding.values:
        raise InvalidInput("请选择核实结论", field="finding")
    answer = _clean(answer, field="answer", label="答复内容", max_len=ANSWER_MAX, required=True)
    before = complaint.status
    complaint.status = Complaint.Status.ANSWERED
    complaint.finding, complaint.answer = finding, answer
    complaint.answered_at, complaint.answered_by = at, actor
    complaint.save(update_fields=["status", "finding", "answer", "answered_at", "answered_by"])
    audit.record(actor=actor, action="supervision.complaint_answered", obj=complaint, at=at,
                 before={"status": before}, after={"status": complaint.status, "finding": finding,
                                                   "late": local_date(at) > complaint.answer_due})
    return complaint
