"""Roster import at scale (issue 6, issue 8 figure 3): every bad row reported, constant queries."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from skillreg.accounts.models import Role
from skillreg.conftest import NOW, make_user
from skillreg.exams.idcard import parse_id
from skillreg.exams.models import Candidate, Registration, RosterImport
from skillreg.exams.services import imports as svc
from skillreg.exams.services.registrations import CandidateRow, registration_create, training_roster_declare
from skillreg.exams.tests.conftest import filed_institution, filed_venue, make_id, make_plan, scope_of
from skillreg.exams.tests.test_import import xlsx
from skillreg.registry.models import BodyKind

FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def test_every_kind_of_bad_row_is_reported_with_its_column_and_reason(plan, inst, inst_user) -> None:
    """Each rule of a candidate row (002 第五条(四) 考培分离, 002 第六条(一) entry, GB 11643 ID
    numbers, the table's limits) fails on its own row; every bad row is listed with its column
    and reason, and nothing is written before the user accepts."""
    training_roster_declare(actor=inst_user, institution=inst, title="培训班", trainees=[("王五", make_id(50))], at=NOW)
    registration_create(actor=inst_user, plan=plan, at=NOW,
                        row=CandidateRow(name="已报", id_number=make_id(60), education="高中"))
    Candidate.objects.create(id_number=make_id(70), name="赵大", gender="男", birth_date=dt.date(1990, 1, 1),
                             created_at=NOW)
    good = make_id(1)
    wrong_digit = make_id(2)[:-1] + ("0" if make_id(2)[-1] != "0" else "1")
    rows: list[list[object]] = [
        ["张三", good, "高中", "巴中市某公司", "本单位职工", "13800000000"],  # 2 good
        ["", make_id(3), "高中"],                                           # 3 name missing
        ["长" * 51, make_id(4), "高中"],                                     # 4 name too long
        ["李四", "", "高中"],                                                # 5 ID missing
        ["李四", "5119021990", "高中"],                                      # 6 ID too short
        ["李四", "51190219900101ABCD", "高中"],                              # 7 ID not digits
        ["李四", make_id(5, birth="19900230"), "高中"],                      # 8 no such birth date
        ["李四", make_id(6, birth="20300101"), "高中"],                      # 9 born in the future
        ["李四", wrong_digit, "高中"],                                       # 10 check digit
        ["李四", 511902199001011232, "高中"],                                # 11 number cell
        ["李四", make_id(7), ""],                                            # 12 education missing
        ["李四", make_id(8), "高中", "", "亲戚"],                            # 13 not a relation
        ["王五", make_id(50), "高中"],                                       # 14 own trainee
        ["张三", good, "高中"],                                              # 15 twice in the file
        ["已报", make_id(60), "高中"],                                       # 16 already registered
        ["赵二", make_id(70), "高中"],                                       # 17 known under another name
        ["李四", make_id(9), "学" * 51],                                     # 18 education too long
        ["李四", make_id(10), "高中", "单" * 201],                           # 19 work unit too long
        ["李四", make_id(11), "高中", "", "", "1" * 31],                     # 20 phone too long
        [None, None, None],                                                  # 21 blank: not a row
        ["钱七", make_id(12).translate(FULL_WIDTH), "本科", "", "", 13900000000],  # 22 good: full-width, number
    ]
    expected = {
        3: ("姓名", "不能为空"), 4: ("姓名", "过长"), 5: ("身份证号码", "不能为空"), 6: ("身份证号码", "18 位"),
        7: ("身份证号码", "格式错误"), 8: ("身份证号码", "出生日期无效"), 9: ("身份证号码", "不合理"),
        10: ("身份证号码", "校验位"), 11: ("身份证号码", "文本格式"), 12: ("文化程度", "不能为空"),
        13: ("与机构关系", "不是可选的关系"), 14: ("身份证号码", "考培分离"), 15: ("身份证号码", "与第 2 行为同一考生"),
        16: ("身份证号码", "重复报名"), 17: ("姓名", "不一致"), 18: ("文化程度", "过长"), 19: ("工作单位/学校", "过长"),
        20: ("联系电话", "过长"),
    }
    candidates_before = Candidate.objects.count()

    imp = svc.roster_import_start(actor=inst_user, plan=plan, at=NOW, upload=xlsx(rows))

    assert imp.status == RosterImport.Status.VALIDATED
    assert (imp.total_rows, imp.good_rows, imp.bad_rows) == (20, 2, 18)
    for row, (column, reason) in expected.items():
        assert any(e["row"] == row and e["column"] == column and reason in e["reason"] for e in imp.errors), row
    assert {e["row"] for e in imp.errors} == set(expected)
    assert next(e for e in imp.errors if e["row"] == 14)["source"] == "002 第五条(四)"
    # Nothing written before the user accepts: only the one registration entered by hand.
    assert Registration.objects.filter(plan=plan).count() == 1
    assert Candidate.objects.count() == candidates_before

    imp = svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW)
    assert imp.status == RosterImport.Status.COMMITTED and imp.imported_rows == 2
    written = {r.candidate.id_number: r for r in Registration.objects.filter(roster_import=imp)}
    assert set(written) == {good, make_id(12)}  # the full-width number stored as ASCII
    assert written[make_id(12)].phone == "13900000000"  # a number cell read as the digits typed
    assert written[good].relation == "employee" and written[good].work_unit == "巴中市某公司"
    for number, registration in written.items():  # a new candidate's gender and birth date as parse_id reads them
        parsed = parse_id(number, today=NOW.date())
        assert (registration.candidate.gender, registration.candidate.birth_date) == (parsed.gender, parsed.birth_date)


def test_an_enterprise_roster_reports_non_employees(wuhai, wh_official) -> None:
    """003 三(一): an enterprise assesses only its own workers; the import says so on the row."""
    inst = filed_institution(wuhai, pack_id="nm-2021-skill-level", body_kind=BodyKind.ENTERPRISE)
    user = make_user(Role.INSTITUTION_USER, None, institution=inst)
    plan = make_plan(user, inst, filed_venue(inst, wh_official), scope_of(inst, "电工", 4))
    imp = svc.roster_import_start(actor=user, plan=plan, at=NOW, upload=xlsx([
        ["张三", make_id(1), "高中", "", "劳务派遣人员"], ["李四", make_id(2), "高中", "", "无"]]))
    assert (imp.good_rows, imp.bad_rows) == (1, 1)
    assert imp.errors == [{"row": 3, "column": "与机构关系", "source": "003 三(一)",
                           "reason": imp.errors[0]["reason"]}]


def _validation_queries(plan, user, n: int, monkeypatch) -> int:
    monkeypatch.setattr(svc, "SYNC_MAX_BYTES", 0)  # checked by the task: called directly below
    rows: list[list[object]] = [[f"考生{i}", make_id(i, birth=f"19{60 + i // 1000}0101"), "高中", "", "", ""]
                                for i in range(n)]
    rows[0][1] = make_id(999, birth="19791231")  # a known candidate: its name is compared
    imp = svc.roster_import_start(actor=user, plan=plan, at=NOW, upload=xlsx(rows))
    with CaptureQueriesContext(connection) as queries:
        imp = svc.roster_import_validate(imp, at=NOW)
    assert imp.status == RosterImport.Status.VALIDATED and imp.good_rows == n
    return len(queries)


def test_checking_a_roster_makes_the_same_number_of_queries_for_10_and_500_rows(
        plan, inst, inst_user, bz_official, monkeypatch) -> None:
    """Issue 8: what the rules need is loaded in bulk; no query per row (nor per 500 rows)."""
    training_roster_declare(actor=inst_user, institution=inst, title="培训班", trainees=[("王五", make_id(50))], at=NOW)
    Candidate.objects.create(id_number=make_id(999, birth="19791231"), name="考生0", gender="男",
                             birth_date=dt.date(1979, 12, 31), created_at=NOW)
    plans = [plan] + [make_plan(inst_user, inst, filed_venue(inst, bz_official, name=f"考点{i}"),
                                scope_of(inst, f"竹编{i}", None), title=f"第{i}场") for i in (2, 3)]
    counts = [_validation_queries(p, inst_user, n, monkeypatch) for p, n in zip(plans, (10, 500, 1200), strict=True)]
    assert counts[0] == counts[1] == counts[2], counts


def test_a_person_entered_elsewhere_during_the_commit_is_the_same_candidate(plan, inst_user, monkeypatch) -> None:
    """PostgreSQL: another institution creates the candidate between the commit's check and its
    insert (SQLite takes the write lock at BEGIN, so it cannot happen there). The import then
    registers the existing candidate instead of failing."""
    from skillreg.exams.services import bulk

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers from BEGIN: the race cannot happen")
    imp = svc.roster_import_start(actor=inst_user, plan=plan, at=NOW,
                                  upload=xlsx([["张三", make_id(1), "高中"], ["李四", make_id(2), "高中"]]))
    other = Candidate.objects.create(id_number=make_id(2), name="李四", gender="男", birth_date=dt.date(1990, 1, 1),
                                     created_at=NOW)
    # The commit writes the kept rows (李四 new at the check) without looking candidates up again;
    # were it to check again, make its read miss the other institution's candidate all the same.
    monkeypatch.setattr(bulk, "known_candidates", lambda ids: {})
    imp = svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW)
    assert imp.status == RosterImport.Status.COMMITTED and imp.imported_rows == 2
    assert Registration.objects.get(roster_import=imp, name="李四").candidate == other
    assert Candidate.objects.filter(id_number__in=[make_id(1), make_id(2)]).count() == 2


def test_the_checked_rows_kept_for_the_commit_are_removed_and_a_damaged_copy_is_not_trusted(
        plan, inst_user, django_capture_on_commit_callbacks) -> None:
    """The commit takes the checked rows from the copy the check kept; a damaged copy makes it
    read the workbook again (same rows), and the copy is gone once the import is committed."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    imp = svc.roster_import_start(actor=inst_user, plan=plan, at=NOW, upload=xlsx([
        ["张三", make_id(1), "高中"], ["李四", "坏号码", "高中"], ["王五", make_id(3), "大专"]]))
    name = svc._staged_name(imp)
    assert default_storage.exists(name)
    default_storage.delete(name)
    default_storage.save(name, ContentFile(b'{"sha256": "'))  # cut short
    with django_capture_on_commit_callbacks(execute=True):  # removed once the commit is durable
        imp = svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW)
    assert imp.status == RosterImport.Status.COMMITTED and imp.imported_rows == 2
    assert sorted(Registration.objects.filter(roster_import=imp).values_list("name", flat=True)) == ["张三", "王五"]
    assert not default_storage.exists(name)


@pytest.mark.django_db
def test_a_candidates_id_number_stays_unique_without_a_pattern_index() -> None:
    """exams 0005 (issue 8, figure 3): one candidate per ID number, said in Chinese by model
    validation and enforced by the database; on PostgreSQL without the varchar_pattern_ops index
    Django adds to unique=True, which nothing reads."""
    Candidate.objects.create(id_number=make_id(1), name="张三", gender="男", birth_date=dt.date(1990, 1, 1),
                             created_at=NOW)
    twin = Candidate(id_number=make_id(1), name="李四", gender="男", birth_date=dt.date(1990, 1, 1), created_at=NOW)
    with pytest.raises(ValidationError, match="该身份证号码的考生已存在"):
        twin.validate_constraints()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'exams_candidate'")
            definitions = [row[0] for row in cursor.fetchall()]
        assert not [d for d in definitions if "pattern_ops" in d], definitions
        assert [d for d in definitions if d.startswith("CREATE UNIQUE INDEX") and "(id_number)" in d], definitions
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
