"""Expert pool, evaluation plan, panel draw and replacement, scores, the panel's conclusion.

Every function: keyword-only, a required actor and time, one transaction, the rows two
people could race on locked (the application for a draw, the panel for everything after),
the audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from skillreg.accounts.models import OFFICIAL_ROLES, Authority, Role, User
from skillreg.audit import services as audit
from skillreg.core import clock
from skillreg.core.errors import DomainError, IllegalTransition, InvalidInput
from skillreg.draws.models import Draw
from skillreg.draws.services import draw_perform
from skillreg.evaluation.models import Expert, ExpertConflict, ExpertScore, Panel, PanelMember, ScorePhoto
from skillreg.evaluation.pool import candidates_and_exclusions, expert_key
from skillreg.files.services import file_store
from skillreg.files.sniff import FileKind
from skillreg.policies.registry import get_pack
from skillreg.policies.schema import Pack
from skillreg.registry.models import Application, EvaluationPlan, Institution
from skillreg.registry.services.decisions import application_conclude_evaluation, application_start_evaluation
from skillreg.workdays.calendar import workdays_between

S = Application.Status
M = PanelMember.Status
PHOTO_KINDS = frozenset({FileKind.JPEG, FileKind.PNG})
MAX_PHOTOS = 20
HANDLER_ROLES = (Role.FILING_OFFICIAL, Role.CENTRE_STAFF)


def _local_date(at: dt.datetime) -> dt.date:
    return at.astimezone(clock.LOCAL_TZ).date()


def _require_handler(actor: User, application: Application) -> None:
    """The same people who may start and conclude the evaluation in the registry."""
    if actor.role not in HANDLER_ROLES or actor.authority_id is None:
        raise DomainError("此事项须由经办人员或鉴定中心人员办理", code="forbidden")
    if actor.authority_id not in {application.authority_id, application.reviewing_authority_id}:
        raise DomainError("该申请不由您所在部门受理或复核", code="forbidden")


def _require_pool_manager(actor: User, authority: Authority) -> None:
    if actor.role == Role.SYSADMIN:
        return
    if actor.role not in OFFICIAL_ROLES or actor.authority_id != authority.pk:
        raise DomainError("只有本部门的工作人员可以管理本部门的专家库", code="forbidden")


def rule_source(pack: Pack) -> str:
    ev = pack.evaluation
    return ev.experts_random.source or ev.organiser.source or ev.methods.source or ""


# --- the expert pool ---------------------------------------------------------------------


@transaction.atomic
def expert_add(*, actor: User, name: str, employer: str, region_code: str, at: dt.datetime,
               authority: Authority | None = None, employer_credit_code: str = "",
               specialties: Sequence[str] = (), user: User | None = None) -> Expert:
    """Add an expert to ``authority``'s pool (the actor's own authority unless given)."""
    authority = authority or actor.authority
    if authority is None:
        raise InvalidInput("请指定专家所属的专家库（部门）", field="authority")
    _require_pool_manager(actor, authority)
    name, employer = name.strip(), employer.strip()
    if not name:
        raise InvalidInput("请填写专家姓名", field="name")
    if not employer:
        raise InvalidInput("请填写专家工作单位（用于同单位回避）", field="employer")
    if not re.fullmatch(r"\d{6}", region_code or ""):
        raise InvalidInput("行政区划代码应为 6 位数字（GB/T 2260）", field="region_code")
    code = employer_credit_code.strip().upper()
    if code:
        try:
            uscc.validate(code)
        except StdnumError as exc:
            raise InvalidInput(f"工作单位统一社会信用代码“{code}”有误：应为 18 位且校验位正确（GB 32100）",
                               field="employer_credit_code") from exc
    if user is not None and user.role != Role.EXPERT:
        raise InvalidInput("关联的登录账号须为“评估专家”角色", field="user")
    if user is not None and Expert.objects.filter(user=user, authority=authority).exists():
        raise InvalidInput("该账号已在本专家库中", field="user")
    expert = Expert.objects.create(
        user=user, name=name, employer=employer, employer_credit_code=code,
        specialties=[s.strip() for s in specialties if s.strip()], region_code=region_code,
        authority=authority, active=True, added_at=at, added_by=actor,
    )
    audit.record(actor=actor, action="evaluation.expert_added", obj=expert, at=at,
                 summary=f"{authority.name}专家库新增专家 {expert.label}",
                 after={"name": name, "employer": employer, "employer_credit_code": code,
                        "specialties": expert.specialties, "authority": authority.name})
    return expert


@transaction.atomic
def expert_deactivate(*, actor: User, expert: Expert, at: dt.datetime) -> Expert:
    """Take an expert out of the pool; later draws no longer include them (earlier ones keep them)."""
    expert = Expert.objects.select_for_update().select_related("authority").get(pk=expert.pk)
    _require_pool_manager(actor, expert.authority)
    if not expert.active:
        raise DomainError(f"专家 {expert.name} 已不在库", code="already_inactive")
    expert.active, expert.deactivated_at = False, at
    expert.save(update_fields=["active", "deactivated_at"])
    audit.record(actor=actor, action="evaluation.expert_deactivated", obj=expert, at=at,
                 before={"active": True}, after={"active": False})
    return expert


@transaction.atomic
def conflict_declare(*, actor: User, expert: Expert, institution: Institution, reason: str,
                     at: dt.datetime) -> ExpertConflict:
    """A declared conflict: by the pool's officials, or by the expert for themselves."""
    if not (expert.user_id is not None and expert.user_id == actor.pk):
        _require_pool_manager(actor, expert.authority)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("请写明回避理由", field="reason")
    if ExpertConflict.objects.filter(expert=expert, institution=institution).exists():
        raise DomainError(f"已申报 {expert.name} 与 {institution.name} 的回避关系", code="conflict_exists")
    conflict = ExpertConflict.objects.create(expert=expert, institution=institution, reason=reason,
                                             declared_at=at, declared_by=actor)
    audit.record(actor=actor, action="evaluation.conflict_declared", obj=expert, at=at,
                 summary=f"{expert.name} 回避 {institution.name}：{reason}",
                 after={"institution": str(institution.public_id), "reason": reason})
    return conflict


# --- the evaluation plan (004 五(二)) ----------------------------------------------------


@transaction.atomic
def evaluation_plan_file(*, actor: User, application: Application, evaluation_date: dt.date,
                         content: str, at: dt.datetime) -> EvaluationPlan:
    """File (or, before the panel is drawn, re-file) the evaluation plan.

    004 五(二): 于评估前10个工作日报省鉴定中心备案审核 — at least N working days between
    the filing day and the evaluation date. A pack that fixes no period sets no constraint.
    """
    _require_handler(actor, application)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != S.ACCEPTED:
        raise IllegalTransition(
            f"该申请当前状态为“{application.get_status_display()}”，评估方案须在受理后、抽取专家前报备")
    content = content.strip()
    if not content:
        raise InvalidInput("请填写评估方案内容", field="content")
    filed_on = _local_date(at)
    if evaluation_date <= filed_on:
        raise InvalidInput("评估日期应晚于报备日期", field="evaluation_date")
    rule = get_pack(application.pack_id).clocks.evaluation_plan
    count = workdays_between(filed_on, evaluation_date)
    if rule.workdays is not None and count.days < rule.workdays:
        raise DomainError(
            f"评估方案须于评估前 {rule.workdays} 个工作日报备：{filed_on:%Y年%-m月%-d日}报备，距评估日期"
            f" {evaluation_date:%Y年%-m月%-d日}只有 {count.days} 个工作日"
            + ("（该年度节假日安排尚未录入，按暂定日历计算）" if count.provisional else ""),
            code="plan_too_late", source=rule.source, field="evaluation_date",
        )
    previous = EvaluationPlan.objects.filter(application=application).first()
    before = ({"evaluation_date": previous.evaluation_date, "content": previous.content}
              if previous is not None else None)
    plan, _ = EvaluationPlan.objects.update_or_create(
        application=application,
        defaults={"evaluation_date": evaluation_date, "content": content, "filed_at": at, "filed_by": actor},
    )
    audit.record(actor=actor, action="application.evaluation_plan_filed", obj=application, at=at,
                 summary=f"报备评估方案，评估日期 {evaluation_date:%Y年%-m月%-d日}（距报备 {count.days} 个工作日）",
                 before=before, after={"evaluation_date": evaluation_date, "content": content,
                                       "workdays_before": count.days, "source": rule.source})
    return plan


# --- the panel ---------------------------------------------------------------------------


def _check_pool(candidates: Sequence[Any], exclusions: Sequence[Any], count: int, source: str) -> None:
    eligible = len(candidates) - len(exclusions)
    if eligible < count:
        raise DomainError(
            f"专家库可抽取人数不足：在库专家 {len(candidates)} 人，回避排除 {len(exclusions)} 人，"
            f"仅余 {eligible} 人，少于需抽取的 {count} 人。请先扩充专家库或调整专家组人数",
            code="pool_too_small", source=source or None, field="size",
        )


def _add_members(panel: Panel, record: Draw, experts: Iterable[Expert]) -> list[PanelMember]:
    by_key = {expert_key(e): e for e in experts}
    return PanelMember.objects.bulk_create(
        [PanelMember(panel=panel, expert=by_key[key], draw=record) for key in record.result])


@transaction.atomic
def panel_draw(*, actor: User, application: Application, size: int, at: dt.datetime) -> Panel:
    """Draw the panel at random from the pool, excluding conflicts; starts the evaluation.

    The documents fix no panel size; the official chooses it.
    """
    _require_handler(actor, application)
    # The application row serialises two officials drawing at once.
    application = Application.objects.select_for_update().select_related("institution").get(pk=application.pk)
    pack = get_pack(application.pack_id)
    methods = pack.evaluation.methods
    if methods.silent:
        raise DomainError(f"本政策未规定备案评估（{methods.note}），无需抽取专家", code="no_evaluation")
    if application.status not in (S.ACCEPTED, S.EVALUATING):
        raise IllegalTransition(f"该申请当前状态为“{application.get_status_display()}”，不能抽取评估专家")
    if Panel.objects.filter(application=application, concluded_at__isnull=True).exists():
        raise DomainError("本申请已抽取专家组（可能已由他人办理，请刷新页面）；专家谢绝的请使用补抽",
                          code="panel_exists")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise InvalidInput("专家组人数至少为 1（文件未规定人数，由经办人员确定）", field="size")
    plan_rule = pack.clocks.evaluation_plan
    if plan_rule.workdays is not None and not EvaluationPlan.objects.filter(application=application).exists():
        raise DomainError(f"须先于评估前 {plan_rule.workdays} 个工作日报备评估方案，方可抽取专家",
                          code="plan_required", source=plan_rule.source)
    source = rule_source(pack)
    experts, candidates, exclusions = candidates_and_exclusions(application, pack)
    _check_pool(candidates, exclusions, size, source)
    record = draw_perform(actor=actor, purpose="备案评估专家抽取", pool=candidates, exclusions=exclusions,
                          count=size, at=at, subject=application, rule_source=source)
    panel = Panel.objects.create(application=application, draw=record, size=size, created_at=at, created_by=actor)
    members = _add_members(panel, record, experts)
    audit.record(actor=actor, action="evaluation.panel_drawn", obj=panel, at=at,
                 summary=f"为 {application.institution.name} 抽取评估专家 {size} 名",
                 after={"application": str(application.public_id), "draw": str(record.public_id),
                        "experts": [m.expert.label for m in members]})
    if application.status == S.ACCEPTED:
        application_start_evaluation(actor=actor, application=application, at=at)
    return panel


def _lock_open_panel(panel: Panel) -> Panel:
    panel = Panel.objects.select_for_update().select_related("application", "application__institution").get(
        pk=panel.pk)
    if not panel.is_open:
        raise DomainError("该专家组已形成评估结论", code="panel_concluded")
    return panel


@transaction.atomic
def panel_member_decline(*, actor: User, member: PanelMember, reason: str, at: dt.datetime) -> PanelMember:
    """The expert declines (or the official records it on their behalf); a replacement is then drawn."""
    panel = _lock_open_panel(member.panel)
    member = PanelMember.objects.select_for_update().select_related("expert").get(pk=member.pk)
    if not (member.expert.user_id is not None and member.expert.user_id == actor.pk):
        _require_handler(actor, panel.application)
    if member.status != M.DRAWN:
        raise DomainError(f"{member.expert.name} 当前状态为“{member.get_status_display()}”，不能谢绝",
                          code="cannot_decline")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("请写明谢绝理由", field="reason")
    member.status, member.declined_at, member.decline_reason = M.DECLINED, at, reason
    member.save(update_fields=["status", "declined_at", "decline_reason"])
    audit.record(actor=actor, action="evaluation.member_declined", obj=panel, at=at,
                 summary=f"{member.expert.name} 谢绝参加评估：{reason}",
                 after={"expert": expert_key(member.expert), "reason": reason})
    return member


@transaction.atomic
def panel_replace(*, actor: User, panel: Panel, at: dt.datetime) -> Draw:
    """Draw one replacement per declined member, from the rest of the pool, as a new record."""
    panel = _lock_open_panel(panel)
    application = panel.application
    _require_handler(actor, application)
    declined = list(panel.members.filter(status=M.DECLINED).select_related("expert"))
    if not declined:
        raise DomainError("没有谢绝后待补抽的专家", code="nothing_to_replace")
    pack = get_pack(application.pack_id)
    source = rule_source(pack)
    experts, candidates, exclusions = candidates_and_exclusions(application, pack, panel=panel)
    _check_pool(candidates, exclusions, len(declined), source)
    record = draw_perform(actor=actor, purpose="备案评估专家补抽", pool=candidates, exclusions=exclusions,
                          count=len(declined), at=at, subject=application, rule_source=source)
    members = _add_members(panel, record, experts)
    PanelMember.objects.filter(pk__in=[m.pk for m in declined]).update(status=M.REPLACED)
    audit.record(actor=actor, action="evaluation.panel_replaced", obj=panel, at=at,
                 summary="补抽专家：" + "、".join(m.expert.name for m in members)
                 + "（替换谢绝的 " + "、".join(m.expert.name for m in declined) + "）",
                 after={"draw": str(record.public_id), "replaced": [expert_key(m.expert) for m in declined],
                        "added": [expert_key(m.expert) for m in members]})
    return record


# --- scores and conclusion ---------------------------------------------------------------


def _clean_items(pack: Pack, items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per method of the pack's form, each a 0–100 score or a pass/fail."""
    methods = list(pack.evaluation.methods.items)
    given: dict[str, dict[str, Any]] = {}
    for item in items:
        method = str(item.get("method", ""))
        if method not in methods:
            raise InvalidInput(f"评估方式“{method}”不在本政策的评估方式中（{'、'.join(methods)}）", field="items")
        if method in given:
            raise InvalidInput(f"评估方式“{method}”重复填写", field=f"items.{method}")
        given[method] = item
    cleaned = []
    for method in methods:
        if method not in given:
            raise InvalidInput(f"请填写“{method}”的评分或结论", field=f"items.{method}")
        item = given[method]
        score, passed = item.get("score"), item.get("passed")
        if score is None and passed is None:
            raise InvalidInput(f"请填写“{method}”的评分或结论", field=f"items.{method}")
        if score is not None and passed is not None:
            raise InvalidInput(f"“{method}”请只填写 0–100 分或“合格/不合格”其中之一", field=f"items.{method}")
        if score is not None and (isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100):
            raise InvalidInput(f"“{method}”的分数应为 0–100 的整数", field=f"items.{method}")
        if passed is not None and not isinstance(passed, bool):
            raise InvalidInput(f"“{method}”的结论应为合格或不合格", field=f"items.{method}")
        cleaned.append({"method": method, "score": score, "passed": passed,
                        "notes": str(item.get("notes") or "").strip()})
    return cleaned


@transaction.atomic
def score_submit(*, actor: User, member: PanelMember, items: Sequence[dict[str, Any]], passed: bool,
                 opinion: str, at: dt.datetime, photos: Sequence[Any] = ()) -> ExpertScore:
    """The member's own evaluation, once. Photos (JPEG/PNG) are checked by content."""
    panel = _lock_open_panel(member.panel)
    member = PanelMember.objects.select_for_update().select_related("expert").get(pk=member.pk)
    if member.expert.user_id is None or member.expert.user_id != actor.pk:
        raise DomainError("只有被抽中的专家本人可以提交评分", code="forbidden")
    if member.status == M.SUBMITTED:
        raise DomainError("您已提交评分，提交后不能修改", code="already_submitted")
    if member.status != M.DRAWN:
        raise DomainError("您已谢绝本次评估，不能提交评分", code="declined")
    if panel.application.status != S.EVALUATING:
        raise IllegalTransition(f"该申请当前状态为“{panel.application.get_status_display()}”，不能提交评分")
    if not isinstance(passed, bool):
        raise InvalidInput("请选择总体意见：合格或不合格", field="passed")
    cleaned = _clean_items(get_pack(panel.application.pack_id), items)
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(f"照片最多 {MAX_PHOTOS} 张", field="photos")
    stored = [file_store(actor=actor, upload=p, allowed_kinds=PHOTO_KINDS, at=at, field="photos") for p in photos]
    score = ExpertScore.objects.create(member=member, items=cleaned, passed=passed, opinion=opinion.strip(),
                                       submitted_at=at)
    ScorePhoto.objects.bulk_create([ScorePhoto(score=score, file=f) for f in stored])
    member.status = M.SUBMITTED
    member.save(update_fields=["status"])
    audit.record(actor=actor, action="evaluation.score_submitted", obj=panel, at=at,
                 summary=f"{member.expert.name} 提交评分（总体意见：{'合格' if passed else '不合格'}）",
                 after={"expert": expert_key(member.expert), "items": cleaned, "passed": passed,
                        "opinion": score.opinion, "photos": [f.sha256 for f in stored]})
    return score


@transaction.atomic
def panel_conclude(*, actor: User, panel: Panel, passed: bool, summary: str, at: dt.datetime) -> Panel:
    """The panel's conclusion, once every active member has submitted; concludes the evaluation."""
    panel = _lock_open_panel(panel)
    _require_handler(actor, panel.application)
    members = list(panel.members.select_related("expert"))
    declined = [m.expert.name for m in members if m.status == M.DECLINED]
    if declined:
        raise DomainError(f"{'、'.join(declined)} 已谢绝，须先补抽专家", code="replacement_pending")
    pending = [m.expert.name for m in members if m.status == M.DRAWN]
    if pending:
        raise DomainError(f"尚有 {len(pending)} 名专家未提交评分：{'、'.join(pending)}", code="scores_pending")
    summary = summary.strip()
    if not summary:
        raise InvalidInput("请填写评估结论意见", field="summary")
    panel.passed, panel.summary, panel.concluded_at, panel.concluded_by = passed, summary, at, actor
    panel.save(update_fields=["passed", "summary", "concluded_at", "concluded_by"])
    audit.record(actor=actor, action="evaluation.panel_concluded", obj=panel, at=at, summary=summary,
                 after={"passed": passed,
                        "votes": {"passed": sum(1 for m in members if m.status == M.SUBMITTED and m.score.passed),
                                  "submitted": sum(1 for m in members if m.status == M.SUBMITTED)}})
    application_conclude_evaluation(actor=actor, application=panel.application, passed=passed, summary=summary,
                                    at=at)
    return panel
