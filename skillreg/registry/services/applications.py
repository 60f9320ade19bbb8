"""The filing application from draft to decision (备案申请 → 受理 → 补正 → 评估 → 备案 / 终止).

Every function: keyword-only, a required actor and time, one transaction, the row locked
and the move checked against ``registry.workflow``, the audit event in the same
transaction, notices after commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from pydantic import ValidationError as PydanticError

from skillreg.accounts.models import Role, User
from skillreg.audit import services as audit
from skillreg.core import clock
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.files.services import file_store
from skillreg.policies.registry import get_pack
from skillreg.registry import eligibility, workflow
from skillreg.registry.application_form import ApplicationForm
from skillreg.registry.models import (
    Application,
    ApplicationMaterial,
    CallForApplications,
    Institution,
    SupplementNotice,
)
from skillreg.registry.notices import notify_applicant
from skillreg.registry.routing import route
from skillreg.supervision.selectors import is_blacklisted
from skillreg.workdays.calendar import add_workdays

S = Application.Status


def _local_date(at: dt.datetime) -> dt.date:
    return at.astimezone(clock.LOCAL_TZ).date()


def _require_institution_user(actor: User, application: Application) -> None:
    if actor.role != Role.INSTITUTION_USER or actor.institution_id != application.institution_id:
        raise DomainError("只有申请单位的用户可以办理此事项", code="forbidden")


def _require_official(actor: User, application: Application, *roles: Role) -> None:
    allowed = roles or (Role.FILING_OFFICIAL,)
    if actor.role not in allowed or actor.authority_id is None:
        names = "、".join(r.label for r in allowed)
        raise DomainError(f"此事项须由{names}办理", code="forbidden")
    receiving = {application.authority_id, application.reviewing_authority_id}
    if actor.authority_id not in receiving:
        raise DomainError("该申请不由您所在部门受理", code="forbidden")


def parse_form(data: Any) -> ApplicationForm:
    try:
        return ApplicationForm.model_validate(data or {})
    except PydanticError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput(f"申请表内容有误：{where}：{first['msg']}", field=where) from exc


@transaction.atomic
def application_create(*, actor: User, institution: Institution, at: dt.datetime,
                       kind: str = Application.Kind.INITIAL, form: Any = None,
                       call: CallForApplications | None = None) -> Application:
    if actor.role != Role.INSTITUTION_USER or actor.institution_id != institution.pk:
        raise DomainError("只有本单位用户可以为本单位创建备案申请", code="forbidden")
    parsed = parse_form(form)
    application = Application.objects.create(
        institution=institution, pack_id=institution.pack_id, kind=kind,
        form=parsed.model_dump(mode="json"), region_code=institution.region_code,
        created_at=at, call=call,
    )
    audit.record(actor=actor, action="application.created", obj=application, at=at,
                 after={"pack_id": application.pack_id, "kind": kind})
    return application


@transaction.atomic
def application_save_draft(*, actor: User, application: Application, form: Any,
                           at: dt.datetime) -> Application:
    _require_institution_user(actor, application)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in (S.DRAFT, S.SUPPLEMENT_REQUESTED):
        raise DomainError(f"申请当前状态为“{application.get_status_display()}”，不能修改申请表",
                          code="illegal_transition")
    before = application.form
    application.form = parse_form(form).model_dump(mode="json")
    application.save(update_fields=["form"])
    audit.record(actor=actor, action="application.form_saved", obj=application, at=at,
                 before=before, after=application.form)
    return application


def material_keys(application: Application) -> dict[str, str]:
    """The materials the pack asks for (key → name), plus the industry letter where a check needs it."""
    pack = get_pack(application.pack_id)
    keys = {m.key: m.name for m in pack.materials.items}
    for spec in pack.filing.checks:
        if spec.material:
            keys.setdefault(spec.material, spec.text)
    keys.setdefault("other", "其他补充材料")
    return keys


@transaction.atomic
def application_attach_material(*, actor: User, application: Application, key: str, upload: Any,
                                at: dt.datetime) -> ApplicationMaterial:
    _require_institution_user(actor, application)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in (S.DRAFT, S.SUPPLEMENT_REQUESTED):
        raise DomainError(f"申请当前状态为“{application.get_status_display()}”，不能上传材料",
                          code="illegal_transition")
    keys = material_keys(application)
    if key not in keys:
        raise InvalidInput(f"材料类别“{key}”不在本政策要求的材料清单中", field="key")
    stored = file_store(actor=actor, upload=upload, at=at)
    material = ApplicationMaterial.objects.create(application=application, key=key, file=stored,
                                                  uploaded_at=at, uploaded_by=actor)
    audit.record(actor=actor, action="application.material_attached", obj=application, at=at,
                 summary=f"上传材料：{keys[key]}", after={"key": key, "sha256": stored.sha256})
    return material


def _check_call(application: Application, today: dt.date) -> None:
    pack = get_pack(application.pack_id)
    call = application.call
    if call is None and pack.call.closing_date is not None:
        call = CallForApplications.objects.filter(pack_id=pack.id).order_by("-closes_on").first()
    if call is not None and today > call.closes_on:
        raise DomainError(
            f"“{call.title}”已于 {call.closes_on:%Y年%-m月%-d日} 截止，不再接受申请",
            code="call_closed", source=call.source or pack.call.source,
        )


@transaction.atomic
def application_submit(*, actor: User, application: Application, at: dt.datetime) -> Application:
    _require_institution_user(actor, application)
    application = workflow.lock_for_move(application, "submit")
    pack = get_pack(application.pack_id)
    today = _local_date(at)
    if application.kind != Application.Kind.RENEWAL:
        # A call's closing date (004 一) is for new bodies; a filed body renews at any time.
        _check_call(application, today)
    # A body on the 失信黑名单 (003 五(五)) cannot file again, under any regime or any new name.
    listed = is_blacklisted(application.institution.credit_code)
    if listed is not None:
        raise DomainError(f"该统一社会信用代码已列入失信黑名单（{listed.reason}），不能申请备案",
                          code="blacklisted", source=listed.source)
    blocking = [r for r in eligibility.report(pack, application) if r.blocking]
    if blocking:
        first = blocking[0]
        raise DomainError(
            "尚不符合备案条件：" + "；".join(f"{r.text}（{r.detail}）" for r in blocking),
            code="ineligible", source=first.source,
        )
    target = route(pack, application.institution, ApplicationForm.model_validate(application.form))
    due = _due(today, pack.clocks.material_check.workdays)
    fields = workflow.move(
        application, "submit", submitted_at=at, authority=target.authority,
        reviewing_authority=target.reviewing_authority, routing_source=target.rule.source,
        material_check_due=due[0], material_check_due_provisional=due[1],
    )
    application.save(update_fields=fields)
    audit.record(actor=actor, action="application.submitted", obj=application, at=at,
                 summary=f"提交至{target.authority.name}（{target.rule.source}）",
                 after={"authority": target.authority.name, "material_check_due": due[0]})
    return application


def _due(start: dt.date, workdays: int | None) -> tuple[dt.date | None, bool]:
    # Where the document fixes no period (null in the pack), there is no deadline to show.
    if workdays is None:
        return None, False
    result = add_workdays(start, workdays)
    return result.date, result.provisional


@transaction.atomic
def application_request_supplement(*, actor: User, application: Application,
                                   items: list[dict[str, str]], at: dt.datetime) -> SupplementNotice:
    """一次性告知: everything missing, in one notice; a second notice is refused."""
    _require_official(actor, application)
    if SupplementNotice.objects.filter(application=application).exists():
        pack = get_pack(application.pack_id)
        raise DomainError("本申请已发出过一次性补正告知，不能再次告知补正",
                          code="supplement_already_sent", source=pack.clocks.supplement.source)
    application = workflow.lock_for_move(application, "request_supplement")
    cleaned = [{"key": str(i.get("key", "")), "text": str(i.get("text", "")).strip(),
                "source": str(i.get("source", ""))} for i in items if str(i.get("text", "")).strip()]
    if not cleaned:
        raise InvalidInput("请列明需补正的全部材料或事项", field="items")
    pack = get_pack(application.pack_id)
    due, provisional = _due(_local_date(at), pack.clocks.supplement.workdays)
    notice = SupplementNotice.objects.create(
        application=application, items=cleaned, issued_at=at, issued_by=actor, due=due,
        due_provisional=provisional, source=pack.clocks.supplement.source or "",
    )
    fields = workflow.move(application, "request_supplement", handled_by=actor)
    application.save(update_fields=fields)
    audit.record(actor=actor, action="application.supplement_requested", obj=application, at=at,
                 after={"items": cleaned, "due": due})
    notify_applicant(application, subject="一次性补正告知",
                     body=f"请于 {due:%Y年%-m月%-d日} 前补正：" if due else "请补正：", items=cleaned, at=at)
    return notice


@transaction.atomic
def application_supplement(*, actor: User, application: Application, at: dt.datetime) -> Application:
    _require_institution_user(actor, application)
    application = workflow.lock_for_move(application, "supplement")
    notice = application.supplement_notice
    if notice.due is not None and _local_date(at) > notice.due:
        raise DomainError(f"补正期限已于 {notice.due:%Y年%-m月%-d日} 届满，本次办理将终止",
                          code="supplement_late", source=notice.source)
    notice.answered_at = at
    notice.save(update_fields=["answered_at"])
    fields = workflow.move(application, "supplement")
    application.save(update_fields=fields)
    audit.record(actor=actor, action="application.supplemented", obj=application, at=at)
    return application


@transaction.atomic
def application_accept(*, actor: User, application: Application, at: dt.datetime) -> Application:
    """Materials complete: accepted, and the completion clock starts (001 三(一)2(2))."""
    _require_official(actor, application)
    application = workflow.lock_for_move(application, "accept")
    pack = get_pack(application.pack_id)
    due, provisional = _due(_local_date(at), pack.clocks.completion.workdays)
    fields = workflow.move(application, "accept", accepted_at=at, handled_by=actor,
                           completion_due=due, completion_due_provisional=provisional)
    application.save(update_fields=fields)
    audit.record(actor=actor, action="application.accepted", obj=application, at=at,
                 after={"completion_due": due})
    notify_applicant(application, subject="备案申请已受理", body="您单位的备案申请材料齐全，已受理。", at=at)
    return application


@transaction.atomic
def application_terminate_overdue(*, application: Application, at: dt.datetime) -> Application | None:
    """The supplement window passed: terminate (001 三(一)2(2)), by the system, with 样式二."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    notice = getattr(application, "supplement_notice", None)
    if (application.status != S.SUPPLEMENT_REQUESTED or notice is None or notice.due is None
            or _local_date(at) <= notice.due):
        return None
    fields = workflow.move(
        application, "terminate", decided_at=at,
        decision_reason=f"未在规定期限（{notice.due:%Y年%-m月%-d日}前）内补齐材料",
        decision_source=notice.source,
    )
    application.save(update_fields=fields)
    audit.record(actor=None, action="application.terminated", obj=application, at=at,
                 summary=application.decision_reason, after={"source": notice.source})
    notify_applicant(application, subject="备案办理结果告知（终止办理）", body=application.decision_reason, at=at)
    return application


@transaction.atomic
def application_refuse(*, actor: User, application: Application, reason: str, source: str,
                       at: dt.datetime) -> Application:
    """不予备案 always states its reasons (001 三(一)2(2): 对不予备案的，应当说明理由)."""
    _require_official(actor, application, Role.APPROVING_OFFICIAL)
    if not reason.strip():
        raise InvalidInput("不予备案须说明理由", field="reason")
    application = workflow.lock_for_move(application, "refuse")
    if application.handled_by_id == actor.pk:
        raise DomainError("审批须由经办人以外的人员作出", code="two_person_rule")
    fields = workflow.move(application, "refuse", decided_at=at, decided_by=actor,
                           decision_reason=reason.strip(), decision_source=source)
    application.save(update_fields=fields)
    audit.record(actor=actor, action="application.refused", obj=application, at=at,
                 summary=reason.strip(), after={"source": source})
    notify_applicant(application, subject="备案办理结果告知（不予备案）", body=reason.strip(), at=at)
    return application


@transaction.atomic
def application_withdraw(*, actor: User, application: Application, at: dt.datetime) -> Application:
    _require_institution_user(actor, application)
    application = workflow.lock_for_move(application, "withdraw")
    fields = workflow.move(application, "withdraw", decided_at=at)
    application.save(update_fields=fields)
    audit.record(actor=actor, action="application.withdrawn", obj=application, at=at)
    return application
