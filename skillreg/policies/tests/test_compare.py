from __future__ import annotations

from skillreg.policies.compare import compare


def _row(rows, key):
    return next(r for r in rows if r.key == key)


def test_rows_differ_on_values_not_wording(packs):
    # 002 第十条 and 004 五(五): both 3 years, so the pair does not differ
    rows = compare([packs["bz-2023-special"], packs["gs-2022-special"]])
    assert not _row(rows, "validity").differs
    # 002 第十五条 vs 004 silent
    assert _row(rows, "rotation").differs


def test_silent_cells_carry_the_note_and_no_value(packs):
    rows = compare([packs["sc-2021-appraisal"]])
    (_, cell) = _row(rows, "validity").cells[0]
    assert cell.silent
    assert cell.note
    (_, cell) = _row(rows, "clock_material_check").cells[0]
    assert cell.text.startswith("5 个工作日")
    assert cell.ref == "三(一)2(1)"
