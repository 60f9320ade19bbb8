"""The public directory: what the public sees of a filed institution, every version kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from skillreg.audit import services as audit
from skillreg.core import clock
from skillreg.policies.registry import get_pack
from skillreg.registry.application_form import LEVELS
from skillreg.registry.models import DirectoryEntry, Institution
from skillreg.registry.models.search import index_entries


def public_record(institution: Institution) -> dict[str, Any]:
    """Only the pack's public fields (001 五(四), 000 二), plus what every entry needs."""
    pack = get_pack(institution.pack_id)
    shown = set(pack.public_fields.fields or ["name", "code", "address"])
    scope: dict[str, list[str]] = {}
    suspended = []
    for row in institution.scope.all():
        scope.setdefault(row.name, [])
        if row.level:
            scope[row.name].append(LEVELS[row.level])
        if row.suspended_at:
            # 001 五(二): the public sees which occupation or project is suspended, and since when.
            suspended.append({"name": row.name, "level": LEVELS[row.level] if row.level else None,
                              "since": row.suspended_at.astimezone(clock.LOCAL_TZ).date().isoformat(),
                              "source": row.suspension_source})
    record: dict[str, Any] = {
        "name": institution.name,
        "code": institution.code,
        "region_code": institution.region_code,
        "authority": institution.authority.name,
        "pack_id": institution.pack_id,
        "body_kind": institution.body_kind,
        "status": institution.status,
        "valid_until": institution.valid_until.isoformat() if institution.valid_until else None,
        "scope": [{"name": name, "levels": levels} for name, levels in scope.items()],
        "suspended": suspended,
    }
    if "address" in shown:
        record["address"] = institution.address
    if "head" in shown:
        record["head"] = institution.head_name
    if "contact" in shown:
        record["contact"] = institution.contact_phone
    return record


@transaction.atomic
def publish(*, institution: Institution, actor: Any, at: dt.datetime, active: bool = True) -> DirectoryEntry:
    current = (DirectoryEntry.objects.select_for_update()
               .filter(institution=institution, superseded_at__isnull=True).first())
    version = 1
    if current is not None:
        current.superseded_at = at
        current.save(update_fields=["superseded_at"])
        version = current.version + 1
    entry = DirectoryEntry.objects.create(institution=institution, version=version,
                                          data=public_record(institution), published_at=at, active=active)
    # Only the current version is searchable: the superseded one's search rows go (models/search.py).
    index_entries([entry], replacing=current.pk if current is not None else None)
    audit.record(actor=actor, action="directory.published", obj=institution, at=at,
                 before=current.data if current else None, after=entry.data)
    return entry
