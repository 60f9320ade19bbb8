from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from skillreg.accounts.models import ApiToken, Authority, Role, User
from skillreg.audit import services as audit

TOKEN_LIFETIME = dt.timedelta(hours=12)


@dataclass(frozen=True)
class IssuedToken:
    secret: str
    expires_at: dt.datetime


@transaction.atomic
def token_issue(*, user: User, at: dt.datetime) -> IssuedToken:
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user, digest=ApiToken.digest_of(secret), created_at=at,
        expires_at=at + TOKEN_LIFETIME,
    )
    audit.record(actor=user, action="auth.token_issued", obj=token, at=at,
                 after={"expires_at": token.expires_at})
    return IssuedToken(secret=secret, expires_at=token.expires_at)


@transaction.atomic
def user_create(*, actor: User | None, username: str, password: str, role: Role | str,
                display_name: str = "", authority: Authority | None = None,
                institution: Any = None, at: dt.datetime | None = None) -> User:
    user = User(username=username, role=role, display_name=display_name,
                authority=authority, institution=institution)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        actor=actor, action="accounts.user_created", obj=user, at=at,
        after={"username": username, "role": str(role),
               "authority": authority.name if authority else None,
               "institution": str(institution) if institution else None},
    )
    return user
