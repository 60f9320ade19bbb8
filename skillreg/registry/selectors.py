from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from skillreg.accounts.scoping import get_scoped_or_404, scoped
from skillreg.registry.models import Institution


def institutions_visible_to(user: Any) -> QuerySet[Institution]:
    return scoped(Institution.objects.select_related("authority"), user)


def institution_for(user: Any, public_id: Any) -> Institution:
    return get_scoped_or_404(Institution.objects.select_related("authority"), user,
                             public_id=public_id)
