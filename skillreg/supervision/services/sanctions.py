"""Termination proposals, revocation of a filing, and the 失信黑名单."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from skillreg.accounts.models import Role
from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, IllegalTransition, InvalidInput
from skillreg.notifications.selectors import recipients_for_authority, recipients_for_institution
from skillreg.notifications.services import notify
from skillreg.registry import directory
from skillreg.registry.models import Institution
from skillreg.supervision.models import BlacklistEntry, Rectification, TerminationProposal, ViolationRecord
from skillreg.supervision.services.common import check_move, require_approving_over, require_official_over

REVOCABLE = (Institution.Status.FILED, Institution.Status.SUSPENDED, Institution.Status.EXPIRED)


@transaction.atomic
def proposal_create(*, actor: Any, institution: Institution, reason: str, source: str, at: dt.datetime,
                    rectification: Rectification | None = None, violation: ViolationRecord | None = None,
                    blacklist: bool = False) -> TerminationProposal:
    """Propose to terminate/revoke a filing; the approving official of the authority decides."""
    if TerminationProposal.objects.filter(institution=institution,
                                          status=TerminationProposal.Status.PROPOSED).exists():
        raise DomainError("该机构已有待审批的终止（取消）备案建议", code="proposal_pending")
    proposal = TerminationProposal.objects.create(
        institution=institution, rectification=rectification, violation=violation, reason=reason,
        source=source, blacklist=blacklist, proposed_by=actor, proposed_at=at,
    )
    audit.record(actor=actor, action="supervision.termination_proposed", obj=proposal, at=at,
                 after={"institution": str(institution.public_id), "source": source, "blacklist": blacklist})
    transaction.on_commit(lambda: notify(
        recipients=recipients_for_authority(institution.authority, roles=[Role.APPROVING_OFFICIAL]),
        subject="终止（取消）备案建议待审批",
        body=f"{institution.name}：{reason}（依据：{source}）",
        link=f"/supervision/proposals/{proposal.public_id}/", related=proposal, at=at))
    return proposal


@transaction.atomic
def institution_revoke(*, actor: Any, institution: Institution, reason: str, source: str,
                       at: dt.datetime) -> Institution:
    """Set the filing to revoked, record it, withdraw the directory entry."""
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if institution.status not in REVOCABLE:
        raise IllegalTransition(f"机构当前状态为“{institution.get_status_display()}”，不能取消备案")
    before = institution.status
    institution.status = Institution.Status.REVOKED
    institution.save(update_fields=["status"])
    audit.record(actor=actor, action="supervision.institution_revoked", obj=institution, at=at,
                 summary=f"取消备案：{reason}"[:500], before={"status": before},
                 after={"status": institution.status, "source": source})
    directory.publish(institution=institution, actor=actor, at=at, active=False)
    return institution


@transaction.atomic
def blacklist_add(*, actor: Any, institution: Institution, reason: str, source: str, at: dt.datetime,
                  proposal: TerminationProposal | None = None) -> BlacklistEntry:
    """003 五(五): 取消评价资质的，列入评价机构失信黑名单."""
    existing = BlacklistEntry.objects.filter(credit_code=institution.credit_code, lifted_at__isnull=True).first()
    if existing is not None:
        return existing
    entry = BlacklistEntry.objects.create(
        credit_code=institution.credit_code, name=institution.name, institution=institution,
        reason=reason, source=source, proposal=proposal, listed_by=actor, listed_at=at,
    )
    audit.record(actor=actor, action="supervision.blacklisted", obj=entry, at=at,
                 after={"credit_code": entry.credit_code, "source": source})
    return entry


@transaction.atomic
def proposal_decide(*, actor: Any, proposal: TerminationProposal, approve: bool, note: str,
                    at: dt.datetime) -> TerminationProposal:
    proposal = (TerminationProposal.objects.select_for_update().select_related("institution")
                .get(pk=proposal.pk))
    require_approving_over(actor, proposal.institution.region_code)
    target = TerminationProposal.Status.APPROVED if approve else TerminationProposal.Status.REJECTED
    check_move(proposal, target)
    if not approve and not note.strip():
        raise InvalidInput("不批准的，请写明理由", field="note")
    proposal.status = target
    proposal.decided_by, proposal.decided_at, proposal.decision_note = actor, at, note.strip()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit.record(actor=actor, action="supervision.termination_decided", obj=proposal, at=at,
                 before={"status": TerminationProposal.Status.PROPOSED}, after={"status": target, "note": note})
    if approve:
        institution_revoke(actor=actor, institution=proposal.institution, reason=proposal.reason,
                           source=proposal.source, at=at)
        if proposal.blacklist:
            blacklist_add(actor=actor, institution=proposal.institution, reason=proposal.reason,
                          source=proposal.source, proposal=proposal, at=at)
        transaction.on_commit(lambda: notify(
            recipients=recipients_for_institution(proposal.institution), subject="终止（取消）备案决定",
            body=f"经审批，终止（取消）{proposal.institution.name}的备案（依据：{proposal.source}）。",
            related=proposal, at=at))
    return proposal


def require_proposal_visible(actor: Any, proposal: TerminationProposal) -> None:
    require_official_over(actor, proposal.institution.region_code)
