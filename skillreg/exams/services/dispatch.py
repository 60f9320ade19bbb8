"""Assessor dispatch (002 第十五条) and quality supervisors (002 第十七条), by recorded random draws.

Rotation, at one venue, over the sittings in date order:
- nobody assesses at the same venue ``consecutive_forbidden`` times running: whoever sat on
  each of the previous ``consecutive_forbidden - 1`` teams there is excluded, with that reason;
- at least ``min_rotated`` of the team changes from the previous sitting there: the team is
  drawn in two recorded draws — first the members that must be new (the previous team
  excluded), then the rest from everyone eligible who is not yet drawn.
If the pool cannot satisfy a rule the dispatch names the rule and the numbers instead of
breaking it.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from skillreg.accounts.models import Role
from skillreg.audit import services as audit
from skillreg.core.errors import DomainError, IllegalTransition, InvalidInput
from skillreg.draws.models import Draw
from skillreg.draws.services import Candidate as DrawCandidate
from skillreg.draws.services import Exclusion, draw_perform
from skillreg.exams.models import (
    Assessor,
    AssessorAssignment,
    ExamPlan,
    SupervisionReport,
    SupervisorAssignment,
)
from skillreg.exams.services.common import local_date, lock_plan, pack_of, require_centre, require_institution_user

DISPATCHABLE = (ExamPlan.Status.APPLIED, ExamPlan.Status.APPROVED)


def previous_teams(plan: ExamPlan, n: int) -> list[set[int]]:
    """Assessor ids of the last ``n`` sittings at the plan's venue before it, newest first."""
    if n <= 0:
        return []
    earlier = (ExamPlan.objects.filter(venue_id=plan.venue_id, assignments__isnull=False)
               .filter(Q(exam_start__lt=plan.exam_start) | Q(exam_start=plan.exam_start, pk__lt=plan.pk))
               .exclude(pk=plan.pk).distinct().order_by("-exam_start", "-pk")[:n])
    teams = []
    for sitting in earlier:
        teams.append(set(AssessorAssignment.objects.filter(plan=sitting).values_list("assessor_id", flat=True)))
    return teams


def _certified(assessor: Assessor, plan: ExamPlan) -> bool:
    for cert in assessor.certificates.all():
        if cert.scope_name != plan.scope_name or cert.valid_until < plan.exam_end:
            continue
        # A level-1 (高级技师) certificate covers every lower level (higher number).
        if plan.level is None or cert.level is None or cert.level <= plan.level:
            return True
    return False


@transaction.atomic
def assessors_dispatch(*, actor: Any, plan: ExamPlan, count: int, at: dt.datetime) -> list[AssessorAssignment]:
    plan = lock_plan(plan)
    require_centre(actor, plan.region_code)
    if plan.status not in DISPATCHABLE:
        raise IllegalTransition("考核申请报送后、考核结果报审前方可选派考评员")
    if plan.assignments.exists():
        raise IllegalTransition("本场考核已选派考评员")
    if count < 1:
        raise InvalidInput("选派人数至少为 1", field="count")
    pack = pack_of(plan)
    rule = pack.rotation
    source = rule.source or pack.exams.assessor_dispatch.source or ""
    prefix = actor.authority.jurisdiction_prefix if actor.authority else plan.region_code[:4]
    assessors = list(Assessor.objects.filter(region_code__startswith=prefix)
                     .prefetch_related("certificates").order_by("pk"))
    pool = [DrawCandidate(key=str(a.public_id), label=a.name) for a in assessors]
    exclusions: list[Exclusion] = []
    eligible: list[Assessor] = []
    run = (rule.consecutive_forbidden or 0) - 1
    teams = previous_teams(plan, max(run, 1))
    consecutive = set.intersection(*teams[:run]) if run > 0 and len(teams) >= run else set()
    for a in assessors:
        if not a.active:
            exclusions.append(Exclusion(str(a.public_id), "已不在考评员库"))
        elif a.employer_id == plan.institution_id:
            exclusions.append(Exclusion(str(a.public_id), "任职于本考核机构，回避"))
        elif not _certified(a, plan):
            exclusions.append(Exclusion(str(a.public_id), f"无有效的“{plan.scope_name}”考评员资格"))
        elif a.pk in consecutive:
            exclusions.append(Exclusion(str(a.public_id),
                                        f"已在本考点连续考核 {run} 次，不能连续考核 {rule.consecutive_forbidden} 次"
                                        f"（{rule.source}）"))
        else:
            eligible.append(a)
    if len(eligible) < count:
        blocked = len(consecutive & {a.pk for a in assessors})
        why = (f"；其中 {blocked} 人因“考评人员不能在同一考点连续考核三次”被排除" if blocked else "")
        raise DomainError(f"可选派的考评员只有 {len(eligible)} 名，需要 {count} 名{why}",
                          code="dispatch_pool_too_small", source=source or None)
    fraction = rule.min_rotated_fraction()
    previous = teams[0] if teams else set()
    must_be_new = math.ceil(fraction * count) if fraction is not None and previous else 0
    new_eligible = [a for a in eligible if a.pk not in previous]
    if len(new_eligible) < must_be_new:
        raise DomainError(
            f"每次考评人员轮换不得少于{rule.min_rotated}：本次 {count} 名中至少 {must_be_new} 名"
            "须为上次未在本考点考评的人员，"
            f"符合条件的只有 {len(new_eligible)} 名", code="dispatch_rotation_unsatisfiable", source=rule.source)
    by_key = {str(a.public_id): a for a in assessors}
    drawn: list[tuple[str, Draw, bool]] = []
    if must_be_new:
        first = draw_perform(
            actor=actor, purpose="考评员选派（轮换新增）", pool=pool, subject=plan, at=at, rule_source=source,
            exclusions=[*exclusions, *[
                Exclusion(str(a.public_id),
                          f"上次在本考点考评；本次须至少轮换{rule.min_rotated}，先从其他人员中抽取轮换名额")
                for a in eligible if a.pk in previous]],
            count=must_be_new)
        drawn += [(key, first, True) for key in first.result]
    rest = count - must_be_new
    if rest:
        taken = {key for key, _, _ in drawn}
        second = draw_perform(
            actor=actor, purpose="考评员选派", pool=pool, subject=plan, at=at, rule_source=source, count=rest,
            exclusions=[*exclusions, *[Exclusion(key, "已在轮换名额中抽中") for key in sorted(taken)]])
        drawn += [(key, second, by_key[key].pk not in previous) for key in second.result]
    assignments = AssessorAssignment.objects.bulk_create([
        AssessorAssignment(plan=plan, assessor=by_key[key], draw=record, rotated_in=new, assigned_at=at)
        for key, record, new in drawn])
    audit.record(actor=actor, action="exams.assessors_dispatched", obj=plan, at=at,
                 summary=f"选派考评员 {count} 名（轮换新增 {sum(1 for *_, n in drawn if n)} 名）",
                 after={"assessors": [by_key[k].name for k, _, _ in drawn]})
    return assignments


@transaction.atomic
def supervisors_draw(*, actor: Any, plan: ExamPlan, count: int, at: dt.datetime) -> list[SupervisorAssignment]:
    """002 第十七条: the centre draws quality supervisors at random for the sitting."""
    plan = lock_plan(plan)
    require_centre(actor, plan.region_code)
    if plan.status not in DISPATCHABLE:
        raise IllegalTransition("考核申请报送后、考核结果报审前方可委派质量督导员")
    if plan.supervisors.filter(kind=SupervisorAssignment.Kind.EXTERNAL).exists():
        raise IllegalTransition("本场考核已委派质量督导员")
    source = pack_of(plan).supervision.quality_supervisors.source or ""
    prefix = actor.authority.jurisdiction_prefix if actor.authority else plan.region_code[:4]
    users = [u for u in get_user_model().objects.filter(role=Role.SUPERVISOR).select_related("authority")
             .order_by("pk") if u.authority and u.authority.region_code.startswith(prefix)]
    pool = [DrawCandidate(key=str(u.pk), label=u.display_name or u.username) for u in users]
    exclusions = [Exclusion(str(u.pk), "账号已停用") for u in users if not u.is_active]
    record = draw_perform(actor=actor, purpose="质量督导员委派", pool=pool, exclusions=exclusions, count=count,
                          at=at, subject=plan, rule_source=source)
    by_key = {str(u.pk): u for u in users}
    made = SupervisorAssignment.objects.bulk_create([
        SupervisorAssignment(plan=plan, kind=SupervisorAssignment.Kind.EXTERNAL, user=by_key[k],
                             name=by_key[k].display_name or by_key[k].username, draw=record, assigned_at=at)
        for k in record.result])
    audit.record(actor=actor, action="exams.supervisors_drawn", obj=plan, at=at,
                 summary=f"随机委派质量督导员 {count} 名", after={"draw": str(record.public_id)})
    return made


@transaction.atomic
def internal_supervisor_record(*, actor: Any, plan: ExamPlan, name: str, at: dt.datetime) -> SupervisorAssignment:
    """003 四(五): the institution's own internal supervisor, kept apart from the centre's."""
    require_institution_user(actor, plan.institution_id)
    if not name.strip():
        raise InvalidInput("请填写内部质量督导员姓名", field="name")
    made = SupervisorAssignment.objects.create(plan=plan, kind=SupervisorAssignment.Kind.INTERNAL,
                                               name=name.strip(), assigned_at=at)
    audit.record(actor=actor, action="exams.internal_supervisor", obj=plan, at=at,
                 summary=f"登记内部质量督导员：{made.name}")
    return made


@transaction.atomic
def supervision_report_file(*, actor: Any, assignment: SupervisorAssignment, site_record: str,
                            assessor_evaluation: list[dict[str, str]], corrections: str = "",
                            at: dt.datetime) -> SupervisionReport:
    """002 第十七条: 现场质量督导记录表, 考评员考评工作评价记录表, on-the-spot corrections."""
    assignment = SupervisorAssignment.objects.select_for_update().select_related("plan").get(pk=assignment.pk)
    own = assignment.user_id is not None and assignment.user_id == actor.pk
    institution_internal = (assignment.kind == SupervisorAssignment.Kind.INTERNAL
                            and getattr(actor, "institution_id", None) == assignment.plan.institution_id)
    if not (own or institution_internal):
        raise DomainError("只有受委派的质量督导员本人可以填写督导记录", code="forbidden")
    if hasattr(assignment, "report"):
        raise IllegalTransition("督导记录已提交")
    if not site_record.strip():
        raise InvalidInput("请填写现场质量督导记录", field="site_record")
    if local_date(at) < assignment.plan.exam_start:
        raise DomainError("考核开始后方可填写现场督导记录", code="too_early")
    report = SupervisionReport.objects.create(assignment=assignment, site_record=site_record.strip(),
                                              assessor_evaluation=assessor_evaluation,
                                              corrections=corrections.strip(), filed_at=at)
    audit.record(actor=actor, action="exams.supervision_report", obj=assignment.plan, at=at,
                 summary="提交现场质量督导记录" + ("（含当场纠正）" if report.corrections else ""))
    return report
