"""The packs loaded at start-up, cached for the life of the process.

``PoliciesConfig.ready()`` calls :func:`load`, so a broken pack stops start-up; later
callers use :func:`get_pack` and :func:`all_packs`.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from skillreg.policies.loader import PackRegistry, load_packs
from skillreg.policies.schema import Pack

_registry: PackRegistry | None = None


class PackNotFound(LookupError):
    def __init__(self, pack_id: str) -> None:
        super().__init__(f"没有 id 为“{pack_id}”的政策包")
        self.pack_id = pack_id


def load(directory: Path | str | None = None) -> PackRegistry:
    """(Re)load every pack from ``directory`` (default ``settings.SKILLREG_PACK_DIR``)."""
    global _registry
    _registry = load_packs(directory if directory is not None else settings.SKILLREG_PACK_DIR)
    return _registry


def registry() -> PackRegistry:
    return _registry if _registry is not None else load()


def get_pack(pack_id: str) -> Pack:
    try:
        return registry()[pack_id]
    except KeyError:
        raise PackNotFound(pack_id) from None


def all_packs() -> list[Pack]:
    return registry().all()
