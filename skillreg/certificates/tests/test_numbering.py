"""Numbers: the national 22-character rule (003 四(七)), the 专项 convention, gap-free, concurrent."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from skillreg.accounts.models import User
from skillreg.certificates import policy
from skillreg.certificates.models import Certificate, CertificateSequence
from skillreg.certificates.numbering import NATIONAL_NUMBER, next_number
from skillreg.certificates.services import Holder, certificates_issue
from skillreg.certificates.tests.conftest import NM_CODE, make_id
from skillreg.conftest import NOW
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.registry.models import Institution

pytestmark = pytest.mark.django_db


def test_skill_level_number_follows_the_national_22_character_rule(
        nm_user: User, issue: Callable[..., list[Certificate]]) -> None:
    # 003 四(七) 职业技能等级证书遵循全国统一编码规则.
    [cert] = issue(nm_user, holders=[("张伟", make_id())], level=4)

    assert len(cert.number) == 22
    match = NATIONAL_NUMBER.match(cert.number)
    assert match is not None
    assert match["body"] == NM_CODE  # S + 0000 + 15 + 000007
    assert cert.number[0] == "S" and cert.number[1:5] == "0000" and cert.number[5:7] == "15"
    assert match["yy"] == "26" and match["level"] == "4" and match["serial"] == "000001"
    assert cert.number == f"{NM_CODE}264000001"


def test_an_employer_body_numbers_with_y(nm_body: Institution, nm_user: User,
                                         issue: Callable[..., list[Certificate]]) -> None:
    nm_body.code = "Y000015000008"
    nm_body.save(update_fields=["code"])
    [cert] = issue(nm_user, holders=[("张伟", make_id())], level=5)
    assert cert.number == "Y000015000008265000001"


def test_serials_are_gap_free_per_body_level_and_year(nm_user: User,
                                                      issue: Callable[..., list[Certificate]]) -> None:
    five = issue(nm_user, holders=[(f"李{n}", make_id(seq=n)) for n in range(1, 4)], level=5)
    four = issue(nm_user, holders=[("王芳", make_id(seq=10))], level=4)
    more_five = issue(nm_user, holders=[("赵敏", make_id(seq=11))], level=5)
    next_year = issue(nm_user, holders=[("钱进", make_id(seq=12))], level=5,
                      at=dt.datetime(2027, 1, 4, 9, 0, tzinfo=NOW.tzinfo))

    assert [c.number[-7:] for c in five + more_five] == ["5000001", "5000002", "5000003", "5000004"]
    assert four[0].number[-7:] == "4000001"  # its own counter
    assert next_year[0].number[13:15] == "27" and next_year[0].serial == 1  # a new year starts at 1


def test_a_refused_issue_gives_its_numbers_back(nm_user: User, issue: Callable[..., list[Certificate]]) -> None:
    issue(nm_user, holders=[("张伟", make_id(seq=1))], level=5)
    # The second holder's ID is invalid: the whole batch is refused, the counter untouched.
    with pytest.raises(InvalidInput):
        issue(nm_user, holders=[("李娜", make_id(seq=2)), ("王五", "150302199001011230")], level=5)
    [cert] = issue(nm_user, holders=[("李娜", make_id(seq=2))], level=5)
    assert cert.serial == 2
    assert CertificateSequence.objects.get(scope=cert.sequence_scope).last == 2


def test_a_body_without_a_national_code_cannot_number_skill_level_certificates(
        nm_body: Institution, nm_user: User, issue: Callable[..., list[Certificate]]) -> None:
    nm_body.code = "ZX15030020260001"
    nm_body.save(update_fields=["code"])
    with pytest.raises(DomainError, match="全国统一编码规则") as exc:
        issue(nm_user, holders=[("张伟", make_id())], level=5)
    assert exc.value.source == "003 四(七)"
    assert not Certificate.objects.exists()


def test_special_certificates_follow_the_system_convention_gap_free(
        bz_user: User, issue: Callable[..., list[Certificate]]) -> None:
    # The documents are silent on 专项职业能力证书 numbers: a convention, marked as such.
    rules = policy.for_pack("bz-2023-special")
    assert rules is not None and rules.number_format.convention
    certs = issue(bz_user, holders=[("周杰", make_id("511902", seq=1)), ("吴敏", make_id("511902", seq=2))],
                  occupation="中式面点制作", level=None)
    assert [c.number for c in certs] == ["ZX5119002026000126000001", "ZX5119002026000126000002"]
    assert all(c.kind == "special" and c.level is None for c in certs)


@pytest.mark.django_db(transaction=True)
def test_number_taking_refuses_to_run_outside_a_transaction(nm_body: Institution) -> None:
    rules = policy.for_pack(nm_body.pack_id)
    assert rules is not None
    with pytest.raises(RuntimeError, match="transaction"):
        next_number(rules, nm_body, level=5, on=NOW.date())


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite serialises writers on the whole database (no row locks to race on); "
                           "the concurrency of SELECT … FOR UPDATE is tested on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_never_share_or_skip_a_number(nm_user: User, approved_sitting: object) -> None:
    threads, errors = 8, []
    barrier = threading.Barrier(threads)

    def worker(n: int) -> None:
        try:
            barrier.wait()
            certificates_issue(actor=nm_user, institution=nm_user.institution, sitting=approved_sitting,
                               occupation="电工", level=5, at=NOW,
                               holders=[Holder(f"考生{n}{k}", make_id(seq=n * 10 + k)) for k in range(3)])
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection, so the test database can be dropped

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()

    assert errors == []
    serials = sorted(Certificate.objects.values_list("serial", flat=True))
    assert serials == list(range(1, threads * 3 + 1))
    assert Certificate.objects.values("number").distinct().count() == threads * 3
    with transaction.atomic():
        assert CertificateSequence.objects.get().last == threads * 3
