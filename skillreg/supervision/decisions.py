"""Decision documents of supervision as PDF and DOCX: the violation decision (处理决定书), the
rectification order (限期整改通知书) and the termination decision (终止（取消）备案决定书).

Built on request from the decided record, as a ``documents.letter.Letter``, and laid out by the
same PDF/DOCX renderers as the registry's 样式一/样式二, so both formats say the same thing.
Each cites its clause by the document's title and number, and carries the clause's original
wording in an annex.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import models
from django.utils.http import content_disposition_header

from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.documents.letter import Block, Letter, Table, chinese_date
from skillreg.documents.pdf import render_letter_pdf
from skillreg.documents.word import render_letter_docx
from skillreg.policies.registry import get_pack
from skillreg.policies.schema import Pack, parse_source
from skillreg.supervision.models import Rectification, TerminationProposal, ViolationRecord

FORMATS = {
    "pdf": ("application/pdf", render_letter_pdf),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", render_letter_docx),
}
# The law every administrative decision may be challenged under; not a policy-pack rule.
REMEDY = "如不服本决定，可依法申请行政复议或者提起行政诉讼。"


class DecisionKind(models.TextChoices):
    VIOLATION = "violation", "违规行为处理决定书"
    RECTIFICATION = "rectification", "限期整改通知书"
    TERMINATION = "termination", "终止（取消）备案决定书"


PREFIX = {DecisionKind.VIOLATION: "CL", DecisionKind.RECTIFICATION: "ZG", DecisionKind.TERMINATION: "QX"}


def _refs(source: str) -> list[tuple[str, str]]:
    """"002 第二十条；002 第二十二条(七)" → [("002", "第二十条"), ("002", "第二十二条(七)")]."""
    refs = []
    for part in (source or "").replace(";", "；").split("；"):
        part = part.strip()
        if part:
            try:
                refs.append(parse_source(part))
            except ValueError:
                continue
    return refs


def cited(pack: Pack, source: str) -> str:
    """《文件标题》（文号）第X条 — how a decision names the provision it relies on."""
    doc = pack.document
    number = f"（{doc.number}）" if doc.number else ""
    # A 印发 notice is cited by the measure it issues: 《巴中市…管理办法（试行）》, not 《关于印发《…》的通知》.
    issued = re.search(r"《(.+)》", doc.title)
    title = issued.group(1) if issued else doc.title
    refs = "、".join(ref for _, ref in _refs(source)) or source
    return f"《{title}》{number}{refs}规定"


def clause_annex(pack: Pack, source: str) -> tuple[Block, ...]:
    rows = tuple((ref, pack.clauses.get(ref, "（原文未收录）")) for _, ref in _refs(source))
    if not rows:
        return ()
    return (Table(header=("条款", "原文"), rows=rows, widths=(1.2, 5.0)),)


def _doc_number(kind: DecisionKind, obj: Any, at: Any) -> str:
    return f"{PREFIX[kind]}〔{at.astimezone(clock.LOCAL_TZ).year}〕{obj.public_id.hex[:10].upper()}"


def _date(at: Any) -> str:
    return chinese_date(at.astimezone(clock.LOCAL_TZ).date())


def _sentence(text: str) -> str:
    return (text or "").strip().rstrip("。；;，,.")


def violation_letter(record: ViolationRecord) -> Letter:
    if record.status != ViolationRecord.Status.DECIDED or record.decided_at is None:
        raise DomainError("该违规记录尚未作出处理决定", code="no_document")
    inst = record.institution
    pack = get_pack(record.pack_id)
    body: list[Block] = [
        f"经查，你单位存在以下违规行为：{_sentence(record.facts)}（发现途径：{record.get_found_via_display()}，"
        f"登记日期：{_date(record.recorded_at)}）。",
        f"上述行为属于“{_sentence(record.item_text)}”的情形。根据{cited(pack, record.source)}，"
        f"决定对你单位作出如下处理：{_sentence(record.decision_step)}。",
    ]
    if record.decision_note.strip():
        body.append(f"处理说明：{_sentence(record.decision_note)}。")
    if record.suspended_scope:
        body.append(f"停止考核活动的范围：{record.suspended_scope}。")
    rect = record.rectifications.order_by("opened_at").first()
    if rect is not None:
        body.append(f"请你单位于{chinese_date(rect.deadline)}前完成整改，并将整改情况书面报送我局。")
    if record.sanction == "revocation":
        body.append("取消备案（资质）事项报经审批人员决定后，另行送达决定书。")
    body.append(REMEDY)
    return Letter(
        title=DecisionKind.VIOLATION.label, addressee=f"{inst.name}：", body=tuple(body),
        authority=inst.authority.name, date=_date(record.decided_at),
        doc_number=_doc_number(DecisionKind.VIOLATION, record, record.decided_at),
        annex_title="依据条款原文", annex=clause_annex(pack, record.source),
    )


def rectification_letter(rect: Rectification) -> Letter:
    inst = rect.institution
    pack = get_pack(inst.pack_id)
    if rect.evaluation_id:
        ev = rect.evaluation
        cause = f"经{ev.get_kind_display()}，你单位的评定等级为{ev.grade}"
        if ev.direct_fail:
            items = {i.key: i.text for i in pack.direct_fail.items}
            cause += "（" + "；".join(_sentence(items.get(k, k)) for k in ev.direct_fail) + "，直接确定为不合格）"
    else:
        cause = f"经查，你单位存在“{_sentence(rect.violation.item_text)}”的情形" if rect.violation else "经查"
    body: list[Block] = [
        f"{cause}。根据{cited(pack, rect.source)}，责令你单位限期整改。",
        f"整改要求：{_sentence(rect.requirements)}。",
        f"整改期限：{chinese_date(rect.deadline)}前。请你单位按期完成整改，并将整改情况书面报送我局。",
    ]
    if rect.evaluation_id and pack.grading.rectification.on_failure:
        body.append(f"整改期满后进行复评；{_sentence(pack.grading.rectification.on_failure)}。")
    return Letter(
        title=DecisionKind.RECTIFICATION.label, addressee=f"{inst.name}：", body=tuple(body),
        authority=inst.authority.name, date=_date(rect.opened_at),
        doc_number=_doc_number(DecisionKind.RECTIFICATION, rect, rect.opened_at),
        annex_title="依据条款原文", annex=clause_annex(pack, rect.source),
    )


def termination_letter(proposal: TerminationProposal) -> Letter:
    if proposal.status != TerminationProposal.Status.APPROVED or proposal.decided_at is None:
        raise DomainError("该建议尚未获批准，没有决定书", code="no_document")
    inst = proposal.institution
    pack = get_pack(inst.pack_id)
    body: list[Block] = [
        f"{_sentence(proposal.reason)}。",
        f"根据{cited(pack, proposal.source)}，经审批，决定终止（取消）你单位的{pack.body_kind.name}备案"
        + (f"（机构代码：{inst.code}）" if inst.code else "") + "，并在机构目录中撤下。",
    ]
    if proposal.blacklist:
        body.append("同时将你单位列入评价机构失信黑名单，列入期间不得再申请备案。")
    if proposal.decision_note.strip():
        body.append(f"审批意见：{_sentence(proposal.decision_note)}。")
    body.append(REMEDY)
    return Letter(
        title=DecisionKind.TERMINATION.label, addressee=f"{inst.name}：", body=tuple(body),
        authority=inst.authority.name, date=_date(proposal.decided_at),
        doc_number=_doc_number(DecisionKind.TERMINATION, proposal, proposal.decided_at),
        annex_title="依据条款原文", annex=clause_annex(pack, proposal.source),
    )


BUILDERS = {
    DecisionKind.VIOLATION: violation_letter,
    DecisionKind.RECTIFICATION: rectification_letter,
    DecisionKind.TERMINATION: termination_letter,
}


def available(obj: Any) -> bool:
    if isinstance(obj, ViolationRecord):
        return obj.status == ViolationRecord.Status.DECIDED
    if isinstance(obj, TerminationProposal):
        return obj.status == TerminationProposal.Status.APPROVED
    return isinstance(obj, Rectification)


def render(kind: str, obj: Any, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, filename) of the decision document; DomainError otherwise."""
    if fmt not in FORMATS:
        raise InvalidInput(f"不支持的文书格式：{fmt}（可用：pdf、docx）", code="bad_format", field="fmt")
    try:
        builder = BUILDERS[DecisionKind(kind)]
    except ValueError as exc:
        raise DomainError(f"未知的文书类别：{kind}", code="no_document") from exc
    letter = builder(obj)
    content_type, renderer = FORMATS[fmt]
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in letter.doc_number)
    return renderer(letter), content_type, f"{safe}.{fmt}"


def disposition(filename: str) -> str:
    return content_disposition_header(True, filename) or f'attachment; filename="{filename}"'
