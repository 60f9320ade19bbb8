"""The wording: 001 附件3 样式（一）/（二）verbatim with the blanks filled, and the supplement notice."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from skillreg.documents.letter import Table, chinese_date
from skillreg.documents.notices import (
    ResultNoticeFiled,
    ResultNoticeTerminated,
    SupplementItem,
    SupplementNotice,
)


def test_chinese_date_has_no_leading_zeros() -> None:
    assert chinese_date(dt.date(2026, 1, 5)) == "2026年1月5日"
    assert chinese_date(dt.date(2026, 11, 20)) == "2026年11月20日"


def test_filed_notice_is_style_one_verbatim(filed: ResultNoticeFiled) -> None:
    letter = filed.to_letter()

    assert letter.plain_title == "职业技能考核鉴定机构设立备案办理结果告知书"
    assert letter.addressee == "四川蜀能电力有限公司："
    assert letter.body == (
        "你单位报来的职业技能考核鉴定机构设立备案材料收悉。经审查，你单位符合职业技能考核鉴定机构备案设立条件并已备案。"
        "备案结果公布于http://hrss.sc.gov.cn/jdjg/ml/上。",
    )
    assert (letter.authority, letter.date) == ("四川省人力资源和社会保障厅", "2026年11月20日")
    assert letter.notes == ("信息公开选项：主动公开",)


def test_filed_notice_carries_the_receipt(filed: ResultNoticeFiled) -> None:
    letter = filed.to_letter()

    assert letter.annex_title == "备案回执"
    (receipt,) = letter.annex
    assert isinstance(receipt, Table)
    rows = {label: value for label, value in receipt.rows}
    assert rows["机构代码"] == "510000-JD-2026-0012"
    assert rows["有效期"] == "2026年11月20日至2029年11月19日"
    assert rows["备案范围"] == "电工（初级至高级技师）\n焊工（初级至高级）"
    assert rows["文书编号"] == "川人社鉴备〔2026〕0012号"


def test_filed_notice_refuses_a_validity_that_ends_before_it_starts(filed: ResultNoticeFiled) -> None:
    with pytest.raises(ValueError, match="有效期"):
        dataclasses.replace(filed, valid_until=dt.date(2026, 1, 1))


def test_terminated_notice_is_style_two_verbatim(terminated: ResultNoticeTerminated) -> None:
    assert terminated.to_letter().body == (
        "你单位报来的职业技能考核鉴定机构设立备案材料收悉。因一次性告知补正后5个工作日内未补齐材料，"
        "根据《四川省职业技能考核鉴定机构备案管理办法》三(二)(2)规定，终止办理。",
    )


def test_terminated_notice_does_not_double_the_word_guiding(terminated: ResultNoticeTerminated) -> None:
    notice = dataclasses.replace(terminated, clause="本办法第五条规定。", reason="材料不实。", conclusion="不予备案")

    (body,) = notice.to_letter().body
    assert isinstance(body, str)
    assert body.endswith("因材料不实，根据本办法第五条规定，不予备案。")


def test_terminated_notice_requires_a_reason(terminated: ResultNoticeTerminated) -> None:
    with pytest.raises(ValueError, match="reason"):
        dataclasses.replace(terminated, reason="  ")


def test_supplement_notice_lists_every_item_with_its_clause(supplement: SupplementNotice) -> None:
    letter = supplement.to_letter()

    intro, table, deadline = letter.body
    assert isinstance(intro, str) and "一次性告知如下（共3项）" in intro
    assert isinstance(table, Table)
    assert table.header == ("序号", "需补正的材料或事项", "具体问题", "依据")
    assert table.rows == (
        ("1", "自有考评员名册", "焊工自有考评员不足3人（现有2人）", "001 三(一)3"),
        ("2", "实操场地设备清单", "未列明设备型号及数量", "001 二(三)"),
        ("3", "承诺书", "—", "001 附件5"),
    )
    assert isinstance(deadline, str)
    assert deadline.startswith("请你单位于2026年11月27日前一次性补齐上述材料。")
    assert "系暂定期限" in deadline
    assert deadline.endswith("逾期未补齐的，根据001 三(二)(2)规定，终止本次办理。")


def test_supplement_notice_says_nothing_provisional_about_a_firm_deadline(supplement: SupplementNotice) -> None:
    deadline = dataclasses.replace(supplement, deadline_provisional=False).to_letter().body[2]

    assert isinstance(deadline, str)
    assert "暂定" not in deadline


def test_supplement_notice_needs_at_least_one_item(supplement: SupplementNotice) -> None:
    with pytest.raises(ValueError, match="至少"):
        dataclasses.replace(supplement, items=())


def test_supplement_item_needs_its_clause() -> None:
    with pytest.raises(ValueError, match="clause"):
        SupplementItem("承诺书", "")
