"""Sample notices and helpers for the documents tests (no database needed)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from skillreg.documents.notices import (
    Notice,
    ResultNoticeFiled,
    ResultNoticeTerminated,
    SupplementItem,
    SupplementNotice,
)

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def filed() -> ResultNoticeFiled:
    return ResultNoticeFiled(
        doc_number="川人社鉴备〔2026〕0012号",
        applicant="四川蜀能电力有限公司",
        authority="四川省人力资源和社会保障厅",
        publication_url="http://hrss.sc.gov.cn/jdjg/ml/",
        date=TODAY,
        institution_name="四川蜀能电力有限公司职业技能考核鉴定所",
        institution_code="510000-JD-2026-0012",
        valid_from=TODAY,
        valid_until=dt.date(2029, 11, 19),
        scope=("电工（初级至高级技师）", "焊工（初级至高级）"),
        verify_url="http://skillreg.example/verify/",
    )


@pytest.fixture
def terminated() -> ResultNoticeTerminated:
    return ResultNoticeTerminated(
        doc_number="成人社鉴终〔2026〕0003号",
        applicant="成都锦城技工学校",
        reason="一次性告知补正后5个工作日内未补齐材料",
        clause="《四川省职业技能考核鉴定机构备案管理办法》三(二)(2)",
        authority="成都市人力资源和社会保障局",
        date=TODAY,
    )


@pytest.fixture
def supplement() -> SupplementNotice:
    return SupplementNotice(
        doc_number="成人社鉴补〔2026〕0041号",
        applicant="成都锦城技工学校",
        items=(
            SupplementItem("自有考评员名册", "001 三(一)3", "焊工自有考评员不足3人（现有2人）"),
            SupplementItem("实操场地设备清单", "001 二(三)", "未列明设备型号及数量"),
            SupplementItem("承诺书", "001 附件5"),
        ),
        deadline=dt.date(2026, 11, 27),
        deadline_provisional=True,
        authority="成都市人力资源和社会保障局",
        date=TODAY,
        termination_clause="001 三(二)(2)",
    )


@pytest.fixture(params=["filed", "terminated", "supplement"])
def notice(request: pytest.FixtureRequest) -> Notice:
    return request.getfixturevalue(request.param)


def squash(text: str) -> str:
    """Text with all whitespace removed: PDF extraction breaks lines wherever the layout did."""
    return "".join(text.split())


def tool(name: str) -> str:
    """Path of a poppler-utils program; in CI its absence is a failure, elsewhere a skip."""
    path = shutil.which(name)
    if path:
        return path
    reason = f"{name} not installed (Debian package poppler-utils: apt-get install poppler-utils)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def run(*args: str | Path) -> str:
    return subprocess.run([str(arg) for arg in args], check=True, capture_output=True, text=True).stdout  # noqa: S603


def key_strings(notice: Notice) -> list[str]:
    """What a reader must find in the rendered notice, whatever the format."""
    from skillreg.documents.letter import chinese_date

    common = [notice.doc_number, notice.applicant, notice.authority, chinese_date(notice.date)]  # type: ignore[attr-defined]
    if isinstance(notice, ResultNoticeFiled):
        return [
            *common,
            notice.publication_url,
            notice.institution_name,
            notice.institution_code,
            "2026年11月20日至2029年11月19日",
            "已备案",
            "备案回执",
            "信息公开选项：主动公开",
        ]
    if isinstance(notice, ResultNoticeTerminated):
        return [*common, notice.reason, notice.clause + "规定", "终止办理"]
    assert isinstance(notice, SupplementNotice)
    items = [text for item in notice.items for text in (item.item, item.clause)]
    return [*common, *items, "一次性补正告知书", chinese_date(notice.deadline)]
