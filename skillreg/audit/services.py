from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction

from skillreg.audit.chain import GENESIS, event_hash, normalize
from skillreg.audit.models import AuditChainHead, AuditEvent
from skillreg.core import clock


def _label(actor: Any) -> str:
    if actor is None:
        return "系统"
    full = getattr(actor, "display_name", "") or actor.get_username()
    return f"{full}（{actor.get_username()}）" if full != actor.get_username() else full


def record(*, actor: Any, action: str, obj: models.Model | None = None, object_type: str = "",
           object_id: str = "", summary: str = "", before: Any = None, after: Any = None,
           at: dt.datetime | None = None) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction.

    Call it from inside the service's ``transaction.atomic`` so that the change and its
    record commit or roll back together. ``actor`` None means the system itself (sweeps).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the state change's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "public_id", None) or obj.pk)
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(
        id=1, defaults={"seq": 0, "hash": GENESIS}
    )
    at = at or clock.now()
    fields = {
        "seq": head.seq + 1,
        "at": at,
        "actor_id": actor.pk if actor is not None else None,
        "actor_label": _label(actor),
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "summary": summary[:500],
        "before": normalize(before),
        "after": normalize(after),
    }
    digest = event_hash(**fields, prev_hash=head.hash)
    event = AuditEvent.objects.create(**fields, prev_hash=head.hash, hash=digest)
    head.seq, head.hash = event.seq, digest
    head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain(*, batch: int = 2000) -> ChainReport:
    """Walk the chain from the first event; report the first event that does not hold."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        events = list(AuditEvent.objects.filter(seq__gt=last_seq).order_by("seq")[:batch])
        if not events:
            break
        for ev in events:
            if ev.seq != expected_seq:
                return ChainReport(checked, expected_seq, f"缺少第 {expected_seq} 条事件（已被删除）")
            if ev.prev_hash != prev:
                return ChainReport(checked, ev.seq, "前序哈希与上一条事件不符")
            digest = event_hash(
                seq=ev.seq, at=ev.at, actor_id=ev.actor_id, actor_label=ev.actor_label,
                action=ev.action, object_type=ev.object_type, object_id=ev.object_id,
                summary=ev.summary, before=ev.before, after=ev.after, prev_hash=ev.prev_hash,
            )
            if digest != ev.hash:
                return ChainReport(checked, ev.seq, "事件内容与其哈希不符（记录被篡改）")
            prev = ev.hash
            expected_seq += 1
            checked += 1
            last_seq = ev.seq
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and head.seq != checked:
        return ChainReport(checked, checked + 1, f"链头记录 {head.seq} 条事件，实际只有 {checked} 条（末尾事件被删除）")
    return ChainReport(checked)
