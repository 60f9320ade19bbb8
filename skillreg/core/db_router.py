"""Read-replica routing for the public lookups (issue 8: scale past one machine).

The public directory and the certificate verification are the only reads the whole country
makes; they are served from a streaming replica of the primary when one is configured
(``DATABASE_REPLICA_URL`` → the ``replica`` alias, named by ``SKILLREG_PUBLIC_READ_DB``).
Only reads made inside :func:`public_reads` (the public paths, set by
``core.middleware.LeanPublicPathMiddleware``) and only of the public apps' tables move;
every write, every signed-in read and everything else (the rate-limit cache, sessions) stays
on ``default``. A replica lags the primary by a fraction of a second: a directory or a
verification a moment old is what the public may see; nothing that decides or writes reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings

# The apps whose tables the public lookups read (directory entries and their search rows, certificates).
PUBLIC_APPS = frozenset({"registry", "certificates"})

_public = ContextVar("skillreg_public_read", default=False)


@contextmanager
def public_reads() -> Iterator[None]:
    """Reads of the public apps made inside go to the replica, if there is one."""
    token = _public.set(True)
    try:
        yield
    finally:
        _public.reset(token)


def replica_alias() -> str | None:
    alias = getattr(settings, "SKILLREG_PUBLIC_READ_DB", None)
    return alias if alias and alias in settings.DATABASES else None


class PublicReadsToReplica:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _public.get() and model._meta.app_label in PUBLIC_APPS:
            return replica_alias()
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"  # never the replica, whatever the context

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # A replica row and its primary twin are the same row.
        return True if {obj1._state.db, obj2._state.db} <= {"default", replica_alias()} else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # A replica follows the primary's schema through replication; nothing migrates it directly.
        return False if db == "replica" else None
