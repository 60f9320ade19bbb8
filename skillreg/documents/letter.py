"""The shape of an official letter, shared by the PDF and the DOCX renderers.

Each notice turns its data into a ``Letter``; the two renderers lay a ``Letter`` out, so
the wording lives in one place and a PDF and a DOCX of the same notice say the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[str, ...], ...]
    # Relative column widths; the renderers scale them to the text width.
    widths: tuple[float, ...]
    header: tuple[str, ...] = ()
    # Columns whose cells are centred (numbers, short codes).
    centred: tuple[int, ...] = ()


Block = str | Table


@dataclass(frozen=True)
class Letter:
    # May hold "\n" where a long title breaks into lines (GB/T 9704-2012 7.2.3).
    title: str
    # "（申请单位）：" of the templates, already with the colon.
    addressee: str
    body: tuple[Block, ...]
    authority: str
    date: str
    doc_number: str
    # Small lines after the date, e.g. 信息公开选项：主动公开.
    notes: tuple[str, ...] = ()
    # A detachable part after the letter, e.g. 备案回执.
    annex_title: str = ""
    annex: tuple[Block, ...] = ()
    verify_url: str = ""

    @property
    def plain_title(self) -> str:
        return self.title.replace("\n", "")

    @property
    def verification_line(self) -> str:
        where = f"核验地址：{self.verify_url}" if self.verify_url else "可凭文书编号向发文机关核验"
        return f"文书编号：{self.doc_number}　{where}"


def chinese_date(value: dt.date) -> str:
    """2026-11-20 -> 2026年11月20日 (GB/T 9704-2012 7.3.5.1: Arabic numerals, no leading zeros)."""
    return f"{value.year}年{value.month}月{value.day}日"
