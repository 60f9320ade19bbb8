from __future__ import annotations

import factory
from stdnum.cn import uscc

from skillreg.accounts.factories import AuthorityFactory
from skillreg.core import clock
from skillreg.registry.models import BodyKind, Institution


def make_credit_code(region_code: str, serial: int, *, registrar: str = "5",
                     org_type: str = "2") -> str:
    """A well-formed 统一社会信用代码 (GB 32100) for tests and demo data.

    registrar 5 = 民政, 9 = 工商; the 9-character organisation part is a plain serial.
    """
    body = f"{registrar}{org_type}{region_code}{serial:09d}"
    return body + uscc.calc_check_digit(body)


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"巴中市第{n}职业技能评价中心")
    credit_code = factory.Sequence(lambda n: make_credit_code("511900", n + 1))
    body_kind = BodyKind.SOCIAL_BODY
    legal_representative = "王明"
    address = "四川省巴中市巴州区江北大道1号"
    contact_phone = "0827-5260000"
    authority = factory.SubFactory(AuthorityFactory)
    region_code = factory.LazyAttribute(lambda o: o.authority.region_code)
    pack_id = "bz-2023-special"
    registered_at = factory.LazyFunction(clock.now)
