"""The notices of an application as documents (样式一 / 样式二 / 一次性补正告知书).

Rendered on request from the decided, immutable state of the application, so the PDF and
the DOCX always say what the record says.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.documents import registry as documents
from skillreg.documents.notices import (
    DocumentKind,
    ResultNoticeFiled,
    ResultNoticeTerminated,
    SupplementItem,
    SupplementNotice,
)
from skillreg.policies.registry import get_pack
from skillreg.registry.application_form import LEVELS
from skillreg.registry.models import Application

S = Application.Status
CODES = {DocumentKind.RESULT_FILED: "BA", DocumentKind.RESULT_TERMINATED: "ZZ", DocumentKind.SUPPLEMENT: "BZ"}


def _doc_number(application: Application, kind: DocumentKind) -> str:
    year = (application.decided_at or application.submitted_at or application.created_at).year
    return f"{CODES[kind]}〔{year}〕{application.public_id.hex[:10].upper()}"


def _local(at: Any) -> Any:
    return at.astimezone(clock.LOCAL_TZ).date()


def available(application: Application) -> list[DocumentKind]:
    kinds = []
    if hasattr(application, "supplement_notice"):
        kinds.append(DocumentKind.SUPPLEMENT)
    if application.status == S.FILED and hasattr(application, "filing"):
        kinds.append(DocumentKind.RESULT_FILED)
    if application.status in (S.TERMINATED, S.REFUSED):
        kinds.append(DocumentKind.RESULT_TERMINATED)
    return kinds


def build(application: Application, kind: DocumentKind) -> Any:
    if kind not in available(application):
        raise DomainError("该申请当前没有此项文书", code="no_document")
    pack = get_pack(application.pack_id)
    subject = pack.body_kind.name
    applicant = application.institution.name
    authority = application.authority.name if application.authority else ""
    number = _doc_number(application, kind)
    if kind == DocumentKind.SUPPLEMENT:
        notice = application.supplement_notice
        return SupplementNotice(
            doc_number=number, applicant=applicant, authority=authority, date=_local(notice.issued_at),
            # An item the official cited no clause for falls under the pack's material list.
            items=tuple(SupplementItem(item=i["text"], clause=i.get("source") or pack.materials.source or "—")
                        for i in notice.items),
            deadline=notice.due, deadline_provisional=notice.due_provisional,
            termination_clause=notice.source, subject=subject,
        )
    if kind == DocumentKind.RESULT_FILED:
        filing = application.filing
        scope: dict[str, list[str]] = {}
        for row in application.institution.scope.all():
            scope.setdefault(row.name, [])
            if row.level:
                scope[row.name].append(LEVELS[row.level])
        return ResultNoticeFiled(
            doc_number=number, applicant=applicant, authority=authority, date=_local(filing.filed_at),
            publication_url=reverse("registry:directory_entry", args=[filing.code]),
            institution_name=application.institution.name, institution_code=filing.code,
            valid_from=filing.valid_from, valid_until=filing.valid_until, subject=subject,
            scope=tuple(f"{name}（{'、'.join(levels)}）" if levels else name for name, levels in scope.items()),
        )
    return ResultNoticeTerminated(
        doc_number=number, applicant=applicant, authority=authority, date=_local(application.decided_at),
        reason=application.decision_reason, clause=application.decision_source, subject=subject,
        conclusion="终止办理" if application.status == S.TERMINATED else "不予备案",
    )


def render(application: Application, kind: str, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, filename); unknown kind or format → DomainError / ValueError."""
    try:
        doc_kind = DocumentKind(kind)
    except ValueError as exc:
        raise DomainError(f"未知的文书类别：{kind}", code="no_document") from exc
    try:
        doc = build(application, doc_kind)
        content = documents.render(doc_kind, doc, fmt)
    except ValueError as exc:
        raise DomainError(str(exc), code="bad_format") from exc
    return content, documents.content_type(fmt), documents.filename(doc, fmt)
