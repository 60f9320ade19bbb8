"""Before submission: every eligibility condition of the pack, met or not, with its clause.

The conditions are the pack's ``filing.checks``; each key names one function below, and the
numbers come from the pack (``staffing``, the check's own parameters). A condition the pack
marks ``judged_by: experts`` is shown but never blocks: the expert panel judges it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from skillreg.policies.schema import EligibilityCheck, Pack
from skillreg.registry.application_form import STAFF_ROLES, TITLE_RANKS, ApplicationForm
from skillreg.registry.models import Application, BodyKind, ProjectRequest, SpecialProject
from skillreg.supervision.selectors import is_blacklisted


@dataclass(frozen=True)
class CheckResult:
    key: str
    text: str
    source: str
    met: bool | None  # None: for the experts to judge
    detail: str
    blocking: bool


Checker = Callable[[Pack, EligibilityCheck, Application, ApplicationForm, set[str]], tuple[bool | None, str]]
CHECKS: dict[str, Checker] = {}


def check(key: str) -> Callable[[Checker], Checker]:
    def register(fn: Checker) -> Checker:
        CHECKS[key] = fn
        return fn
    return register


@check("head_title")
def _head_title(pack, spec, app, form, materials):  # type: ignore[no-untyped-def]
    heads = form.staff_in("head")
    if not heads:
        return False, "未填写负责人"
    need = TITLE_RANKS.get(spec.min_title or "无", 0)
    best = max(heads, key=lambda m: TITLE_RANKS.get(m.title, 0))
    if TITLE_RANKS.get(best.title, 0) < need:
        return False, f"负责人 {best.name} 的专业技术职务为“{best.title}”，须{spec.min_title}以上"
    return True, f"负责人 {best.name}，{best.title}"


@check("managers")
def _managers(pack, spec, app, form, materials):  # type: ignore[no-untyped-def]
    need = pack.staffing.managers.min or 0
    have = [m for m in form.staff_in("manager") if m.full_time]
    return len(have) >= need, f"专职考核管理人员 {len(have)} 人，须不少于 {need} 人"


@check("assessors_per_project")
def _assessors(pack, spec, app, form, materials):  # type: ignore[no-untyped-def]
    need = pack.staffing.assessors_per_project.min or 0
    if not form.scope:
        return False, "未填写申请的职业（工种）或项目"
    short = [f"{item.name}（{len(form.certified_assessors_for(item.name))} 人）" for item in form.scope
             if len(form.certified_assessors_for(item.name)) < need]
    if short:
        return False, f"每个项目须有不少于 {need} 名持证考评人员，不足的有：" + "、".join(short)
    return True, f"每个项目均有不少于 {need} 名持证考评人员"


@check("internal_supervisors")
def _supervisors(pack, spec, app, form, materials):  # type: ignore[no-untyped-def]
    have = [a for a in form.assessors if a.kind == "supervisor" and a.internal]
    return bool(have), f"内部质量督导人员 {len(have)} 人"


@check("naming")
def _naming(pack, spec, app, form, materials):  # type: ignore[no-untyped-def]
    # 001 五(一): 承办单位全称 + “职业技能考核鉴定所（站）”
    org = app.institution.name
    allowed = {org + s for s in ("职业技能考核鉴定所", "职业技能考核鉴定站")}
    # Once filed, the institution carries the station's name (decisions.application_file).
    filed = getattr(app, "status", None) == Application.Status.FILED
    if form.station_name in allowed or (filed and form.station_name == org):
        return True, f"名称“{form.station_name}”符合命名规则"
    return False, (f"名称“{form.station_name or '（未填写）'}”不符合命名规则，应为“{org}职业技能考核鉴定所”"
                   f"或“{org}职业技能考核鉴定站”")


@check("industry_letter")
def _industry_letter(pack, spec, app, form, materials):  # type: ignore[no-untyped-def]
    if app.institution.body_kind != BodyKind.INDUSTRY_BODY:
        return True, "非行业部门申请，无需主管部门函件"
    have = (spec.material or "industry-approval-letter") in materials
    return have, "已上传主管部门同意申报的函件" if have else "行业部门申请须上传省级以上主管部门同意申报的函件"


@check("commitments")
def _commitments(pack, spec, app, form, materials):  # type: ignore[no-untyped-def]
    missing = [name for name, ok in (("填写内容真实性承诺", form.commitments.truthfulness),
                                     ("规范运行（诚信）承诺", form.commitments.conduct)) if not ok]
    return not missing, "未作出：" + "、".join(missing) if missing else "已作出承诺"


@check("scope")
def _scope(pack, spec, app, form, materials):  # type: ignore[no-untyped-def]
    return bool(form.scope), f"申请 {len(form.scope)} 个职业（工种）或项目" if form.scope else "未填写申请范围"


@check("catalogued")
def _catalogued(pack, spec, app, form, materials):  # type: ignore[no-untyped-def]
    # 004 四: 申报机构可根据以下范围严格按照自身主要业务申报考核项目 — the province's published
    # catalogue, or a project whose addition has been requested (004 四(二)(三)).
    province = app.institution.region_code[:2] + "0000"
    catalogue = set(SpecialProject.objects.filter(region_code=province, active=True).values_list("name", flat=True))
    if not catalogue:
        # The province has not entered its catalogue here: nothing to check against, so the
        # experts compare the projects with the published list.
        return None, "本省考核项目目录尚未录入本系统，由评估专家对照已公布目录核实"
    requested = set(ProjectRequest.objects.filter(region_code=province, institution=app.institution).exclude(
        status=ProjectRequest.Status.REFUSED).values_list("name", flat=True))
    outside = [item.name for item in form.scope if item.name not in catalogue and item.name not in requested]
    if outside:
        return False, "不在本省考核项目目录中、也未申请增设：" + "、".join(outside)
    return True, "申报项目均在本省考核项目目录中或已申请增设"


@check("sites")
def _sites(pack, spec, app, form, materials):  # type: ignore[no-untyped-def]
    have = form.theory_rooms.count > 0 or form.practical_sites.count > 0
    return have, "已填写考核场地" if have else "未填写考核场地"


@check("no_violation_record")
def _no_violation(pack, spec, app, form, materials):  # type: ignore[no-untyped-def]
    # Violation records arrive with the supervision module; until then the experts judge it
    # from the applicant's credit statement (the pack marks this check judged_by: experts).
    span = f"近 {spec.years} 年" if spec.years else ""
    return None, f"{span}无违法违规记录，由评估专家核实"


@check("not_blacklisted")
def _not_blacklisted(pack, spec, app, form, materials):  # type: ignore[no-untyped-def]
    entry = is_blacklisted(app.institution.credit_code)
    if entry is not None:
        return False, f"该统一社会信用代码已于 {entry.listed_at:%Y-%m-%d} 列入失信黑名单（{entry.source}）"
    return True, "未列入失信黑名单"


def report(pack: Pack, application: Application) -> list[CheckResult]:
    form = ApplicationForm.model_validate(application.form)
    materials = set(application.materials.filter(superseded=False).values_list("key", flat=True))
    results = []
    for spec in pack.filing.checks:
        met, detail = CHECKS[spec.key](pack, spec, application, form, materials)
        if spec.judged_by == "experts":
            met = None if met is not True else met
        results.append(CheckResult(
            key=spec.key, text=spec.text, source=spec.source, met=met, detail=detail,
            blocking=spec.judged_by == "system" and met is False,
        ))
    return results


__all__ = ["CHECKS", "STAFF_ROLES", "CheckResult", "report"]
