"""The rows a roster check keeps for the commit (issue 8, figure 3).

The commit writes the kept rows without checking them again only when nothing the check read has
changed (the plan, the institution's kind, the declared trainees, the plan's registrations, the
day: ``bulk.fingerprint``); otherwise it checks every row again and refuses the whole commit if any
fails. A known candidate's name is compared by the write itself in both cases.
"""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from skillreg.audit.models import AuditEvent
from skillreg.conftest import NOW
from skillreg.exams.models import Candidate, Registration, RosterImport
from skillreg.exams.services import bulk
from skillreg.exams.services import imports as svc
from skillreg.exams.services.registrations import (
    CandidateRow,
    registration_create,
    registration_withdraw,
    training_roster_declare,
)
from skillreg.exams.tests.conftest import make_id
from skillreg.exams.tests.test_import import xlsx

ROWS = [["张三", make_id(1), "高中", "巴中市某公司", "本单位职工", "13800000000"],
        ["李四", make_id(2), "大专"],
        ["坏号", "12345", "高中"],  # bad: never written
        ["王五", make_id(3), "本科"]]


def _checked(plan, user) -> RosterImport:
    imp = svc.roster_import_start(actor=user, plan=plan, at=NOW, upload=xlsx(ROWS))
    assert imp.status == RosterImport.Status.VALIDATED and (imp.good_rows, imp.bad_rows) == (3, 1)
    return imp


def _count_checks(monkeypatch) -> list[int]:
    calls: list[int] = []
    original = bulk.check

    def counting(rules, row, *, today):
        calls.append(row.row)
        return original(rules, row, today=today)

    monkeypatch.setattr(bulk, "check", counting)
    return calls


def _refused(imp: RosterImport, plan) -> None:
    assert imp.status == RosterImport.Status.FAILED
    assert "未写入任何数据" in imp.message
    assert not Registration.objects.filter(roster_import=imp).exists()
    assert not AuditEvent.objects.filter(action="exams.roster_imported").exists()


def test_nothing_changed_since_the_check_the_kept_rows_are_written_without_a_second_check(
        plan, inst_user, monkeypatch) -> None:
    imp = _checked(plan, inst_user)
    checks = _count_checks(monkeypatch)
    imp = svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW)
    assert imp.status == RosterImport.Status.COMMITTED and imp.imported_rows == 3
    assert checks == []  # the fingerprint matched: no row checked again
    written = {r.name: r for r in Registration.objects.filter(roster_import=imp).select_related("candidate")}
    assert set(written) == {"张三", "李四", "王五"}
    assert (written["张三"].relation, written["张三"].work_unit, written["张三"].phone) == (
        "employee", "巴中市某公司", "13800000000")
    assert written["李四"].candidate.birth_date == dt.date(1990, 1, 1)
    # One audit event for the import, in the commit's transaction.
    assert AuditEvent.objects.filter(action="exams.roster_imported").count() == 1


def test_a_registration_entered_since_the_check_makes_the_commit_check_again_and_refuse(
        plan, inst_user, monkeypatch) -> None:
    imp = _checked(plan, inst_user)
    registration_create(actor=inst_user, plan=plan, at=NOW,
                        row=CandidateRow(name="李四", id_number=make_id(2), education="大专"))
    checks = _count_checks(monkeypatch)
    imp = svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW)
    assert checks == [2, 3, 5]  # every kept row checked again
    _refused(imp, plan)
    assert Registration.objects.filter(plan=plan).count() == 1  # only the one entered by hand


def test_a_training_roster_declared_since_the_check_makes_the_commit_refuse(plan, inst, inst_user) -> None:
    """002 第五条(四) 考培分离: a trainee declared after the check is still refused at commit."""
    imp = _checked(plan, inst_user)
    training_roster_declare(actor=inst_user, institution=inst, title="培训班", trainees=[("王五", make_id(3))], at=NOW)
    _refused(svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW), plan)


def test_a_change_that_breaks_no_row_is_checked_again_and_committed(plan, inst, inst_user, monkeypatch) -> None:
    registration = registration_create(actor=inst_user, plan=plan, at=NOW,
                                       row=CandidateRow(name="赵六", id_number=make_id(9), education="高中"))
    imp = _checked(plan, inst_user)
    registration_withdraw(actor=inst_user, registration=registration, reason="本人放弃", at=NOW)
    training_roster_declare(actor=inst_user, institution=inst, title="培训班", trainees=[("钱七", make_id(8))], at=NOW)
    checks = _count_checks(monkeypatch)
    imp = svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW)
    assert checks == [2, 3, 5]
    assert imp.status == RosterImport.Status.COMMITTED and imp.imported_rows == 3


def test_the_next_day_the_commit_checks_again(plan, inst_user, monkeypatch) -> None:
    """A birth date "in the future" depends on the day: the fingerprint includes it."""
    imp = _checked(plan, inst_user)
    checks = _count_checks(monkeypatch)
    imp = svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW + dt.timedelta(days=1))
    assert checks == [2, 3, 5] and imp.status == RosterImport.Status.COMMITTED


def test_a_person_entered_elsewhere_under_another_name_since_the_check_is_refused(plan, inst_user) -> None:
    """The check's "same number, other name" rule holds at commit without a second check: the
    write compares the names of the candidates as they are then."""
    imp = _checked(plan, inst_user)
    Candidate.objects.create(id_number=make_id(2), name="李肆", gender="男", birth_date=dt.date(1990, 1, 1),
                             created_at=NOW)
    _refused(svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW), plan)
    assert Candidate.objects.filter(id_number__in=[make_id(1), make_id(3)]).count() == 0


def test_a_known_candidate_renamed_since_the_check_is_refused(plan, inst_user) -> None:
    Candidate.objects.create(id_number=make_id(1), name="张三", gender="男", birth_date=dt.date(1990, 1, 1),
                             created_at=NOW)
    imp = _checked(plan, inst_user)
    Candidate.objects.filter(id_number=make_id(1)).update(name="张叁")
    _refused(svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW), plan)


def test_kept_rows_altered_in_storage_are_not_trusted(plan, inst_user, monkeypatch) -> None:
    """The kept rows are signed with the server's key: rows changed in storage make the commit
    read the upload again and check every row, so it writes what the user uploaded."""
    imp = _checked(plan, inst_user)
    name = svc._staged_name(imp)
    with default_storage.open(name, "rb") as fh:
        content = fh.read()
    default_storage.delete(name)
    default_storage.save(name, ContentFile(content.replace("王五".encode(), "王伍".encode())))
    checks = _count_checks(monkeypatch)
    imp = svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW)
    assert checks == [2, 3, 5]
    assert imp.status == RosterImport.Status.COMMITTED
    assert sorted(Registration.objects.filter(roster_import=imp).values_list("name", flat=True)) == [
        "张三", "李四", "王五"]


def test_values_with_tabs_backslashes_and_line_breaks_survive_the_kept_rows(plan, inst_user, monkeypatch) -> None:
    odd = "巴中\\某\t公司\u2028二部"
    rows = [["张三", make_id(1), "高中", odd], ["李四", make_id(2), "大\\专"]]
    imp = svc.roster_import_start(actor=inst_user, plan=plan, at=NOW, upload=xlsx(rows))
    staged = svc._staged_rows(imp)
    assert staged is not None and staged.count == 2
    assert [(r.name, r.work_unit, r.education) for r in staged.rows()] == [
        ("张三", odd, "高中"), ("李四", "", "大\\专")]
    imp = svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW)
    assert imp.status == RosterImport.Status.COMMITTED
    assert Registration.objects.get(roster_import=imp, name="张三").work_unit == odd
    assert Registration.objects.get(roster_import=imp, name="李四").education == "大\\专"


def test_a_nul_character_is_reported_on_its_row() -> None:
    """PostgreSQL cannot store it: reported at the check rather than failing the commit."""
    problems = bulk.length_problems(CandidateRow(name="张\0三", id_number=make_id(1), education="高中", row=7))
    assert [(p.row, p.column) for p in problems] == [(7, "姓名")]


def _commit_queries(plan, user, n: int) -> int:
    rows: list[list[object]] = [[f"考生{i}", make_id(i, birth=f"19{60 + i // 1000}0101"), "高中"] for i in range(n)]
    imp = svc.roster_import_start(actor=user, plan=plan, at=NOW, upload=xlsx(rows))
    assert imp.good_rows == n
    with CaptureQueriesContext(connection) as queries:
        imp = svc.roster_import_accept(actor=user, imp=imp, at=NOW)
    assert imp.status == RosterImport.Status.COMMITTED and imp.imported_rows == n
    return len(queries)


def test_committing_makes_the_same_number_of_queries_for_10_and_2500_rows(plan, inst, inst_user, bz_official,
                                                                          monkeypatch) -> None:
    from skillreg.exams.tests.conftest import filed_venue, make_plan, scope_of

    monkeypatch.setattr(svc, "SYNC_MAX_BYTES", 10**9)  # checked and committed on the call

    other = make_plan(inst_user, inst, filed_venue(inst, bz_official, name="考点2"), scope_of(inst, "竹编2", None),
                      title="第2场")
    small, large = _commit_queries(plan, inst_user, 10), _commit_queries(other, inst_user, 2500)
    if connection.vendor == "postgresql":
        assert small == large, (small, large)
    else:  # bulk_create in batches (SQLite: as many rows as its 999 parameters allow), never per row
        assert large - small < 2500 // 40, (small, large)


def test_two_indexes_nothing_reads_are_gone_and_every_foreign_key_stays(db) -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Registration._meta.db_table)
    indexed = {tuple(c["columns"]) for c in constraints.values() if c["index"]}
    assert ("entered_by_id",) not in indexed and ("roster_import_id",) not in indexed
    assert {("plan_id",), ("candidate_id",)} <= indexed
    if connection.vendor == "postgresql":  # SQLite's introspection lists no foreign-key constraints by name
        keys = {tuple(c["columns"]) for c in constraints.values() if c["foreign_key"]}
        assert {("plan_id",), ("candidate_id",), ("entered_by_id",), ("roster_import_id",)} <= keys


def test_imported_rows_name_their_import_and_a_typed_row_names_who_typed_it(plan, inst_user) -> None:
    # An import's rows leave entered_by empty (one foreign-key check fewer per row); the import
    # records who uploaded and accepted them. A row typed in the form keeps its clerk.
    imp = svc.roster_import_accept(actor=inst_user, imp=_checked(plan, inst_user), at=NOW)
    imported = Registration.objects.filter(roster_import=imp)
    assert imported.count() == 3 and not imported.filter(entered_by__isnull=False).exists()
    assert (imp.created_by, imp.accepted_by) == (inst_user, inst_user)
    typed = registration_create(actor=inst_user, plan=plan, at=NOW,
                                row=CandidateRow(row=1, name="赵六", id_number=make_id(4), education="高中"))
    assert typed.entered_by == inst_user and typed.roster_import is None
