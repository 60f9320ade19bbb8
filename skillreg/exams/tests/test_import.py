import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from skillreg.conftest import NOW
from skillreg.exams.models import Registration, RosterImport
from skillreg.exams.services import imports as svc
from skillreg.exams.services.registrations import training_roster_declare
from skillreg.exams.tests.conftest import make_id
from skillreg.exams.xlsx import template_bytes

HEADERS = ["姓名", "身份证号码", "文化程度", "工作单位/学校", "与机构关系", "联系电话"]


def xlsx(rows: list[list[object]], headers: list[str] = HEADERS) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("名册.xlsx", out.getvalue())


def test_the_template_has_chinese_headers() -> None:
    ws = load_workbook(io.BytesIO(template_bytes())).active
    assert [c.value for c in ws[1]] == HEADERS


def test_bad_rows_are_all_reported_and_nothing_is_saved_until_accepted(plan, inst, inst_user) -> None:
    training_roster_declare(actor=inst_user, institution=inst, title="培训班", trainees=[("王五", make_id(50))], at=NOW)
    good_id = make_id(1)
    bad_digit = make_id(2)[:-1] + ("0" if make_id(2)[-1] != "0" else "1")
    imp = svc.roster_import_start(actor=inst_user, plan=plan, at=NOW, upload=xlsx([
        ["张三", good_id, "高中", "", "", ""],
        ["李四", bad_digit, "高中", "", "", ""],      # row 3: check digit
        ["", make_id(3), "", "", "", ""],              # row 4: name and education missing
        ["王五", make_id(50), "大专", "", "", ""],     # row 5: 考培分离
        ["张三", good_id, "高中", "", "", ""],         # row 6: same person twice
        ["赵六", make_id(4), "本科", "", "亲戚", ""],  # row 7: unknown relation
        ["钱七", make_id(5), "本科", "", "", ""],
    ]))
    assert imp.status == RosterImport.Status.VALIDATED
    assert (imp.good_rows, imp.bad_rows) == (2, 5)
    by_row = {(e["row"], e["column"]) for e in imp.errors}
    assert {(3, "身份证号码"), (4, "姓名"), (4, "文化程度"), (5, "身份证号码"), (6, "身份证号码"),
            (7, "与机构关系")} <= by_row
    assert any(e["source"] == "002 第五条(四)" for e in imp.errors)
    assert any("校验位" in e["reason"] for e in imp.errors if e["row"] == 3)
    assert Registration.objects.count() == 0  # nothing saved before the user accepts

    imp = svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW)
    assert imp.status == RosterImport.Status.COMMITTED and imp.imported_rows == 2
    assert sorted(Registration.objects.values_list("name", flat=True)) == ["张三", "钱七"]


def test_missing_headers_fail_the_whole_file(plan, inst_user) -> None:
    imp = svc.roster_import_start(actor=inst_user, plan=plan, at=NOW, upload=xlsx([["张三"]], headers=["名字"]))
    assert imp.status == RosterImport.Status.FAILED and "表头缺少列" in imp.message


def test_a_numeric_id_cell_is_reported(plan, inst_user) -> None:
    imp = svc.roster_import_start(actor=inst_user, plan=plan, at=NOW,
                                  upload=xlsx([["张三", 511902199001011232, "高中"]]))
    assert imp.bad_rows == 1 and "文本格式" in imp.errors[0]["reason"]


def test_an_interrupted_commit_leaves_nothing_written(plan, inst_user, monkeypatch) -> None:
    """The worker dies after the rows went to the database but before the commit: none stay."""
    from skillreg.exams.models import Candidate
    from skillreg.exams.services import bulk

    imp = svc.roster_import_start(actor=inst_user, plan=plan, at=NOW,
                                  upload=xlsx([["张三", make_id(1), "高中"], ["李四", make_id(2), "高中"]]))
    original = bulk._write_rows

    def crash(*args, **kw):
        assert original(*args, **kw) == 2  # both rows written (COPY or bulk_create) …
        raise RuntimeError("worker killed")  # … then the process dies inside the transaction

    monkeypatch.setattr(bulk, "_write_rows", crash)
    with pytest.raises(RuntimeError):
        svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW)
    assert Registration.objects.count() == 0 and Candidate.objects.count() == 0
    monkeypatch.undo()
    imp = svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW)  # resumes the interrupted commit
    assert imp.status == RosterImport.Status.COMMITTED and Registration.objects.count() == 2


def test_a_large_file_is_checked_in_the_background(plan, inst_user, settings, monkeypatch,
                                                    django_capture_on_commit_callbacks) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(svc, "SYNC_MAX_BYTES", 0)
    with django_capture_on_commit_callbacks(execute=True):
        imp = svc.roster_import_start(actor=inst_user, plan=plan, at=NOW,
                                      upload=xlsx([[f"考生{i}", make_id(i), "高中"] for i in range(1, 30)]))
    imp.refresh_from_db()
    assert imp.status == RosterImport.Status.VALIDATED and imp.percent == 100 and imp.good_rows == 29
    svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW)
    imp.refresh_from_db()
    assert imp.status == RosterImport.Status.COMMITTED and Registration.objects.count() == 29


def test_accepting_twice_is_refused(plan, inst_user) -> None:
    from skillreg.core.errors import IllegalTransition

    imp = svc.roster_import_start(actor=inst_user, plan=plan, at=NOW, upload=xlsx([["张三", make_id(1), "高中"]]))
    svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW)
    with pytest.raises(IllegalTransition):
        svc.roster_import_accept(actor=inst_user, imp=imp, at=NOW)


def test_an_import_left_mid_check_by_a_killed_worker_can_be_discarded(plan, inst_user) -> None:
    """A worker killed while checking leaves the import "validating"; the user clears it, and a
    check that finishes afterwards does not bring it back."""
    imp = svc.roster_import_start(actor=inst_user, plan=plan, at=NOW, upload=xlsx([["张三", make_id(1), "高中"]]))
    RosterImport.objects.filter(pk=imp.pk).update(status=RosterImport.Status.VALIDATING)
    imp = svc.roster_import_discard(actor=inst_user, imp=imp, at=NOW)
    assert imp.status == RosterImport.Status.DISCARDED
    RosterImport.objects.filter(pk=imp.pk).update(status=RosterImport.Status.QUEUED)
    imp = svc.roster_import_discard(actor=inst_user, imp=imp, at=NOW)
    svc.roster_import_validate(imp, at=NOW)
    imp.refresh_from_db()
    assert imp.status == RosterImport.Status.DISCARDED and Registration.objects.count() == 0
