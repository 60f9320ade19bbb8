"""The notices an authority issues, as plain data, and their wording.

The result notices keep the verbatim text of 001 附件3 (职业技能考核鉴定机构设立备案办理结果
告知书 样式（一）and 样式（二）) with the blanks filled; the supplement notice is the
一次性告知 of 001 三(二)(2). Nothing here touches the database: callers pass plain values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar, Protocol

from django.db import models

from skillreg.documents.letter import Block, Letter, Table, chinese_date

# 001 附件3 is written for this kind of body; other regimes pass their own.
DEFAULT_SUBJECT = "职业技能考核鉴定机构"
# 001 附件3: "信息公开选项：主动公开".
DEFAULT_DISCLOSURE = "主动公开"


class DocumentKind(models.TextChoices):
    RESULT_FILED = "result_filed", "办理结果告知书（样式一）"
    RESULT_TERMINATED = "result_terminated", "办理结果告知书（样式二）"
    SUPPLEMENT = "supplement", "一次性补正告知书"


class Notice(Protocol):
    """What the renderers need: every notice dataclass below has it."""

    @property
    def kind(self) -> DocumentKind: ...

    @property
    def doc_number(self) -> str: ...

    @property
    def date(self) -> dt.date: ...

    def to_letter(self) -> Letter: ...


def _require(**values: str) -> None:
    missing = [name for name, value in values.items() if not str(value).strip()]
    if missing:
        raise ValueError(f"文书缺少必填内容：{', '.join(missing)}")


def _sentence(text: str) -> str:
    # The template supplies its own punctuation after a filled blank.
    return text.strip().rstrip("。；;，,.")


def _cited(clause: str) -> str:
    """'本办法第五条' -> '本办法第五条规定' (样式（二）: 根据（本办法第X条规定）)."""
    clause = _sentence(clause)
    return clause if clause.endswith("规定") else f"{clause}规定"


def _notes(disclosure: str) -> tuple[str, ...]:
    return (f"信息公开选项：{disclosure}",) if disclosure else ()


@dataclass(frozen=True)
class ResultNoticeFiled:
    """样式（一）: the application is filed; with the 备案回执 (code, validity)."""

    kind: ClassVar[DocumentKind] = DocumentKind.RESULT_FILED

    doc_number: str
    applicant: str
    authority: str
    # 样式（一）: 备案结果公布于（网站目录或地址）上.
    publication_url: str
    date: dt.date
    institution_name: str
    institution_code: str
    valid_from: dt.date
    valid_until: dt.date | None  # None: the regime's document fixes no validity period
    # Occupations/projects and levels filed, one line each, e.g. "电工（初级至高级技师）".
    scope: tuple[str, ...] = ()
    subject: str = DEFAULT_SUBJECT
    disclosure: str = DEFAULT_DISCLOSURE
    verify_url: str = ""

    def __post_init__(self) -> None:
        _require(
            doc_number=self.doc_number,
            applicant=self.applicant,
            authority=self.authority,
            publication_url=self.publication_url,
            institution_name=self.institution_name,
            institution_code=self.institution_code,
        )
        if self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("备案有效期的截止日期早于起始日期")

    def to_letter(self) -> Letter:
        body = (
            f"你单位报来的{self.subject}设立备案材料收悉。经审查，你单位符合{self.subject}备案设立条件并已备案。"
            f"备案结果公布于{self.publication_url.strip()}上。",
        )
        receipt_rows: list[tuple[str, ...]] = [
            ("机构名称", self.institution_name),
            ("承办单位", self.applicant),
            ("机构代码", self.institution_code),
            ("有效期", f"{chinese_date(self.valid_from)}至{chinese_date(self.valid_until)}"
                       if self.valid_until else f"自{chinese_date(self.valid_from)}起（文件未规定有效期）"),
        ]
        if self.scope:
            receipt_rows.append(("备案范围", "\n".join(self.scope)))
        receipt_rows += [
            ("备案机关", self.authority),
            ("备案日期", chinese_date(self.date)),
            ("文书编号", self.doc_number),
        ]
        return Letter(
            title=f"{self.subject}设立备案\n办理结果告知书",
            addressee=f"{self.applicant}：",
            body=body,
            authority=self.authority,
            date=chinese_date(self.date),
            doc_number=self.doc_number,
            notes=_notes(self.disclosure),
            annex_title="备案回执",
            annex=(Table(rows=tuple(receipt_rows), widths=(1, 3.2)),),
            verify_url=self.verify_url,
        )


@dataclass(frozen=True)
class ResultNoticeTerminated:
    """样式（二）: the filing is terminated (or refused), with the reason and the clause."""

    kind: ClassVar[DocumentKind] = DocumentKind.RESULT_TERMINATED

    doc_number: str
    applicant: str
    reason: str
    # The provision relied on, e.g. "《四川省职业技能考核鉴定机构备案管理办法》三(二)(2)";
    # "规定" is added when missing.
    clause: str
    authority: str
    date: dt.date
    # 样式（二） ends with 终止办理; a refusal after review may say 不予备案.
    conclusion: str = "终止办理"
    subject: str = DEFAULT_SUBJECT
    disclosure: str = DEFAULT_DISCLOSURE
    verify_url: str = ""

    def __post_init__(self) -> None:
        _require(
            doc_number=self.doc_number,
            applicant=self.applicant,
            reason=self.reason,
            clause=self.clause,
            authority=self.authority,
            conclusion=self.conclusion,
        )

    def to_letter(self) -> Letter:
        body = (
            f"你单位报来的{self.subject}设立备案材料收悉。"
            f"因{_sentence(self.reason)}，根据{_cited(self.clause)}，{_sentence(self.conclusion)}。",
        )
        return Letter(
            title=f"{self.subject}设立备案\n办理结果告知书",
            addressee=f"{self.applicant}：",
            body=body,
            authority=self.authority,
            date=chinese_date(self.date),
            doc_number=self.doc_number,
            notes=_notes(self.disclosure),
            verify_url=self.verify_url,
        )


@dataclass(frozen=True)
class SupplementItem:
    """One missing or insufficient item, with the clause that requires it."""

    item: str
    clause: str
    # What exactly is wrong, e.g. "考评员不足3人（现有2人）"; may be empty.
    detail: str = ""

    def __post_init__(self) -> None:
        _require(item=self.item, clause=self.clause)


@dataclass(frozen=True)
class SupplementNotice:
    """一次性补正告知书: every missing item at once, and the date by which to supply them."""

    kind: ClassVar[DocumentKind] = DocumentKind.SUPPLEMENT

    doc_number: str
    applicant: str
    items: tuple[SupplementItem, ...]
    deadline: dt.date | None  # None: the regime's document fixes no period
    # True when the deadline counts working days of a year whose holiday schedule is not yet
    # published, so an official adjustment may move it.
    deadline_provisional: bool
    authority: str
    date: dt.date
    # The provision that terminates the filing when the deadline passes, e.g. 001 三(二)(2).
    termination_clause: str = ""
    subject: str = DEFAULT_SUBJECT
    verify_url: str = ""

    def __post_init__(self) -> None:
        _require(doc_number=self.doc_number, applicant=self.applicant, authority=self.authority)
        if not self.items:
            raise ValueError("一次性补正告知书至少要列出一项需补正的材料")
        if self.deadline is not None and self.deadline < self.date:
            raise ValueError("补正期限早于告知日期")

    def to_letter(self) -> Letter:
        rows = tuple(
            (str(number), item.item.strip(), item.detail.strip() or "—", item.clause.strip())
            for number, item in enumerate(self.items, start=1)
        )
        deadline = (f"请你单位于{chinese_date(self.deadline)}前一次性补齐上述材料。" if self.deadline
                    else "请你单位在本部门告知的期限内一次性补齐上述材料。")
        if self.deadline_provisional:
            deadline += "该期限按目前已公布的节假日安排推算，系暂定期限；如节假日安排调整，以调整后的工作日计算为准。"
        termination = f"根据{_cited(self.termination_clause)}，" if self.termination_clause.strip() else ""
        deadline += f"逾期未补齐的，{termination}终止本次办理。"
        body: tuple[Block, ...] = (
            f"你单位报来的{self.subject}设立备案材料收悉。经审查，申请材料尚不齐全或不符合要求，"
            f"现将需要补正的全部内容一次性告知如下（共{len(self.items)}项）：",
            Table(
                header=("序号", "需补正的材料或事项", "具体问题", "依据"),
                rows=rows,
                widths=(0.7, 2.2, 2.2, 2.0),
                centred=(0,),
            ),
            deadline,
        )
        return Letter(
            title=f"{self.subject}设立备案材料\n一次性补正告知书",
            addressee=f"{self.applicant}：",
            body=body,
            authority=self.authority,
            date=chinese_date(self.date),
            doc_number=self.doc_number,
            verify_url=self.verify_url,
        )
