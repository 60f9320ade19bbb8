"""Violation records and decisions on each pack's catalogue (000 三(三), 001 五(三)–(五),
002 第二十六条, 003 五(五), 004 六(三))."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.files.services import file_store
from skillreg.notifications.selectors import recipients_for_institution
from skillreg.notifications.services import notify
from skillreg.policies.registry import get_pack
from skillreg.policies.schema import PolicyCatalogue, PolicyItem
from skillreg.registry.models import Institution
from skillreg.supervision.models import Complaint, Inspection, Rectification, ViolationRecord
from skillreg.supervision.models.violations import FoundVia, SanctionKind
from skillreg.supervision.services.common import check_move, local_date, require_official_over
from skillreg.supervision.services.sanctions import proposal_create

# Most severe first: the record's ``sanction`` is the heaviest step decided.
SEVERITY = [SanctionKind.REVOCATION, SanctionKind.SUSPENSION, SanctionKind.RECTIFICATION,
            SanctionKind.PENALTY, SanctionKind.CRITICISM, SanctionKind.DISQUALIFY, SanctionKind.RECORD]


def classify_step(step: str) -> SanctionKind:
    """What a catalogue step (the document's own words) does in the system."""
    if "申报资格" in step:
        return SanctionKind.DISQUALIFY
    if "取消" in step and ("资质" in step or "备案" in step):
        return SanctionKind.REVOCATION
    if "不予备案" in step:
        return SanctionKind.REVOCATION  # for a body already filed, 不予备案或取消资质 = revocation
    if "整改" in step:
        return SanctionKind.RECTIFICATION
    if "停止" in step or "暂停" in step:
        return SanctionKind.SUSPENSION
    if "通报" in step:
        return SanctionKind.CRITICISM
    if "处罚" in step or "追缴" in step or "追究" in step:
        return SanctionKind.PENALTY
    return SanctionKind.RECORD


def catalogue(pack_id: str, key: str) -> PolicyCatalogue:
    for cat in get_pack(pack_id).violations:
        if cat.key == key:
            return cat
    raise InvalidInput("本政策包没有该违规类别", field="catalogue")


def catalogue_item(cat: PolicyCatalogue, key: str) -> PolicyItem:
    for item in cat.items:
        if item.key == key:
            return item
    raise InvalidInput("该违规类别下没有此情形", field="item")


@transaction.atomic
def violation_record(*, actor: Any, institution: Institution, catalogue_key: str, item_key: str,
                     facts: str, found_via: str, at: dt.datetime, inspection: Inspection | None = None,
                     complaint: Complaint | None = None,
                     evidence: Sequence[UploadedFile] = ()) -> ViolationRecord:
    """001 五(三): 对…行为进行记录 — the record feeds the institution's supervision file."""
    require_official_over(actor, institution.region_code)
    cat = catalogue(institution.pack_id, catalogue_key)
    item = catalogue_item(cat, item_key)
    if not facts.strip():
        raise InvalidInput("请写明违规事实", field="facts")
    if found_via not in FoundVia.values:
        raise InvalidInput("请选择发现途径", field="found_via")
    if inspection is not None and inspection.institution_id != institution.pk:
        raise InvalidInput("所选检查不是对该机构的检查", field="inspection")
    if complaint is not None and complaint.institution_id != institution.pk:
        raise InvalidInput("所选投诉不是针对该机构的", field="complaint")
    stored = [file_store(actor=actor, upload=f, at=at, field="evidence") for f in evidence]
    record = ViolationRecord.objects.create(
        institution=institution, pack_id=institution.pack_id, catalogue_key=cat.key, item_key=item.key or "",
        item_text=item.text, source=item.source, facts=facts.strip(), found_via=found_via,
        inspection=inspection, complaint=complaint, recorded_by=actor, recorded_at=at,
    )
    if stored:
        record.evidence.add(*stored)
    audit.record(actor=actor, action="supervision.violation_recorded", obj=record, at=at,
                 after={"institution": str(institution.public_id), "item": item.key, "source": item.source,
                        "found_via": found_via})
    return record


@transaction.atomic
def violation_decide(*, actor: Any, violation: ViolationRecord, steps: Sequence[str], note: str,
                     at: dt.datetime, deadline: dt.date | None = None,
                     suspended_scope: str = "") -> ViolationRecord:
    """Decide on the catalogue's steps.

    A graded catalogue (003 五(五) 视情节轻重) takes exactly one step; otherwise the
    document's steps apply together. 限期整改 needs a deadline; 取消 goes to the approving
    official as a proposal (with the blacklist where the catalogue says so).
    """
    violation = (ViolationRecord.objects.select_for_update().select_related("institution")
                 .get(pk=violation.pk))
    require_official_over(actor, violation.institution.region_code)
    check_move(violation, ViolationRecord.Status.DECIDED)
    cat = catalogue(violation.pack_id, violation.catalogue_key)
    chosen = list(dict.fromkeys(steps))
    if not chosen or any(s not in cat.steps for s in chosen):
        raise InvalidInput("请从本类违规规定的处理措施中选择", field="steps", source=cat.source)
    if cat.graded and len(chosen) != 1:
        raise InvalidInput("视情节轻重选择一种处理措施", field="steps", source=cat.source)
    kinds = {classify_step(s) for s in chosen}
    if SanctionKind.RECTIFICATION in kinds:
        if deadline is None:
            raise InvalidInput("限期整改须指定整改期限", field="deadline", source=cat.source)
        if deadline <= local_date(at):
            raise InvalidInput("整改期限应晚于今天", field="deadline")
    if SanctionKind.SUSPENSION in kinds and not suspended_scope.strip():
        suspended_scope = "全部考核活动"
    sanction = next(k for k in SEVERITY if k in kinds)
    violation.status = ViolationRecord.Status.DECIDED
    violation.decision_step = "；".join(chosen)
    violation.sanction = sanction
    violation.suspended_scope = suspended_scope.strip() if SanctionKind.SUSPENSION in kinds else ""
    violation.decision_note = note.strip()
    violation.decided_by, violation.decided_at = actor, at
    violation.save()
    audit.record(actor=actor, action="supervision.violation_decided", obj=violation, at=at,
                 after={"steps": chosen, "sanction": sanction, "source": cat.source,
                        "deadline": deadline.isoformat() if deadline else None})
    institution = violation.institution
    if SanctionKind.RECTIFICATION in kinds and deadline is not None:
        rect = Rectification.objects.create(
            institution=institution, violation=violation, deadline=deadline,
            requirements=note.strip() or f"就“{violation.item_text}”限期整改",
            source=cat.source, opened_by=actor, opened_at=at,
        )
        audit.record(actor=actor, action="supervision.rectification_opened", obj=rect, at=at,
                     after={"deadline": deadline.isoformat(), "source": cat.source})
    if SanctionKind.REVOCATION in kinds:
        if institution.status not in (Institution.Status.FILED, Institution.Status.SUSPENDED,
                                      Institution.Status.EXPIRED):
            raise DomainError("该机构不在备案状态，不能提出取消备案", code="not_filed")
        proposal_create(actor=actor, institution=institution, violation=violation, at=at,
                        source=violation.source, blacklist=cat.blacklist,
                        reason=f"{violation.item_text}：{violation.facts}"[:2000])
    transaction.on_commit(lambda: notify(
        recipients=recipients_for_institution(institution), subject="违规处理决定",
        body=f"就“{violation.item_text}”作出处理：{violation.decision_step}（依据：{violation.source}）。",
        related=violation, at=at))
    return violation
