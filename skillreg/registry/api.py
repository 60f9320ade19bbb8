from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Router, Schema

from skillreg.registry.models import Institution
from skillreg.registry.selectors import institution_for, institutions_visible_to

router = Router(tags=["机构"])


class InstitutionOut(Schema):
    id: uuid.UUID
    name: str
    credit_code: str
    body_kind: str
    region_code: str
    authority: str
    pack_id: str
    status: str
    registered_at: dt.datetime

    @staticmethod
    def resolve_id(obj: Institution) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_authority(obj: Institution) -> str:
        return obj.authority.name


@router.get("", response=list[InstitutionOut])
def list_institutions(request: HttpRequest) -> list[Institution]:
    """当前用户可见的机构：官员限本辖区，机构用户限本机构。"""
    return list(institutions_visible_to(request.user).order_by("region_code", "name")[:500])


@router.get("/{uuid:public_id}", response=InstitutionOut)
def get_institution(request: HttpRequest, public_id: uuid.UUID) -> Institution:
    return institution_for(request.user, public_id)
