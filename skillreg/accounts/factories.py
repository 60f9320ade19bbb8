"""Factories shared by the tests and the demo data."""

from __future__ import annotations

import factory

from skillreg.accounts.models import Authority, Role, User

# Demo and test accounts only; deployments override it with SKILLREG_DEMO_PASSWORD.
DEFAULT_PASSWORD = "demo-Passw0rd-2026"  # noqa: S105


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("name",)

    name = factory.LazyAttribute(lambda o: f"{o.region_name}人力资源和社会保障局")
    region_code = "511900"
    region_name = "巴中市"
    level = Authority.Level.CITY
    kind = Authority.Kind.HRSS
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.FILING_OFFICIAL
    authority = factory.SubFactory(AuthorityFactory)
    institution = None

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            self.save(update_fields=["password", "password_changed_at"])
