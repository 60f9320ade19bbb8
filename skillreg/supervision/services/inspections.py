"""双随机、一公开 (001 五(三), 002 第二十条, 003 五(三)): the plan, both draws, findings, publication."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet

from skillreg.accounts.models import Authority, Role, User
from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, InvalidInput
from skillreg.draws.services import Candidate, Exclusion, draw_perform
from skillreg.files.services import file_store
from skillreg.notifications.selectors import recipients_for_institution
from skillreg.notifications.services import notify
from skillreg.policies.registry import get_pack
from skillreg.registry.models import Institution
from skillreg.supervision.models import Inspection, InspectionConflict, InspectionFinding, InspectionPlan
from skillreg.supervision.models.inspections import INSPECTION_ITEMS, PUBLISH_DEFAULT_WORKDAYS
from skillreg.supervision.services.common import NotAllowed, check_move, local_date, require_official_over
from skillreg.workdays.calendar import add_workdays

RANDOM_SOURCE = "002 第二十条"  # also 001 五(三), 003 五(三): 双随机、一公开
INSPECTOR_ROLES = (Role.SUPERVISOR, Role.CENTRE_STAFF)


def publish_rule(pack_id: str | None = None) -> tuple[int, str]:
    """Working days to publish results and what fixes them.

    The pack's ``supervision.results_publication``; every document is silent on it (the
    packs say so with null + note), so the system default applies and is shown as such.
    """
    rule = get_pack(pack_id).supervision.results_publication if pack_id else None
    if rule is not None and rule.workdays is not None:
        return rule.workdays, f"{rule.source}：检查结论作出后 {rule.workdays} 个工作日内公开"
    days = int(getattr(settings, "SKILLREG_INSPECTION_PUBLISH_WORKDAYS", PUBLISH_DEFAULT_WORKDAYS))
    return days, f"文件未规定公开期限；系统默认 {days} 个工作日（可配置）"


def body_pool(plan: InspectionPlan) -> QuerySet[Institution]:
    """Filed institutions of the plan's jurisdiction, narrowed by the plan's filters."""
    qs = Institution.objects.filter(
        status=Institution.Status.FILED,
        region_code__startswith=plan.authority.jurisdiction_prefix,
    )
    if plan.pack_filter:
        qs = qs.filter(pack_id=plan.pack_filter)
    if plan.region_filter:
        qs = qs.filter(region_code__startswith=plan.region_filter)
    return qs.order_by("pk")


def inspector_pool(plan: InspectionPlan) -> QuerySet[User]:
    """Supervisors and centre staff of the plan's jurisdiction."""
    return User.objects.filter(
        role__in=INSPECTOR_ROLES, is_active=True,
        authority__region_code__startswith=plan.authority.jurisdiction_prefix,
    ).order_by("pk")


@transaction.atomic
def plan_create(*, actor: Any, authority: Authority, title: str, year: int, items: Sequence[str],
                at: dt.datetime, draw_count: int | None = None, draw_percent: int | None = None,
                inspectors_per_body: int = 2, pack_filter: str = "", region_filter: str = "") -> InspectionPlan:
    require_official_over(actor, authority.region_code)
    if not title.strip():
        raise InvalidInput("请填写计划名称", field="title")
    unknown = [i for i in items if i not in INSPECTION_ITEMS]
    if not items or unknown:
        raise InvalidInput("请从 002 第二十一条列明的检查事项中选择", field="items", source="002 第二十一条")
    if (draw_count is None) == (draw_percent is None):
        raise InvalidInput("请填写抽取数量或抽取比例（二者选一）", field="draw_count")
    if draw_count is not None and draw_count < 1:
        raise InvalidInput("抽取数量至少为 1", field="draw_count")
    if draw_percent is not None and not 1 <= draw_percent <= 100:
        raise InvalidInput("抽取比例应在 1%–100% 之间", field="draw_percent")
    if inspectors_per_body < 2:
        raise InvalidInput("每个检查对象至少派出 2 名检查人员", field="inspectors_per_body")
    if region_filter and not region_filter.startswith(authority.jurisdiction_prefix[: len(region_filter)]):
        raise InvalidInput("限定区划不在本机关辖区内", field="region_filter")
    if pack_filter:
        get_pack(pack_filter)
    plan = InspectionPlan.objects.create(
        authority=authority, title=title.strip(), year=year, items=list(dict.fromkeys(items)),
        draw_count=draw_count, draw_percent=draw_percent, inspectors_per_body=inspectors_per_body,
        pack_filter=pack_filter, region_filter=region_filter, created_by=actor, created_at=at,
    )
    audit.record(actor=actor, action="supervision.plan_created", obj=plan, at=at,
                 after={"title": plan.title, "items": plan.items, "count": draw_count, "percent": draw_percent})
    return plan


@transaction.atomic
def conflict_declare(*, actor: Any, plan: InspectionPlan, inspector: User, institution: Institution,
                     reason: str, at: dt.datetime) -> InspectionConflict:
    """回避: the inspector is employed by or related to the body; excluded from its draw."""
    require_official_over(actor, plan.authority.region_code)
    if plan.status not in (InspectionPlan.Status.DRAFT, InspectionPlan.Status.BODIES_DRAWN):
        raise DomainError("检查人员已抽取，不能再登记回避", code="plan_locked")
    if not reason.strip():
        raise InvalidInput("请写明回避理由", field="reason")
    conflict, _ = InspectionConflict.objects.update_or_create(
        plan=plan, inspector=inspector, institution=institution,
        defaults={"reason": reason.strip(), "declared_by": actor, "declared_at": at},
    )
    audit.record(actor=actor, action="supervision.conflict_declared", obj=plan, at=at,
                 after={"inspector": inspector.pk, "institution": str(institution.public_id), "reason": reason})
    return conflict


def _lock(plan: InspectionPlan) -> InspectionPlan:
    return InspectionPlan.objects.select_for_update().select_related("authority").get(pk=plan.pk)


@transaction.atomic
def plan_draw_bodies(*, actor: Any, plan: InspectionPlan, at: dt.datetime, seed: str | None = None) -> InspectionPlan:
    """First draw: which bodies are inspected. Stored with pool and seed (recomputable)."""
    plan = _lock(plan)
    require_official_over(actor, plan.authority.region_code)
    check_move(plan, InspectionPlan.Status.BODIES_DRAWN)
    bodies = list(body_pool(plan))
    if not bodies:
        raise DomainError("辖区内没有符合条件的已备案机构", code="pool_empty")
    count = plan.draw_count or max(1, math.ceil(len(bodies) * (plan.draw_percent or 0) / 100))
    draw = draw_perform(
        actor=actor, purpose="supervision.inspection_bodies", subject=plan, at=at, seed=seed,
        pool=[Candidate(str(b.public_id), f"{b.name}（{b.code or b.credit_code}）") for b in bodies],
        exclusions=[], count=count, rule_source=RANDOM_SOURCE,
    )
    by_key = {str(b.public_id): b for b in bodies}
    for rank, key in enumerate(draw.result, start=1):
        Inspection.objects.create(plan=plan, institution=by_key[key], rank=rank)
    plan.body_draw = draw
    plan.status = InspectionPlan.Status.BODIES_DRAWN
    plan.bodies_drawn_at = at
    plan.save(update_fields=["body_draw", "status", "bodies_drawn_at"])
    audit.record(actor=actor, action="supervision.bodies_drawn", obj=plan, at=at,
                 after={"draw": str(draw.public_id), "count": count})
    return plan


def _automatic_exclusions(pool: Iterable[User], institution: Institution) -> dict[str, str]:
    # An inspector who works for the body itself is always excluded (回避).
    return {str(u.pk): "系本机构人员，回避" for u in pool if u.institution_id == institution.pk}


@transaction.atomic
def plan_draw_inspectors(*, actor: Any, plan: InspectionPlan, at: dt.datetime) -> InspectionPlan:
    """Second draw: inspectors per body, each body's own conflicts excluded with reasons."""
    plan = _lock(plan)
    require_official_over(actor, plan.authority.region_code)
    check_move(plan, InspectionPlan.Status.INSPECTORS_DRAWN)
    pool = list(inspector_pool(plan))
    candidates = [Candidate(str(u.pk), u.display_name or u.username) for u in pool]
    by_key = {str(u.pk): u for u in pool}
    declared = list(plan.conflicts.all())
    for inspection in plan.inspections.select_related("institution").order_by("rank"):
        excluded = _automatic_exclusions(pool, inspection.institution)
        for c in declared:
            if c.institution_id == inspection.institution_id:
                excluded[str(c.inspector_id)] = c.reason
        draw = draw_perform(
            actor=actor, purpose="supervision.inspectors", subject=inspection, at=at,
            pool=candidates, exclusions=[Exclusion(k, r) for k, r in excluded.items() if k in by_key],
            count=plan.inspectors_per_body, rule_source=RANDOM_SOURCE,
        )
        inspection.inspector_draw = draw
        inspection.status = Inspection.Status.ASSIGNED
        inspection.save(update_fields=["inspector_draw", "status"])
        inspection.inspectors.set([by_key[k] for k in draw.result])
        transaction.on_commit(lambda i=inspection: _notify_inspectors(i, at))
    plan.status = InspectionPlan.Status.INSPECTORS_DRAWN
    plan.inspectors_drawn_at = at
    plan.save(update_fields=["status", "inspectors_drawn_at"])
    audit.record(actor=actor, action="supervision.inspectors_drawn", obj=plan, at=at,
                 after={"inspections": plan.inspections.count()})
    return plan


def _notify_inspectors(inspection: Inspection, at: dt.datetime) -> None:
    notify(recipients=inspection.inspectors.all(), subject="双随机检查任务",
           body=f"您被随机抽取检查“{inspection.institution.name}”（{inspection.plan.title}）。",
           link=f"/supervision/inspections/{inspection.public_id}/", related=inspection, at=at,
           dedupe_key=f"inspection-assigned:{inspection.public_id}")


def _require_inspector_or_official(actor: Any, inspection: Inspection) -> None:
    if actor.is_authenticated and inspection.inspectors.filter(pk=actor.pk).exists():
        return
    require_official_over(actor, inspection.plan.authority.region_code)


@transaction.atomic
def finding_record(*, actor: Any, inspection: Inspection, item: str, outcome: str, note: str,
                   at: dt.datetime, evidence: Sequence[UploadedFile] = ()) -> InspectionFinding:
    """An inspector records one item's finding; evidence files are checked and stored."""
    inspection = Inspection.objects.select_for_update().select_related("plan__authority").get(pk=inspection.pk)
    if not (actor.is_authenticated and inspection.inspectors.filter(pk=actor.pk).exists()):
        raise NotAllowed("只有被抽取的检查人员可以记录检查情况")
    if inspection.status != Inspection.Status.ASSIGNED:
        raise DomainError("该检查已出结论，不能再修改检查情况", code="inspection_closed")
    if item not in inspection.plan.items:
        raise InvalidInput("该事项不在本次检查计划内", field="item")
    if outcome not in InspectionFinding.Outcome.values:
        raise InvalidInput("请选择检查结果", field="outcome")
    if outcome == InspectionFinding.Outcome.NONCONFORM and not note.strip():
        raise InvalidInput("不符合的事项须写明情况", field="note")
    stored = [file_store(actor=actor, upload=f, at=at, field="evidence") for f in evidence]
    previous = InspectionFinding.objects.filter(inspection=inspection, item=item).first()
    before = {"outcome": previous.outcome, "note": previous.note} if previous else None
    finding, _ = InspectionFinding.objects.update_or_create(
        inspection=inspection, item=item,
        defaults={"outcome": outcome, "note": note.strip(), "recorded_by": actor, "recorded_at": at},
    )
    if stored:
        finding.evidence.add(*stored)
    audit.record(actor=actor, action="supervision.finding_recorded", obj=inspection, at=at, before=before,
                 after={"item": item, "outcome": outcome, "note": note, "evidence": [str(s.public_id) for s in stored]})
    return finding


@transaction.atomic
def inspection_conclude(*, actor: Any, inspection: Inspection, result: str, conclusion: str,
                        at: dt.datetime) -> Inspection:
    """Every planned item must have a finding; the publication clock starts now."""
    inspection = Inspection.objects.select_for_update().select_related("plan__authority").get(pk=inspection.pk)
    _require_inspector_or_official(actor, inspection)
    check_move(inspection, Inspection.Status.CONCLUDED)
    recorded = set(inspection.findings.values_list("item", flat=True))
    missing = [INSPECTION_ITEMS[i] for i in inspection.plan.items if i not in recorded]
    if missing:
        raise DomainError("以下检查事项尚未记录：" + "；".join(missing), code="findings_missing",
                          source="002 第二十一条")
    if result not in Inspection.Result.values:
        raise InvalidInput("请选择检查结论", field="result")
    days, _ = publish_rule(inspection.institution.pack_id)
    due = add_workdays(local_date(at), days)
    inspection.status = Inspection.Status.CONCLUDED
    inspection.result = result
    inspection.conclusion = conclusion.strip()
    inspection.concluded_at, inspection.concluded_by = at, actor
    inspection.publish_due, inspection.publish_due_provisional = due.date, due.provisional
    inspection.save()
    audit.record(actor=actor, action="supervision.inspection_concluded", obj=inspection, at=at,
                 after={"result": result, "publish_due": due.date.isoformat()})
    transaction.on_commit(lambda: notify(
        recipients=recipients_for_institution(inspection.institution), subject="双随机检查结论",
        body=f"{inspection.plan.title}：{inspection.get_result_display()}。{inspection.conclusion}",
        related=inspection, at=at))
    return inspection


@transaction.atomic
def plan_publish(*, actor: Any, plan: InspectionPlan, at: dt.datetime) -> int:
    """一公开: publish every concluded result of the plan; the plan is closed once all are."""
    plan = _lock(plan)
    require_official_over(actor, plan.authority.region_code)
    if plan.status != InspectionPlan.Status.INSPECTORS_DRAWN:
        raise DomainError("该计划尚未完成抽取或已全部公开", code="plan_not_publishable")
    ready = list(plan.inspections.select_for_update().filter(status=Inspection.Status.CONCLUDED))
    if not ready:
        raise DomainError("没有已出结论、待公开的检查结果", code="nothing_to_publish")
    for inspection in ready:
        inspection.status = Inspection.Status.PUBLISHED
        inspection.published_at = at
        inspection.save(update_fields=["status", "published_at"])
    if not plan.inspections.exclude(status=Inspection.Status.PUBLISHED).exists():
        plan.status = InspectionPlan.Status.PUBLISHED
        plan.published_at = at
        plan.save(update_fields=["status", "published_at"])
    audit.record(actor=actor, action="supervision.results_published", obj=plan, at=at,
                 after={"published": [str(i.public_id) for i in ready]})
    return len(ready)
