"""Packs side by side: one row per rule topic, one cell per pack.

A cell holds the value as Chinese text (``None`` when the document is silent) and the
clause it comes from, so the page can link every value to the clause's original text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from skillreg.policies.schema import (
    LEVEL_NAMES,
    PUBLIC_FIELD_NAMES,
    Pack,
    PolicyClock,
    PolicyCount,
    PolicyFlag,
    PolicyItemList,
    PolicyText,
    PolicyYears,
    Rule,
    iter_rules,
    parse_source,
)

SILENT = "文件未规定"


@dataclass(frozen=True)
class Cell:
    text: str | None
    source: str | None = None
    note: str | None = None
    # What the comparison looks at: the number or flag, not the wording around it.
    value: Any = None

    @property
    def silent(self) -> bool:
        return self.text is None

    @property
    def ref(self) -> str | None:
        return parse_source(self.source)[1] if self.source else None


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    group: str
    cells: list[tuple[Pack, Cell]]

    @property
    def differs(self) -> bool:
        return len({cell.value for _, cell in self.cells}) > 1


_SAME_AS_TEXT: Any = object()


def _cell(rule: Rule, text: str | None, value: Any = _SAME_AS_TEXT) -> Cell:
    return Cell(text=text, source=rule.source, note=rule.note,
                value=text if value is _SAME_AS_TEXT else value)


def clock(rule: PolicyClock) -> Cell:
    if rule.workdays is None:
        return _cell(rule, None)
    return _cell(rule, f"{rule.workdays} 个工作日" + (f"（{rule.anchor}）" if rule.anchor else ""),
                 rule.workdays)


def years(rule: PolicyYears) -> Cell:
    if rule.years is None:
        return _cell(rule, None)
    return _cell(rule, f"{'不少于 ' if rule.at_least else ''}{rule.years} 年",
                 (rule.years, rule.at_least))


def count(rule: PolicyCount) -> Cell:
    if rule.min is None:
        return _cell(rule, None)
    return _cell(rule, f"≥ {rule.min} 人" + (f"（{rule.qualification}）" if rule.qualification else ""),
                 rule.min)


def flag(rule: PolicyFlag) -> Cell:
    if rule.value is None:
        return _cell(rule, None)
    return _cell(rule, ("是" if rule.value else "否") + (f"：{rule.text}" if rule.text else ""),
                 rule.value)


def text(rule: PolicyText) -> Cell:
    # Wordings always differ; the row differs when one document fixes it and another not.
    return _cell(rule, rule.text, rule.text is not None)


def item_count(rule: PolicyItemList) -> Cell:
    return _cell(rule, f"{len(rule.items)} 项" if rule.items else None, len(rule.items))


def _tiers(p: Pack) -> Cell:
    j = p.jurisdiction
    parts = []
    for tier in j.tiers:
        levels = (
            "（" + "、".join(LEVEL_NAMES[lv] for lv in sorted(tier.levels, reverse=True)) + "）"
            if tier.levels
            else ""
        )
        parts.append(f"{tier.authority}{levels}")
    return _cell(j, "；".join(parts) or None)


def _routing(p: Pack) -> Cell:
    j = p.jurisdiction
    parts = [
        f"{r.applicant} → {r.submit_to}" + (f"，{r.reviewed_by}复核" if r.reviewed_by else "")
        for r in j.routing
    ]
    joined = "；".join(parts) or None
    return Cell(joined, j.routing[0].source if j.routing else None, j.note, value=joined)


def _materials(p: Pack) -> Cell:
    m = p.materials
    if not m.items:
        return _cell(m, None)
    return _cell(m, f"{len(m.items)} 项：" + "、".join(i.name for i in m.items), len(m.items))


def _violations(p: Pack) -> Cell:
    if not p.violations:
        return Cell(None, None, "文件未规定违规情形")
    total = sum(len(c.items) for c in p.violations)
    detail = "；".join(f"{c.name} {len(c.items)} 项（{'→'.join(c.steps)}）" for c in p.violations)
    return Cell(f"{total} 项：{detail}", p.violations[0].source, value=total)


def _blacklist(p: Pack) -> Cell:
    for c in p.violations:
        if c.blacklist:
            return Cell("是：" + "→".join(c.steps) + "，列入失信黑名单", c.source, value=True)
    return Cell(None, None, "文件未规定失信黑名单")


def _grades(p: Pack) -> Cell:
    g = p.grading.grades
    if not g.levels:
        return _cell(g, None)
    return _cell(g, "、".join(g.levels) + (f"（{'、'.join(g.passing)}可继续）" if g.passing else ""),
                 tuple(g.levels))


def _rectification(p: Pack) -> Cell:
    r = p.grading.rectification
    if r.months is None:
        return _cell(r, None)
    return _cell(r, f"{r.months} 个月" + (f"；{r.on_failure}" if r.on_failure else ""), r.months)


def _rotation(p: Pack) -> Cell:
    r = p.rotation
    if r.silent:
        return _cell(r, None)
    parts = []
    if r.consecutive_forbidden:
        parts.append(f"不得在同一考点连续考核 {r.consecutive_forbidden} 次")
    if r.min_rotated:
        parts.append(f"每次轮换不少于 {r.min_rotated}")
    return _cell(r, "；".join(parts), (r.consecutive_forbidden, r.min_rotated))


def _similarity(p: Pack) -> Cell:
    s = p.similarity
    if s.fraction is None:
        return _cell(s, None)
    return _cell(s, f"{s.scope or ''} {s.fraction}{'以上' if s.inclusive else '超过'}异常雷同",
                 (s.fraction, s.inclusive))


def _public_fields(p: Pack) -> Cell:
    f = p.public_fields
    if not f.fields:
        return _cell(f, None)
    return _cell(f, "、".join(PUBLIC_FIELD_NAMES[name] for name in f.fields), tuple(f.fields))


def _naming(p: Pack) -> Cell:
    return _cell(p.naming, p.naming.pattern)


def _notices(p: Pack) -> Cell:
    n = p.result_notices
    return _cell(n, "、".join(t.name for t in n.templates) or None, len(n.templates))


def _off_site(p: Pack) -> Cell:
    o = p.conduct.off_site_venue
    if o.allowed is None:
        return _cell(o, None)
    return _cell(o, ("允许" if o.allowed else "不允许") + (f"，须经{o.approval_by}" if o.approval_by else ""),
                 o.allowed)


def _inactivity(p: Pack) -> Cell:
    i = p.inactivity
    if i.years is None:
        return _cell(i, None)
    return _cell(i, f"{i.period}：{i.consequence}", i.years)


def _evaluation_methods(p: Pack) -> Cell:
    m = p.evaluation.methods
    return _cell(m, "、".join(m.items) or None, tuple(m.items))


def _call(p: Pack) -> Cell:
    c = p.call
    return _cell(c, c.closing_date.isoformat() if c.closing_date else None)


def _body_kind(p: Pack) -> Cell:
    return _cell(p.body_kind, p.body_kind.name, p.body_kind.kind)


def _applicants(p: Pack) -> Cell:
    a = p.applicants
    return _cell(a, "、".join(k.name for k in a.kinds) or None)


Topic = tuple[str, str, str, Callable[[Pack], Cell]]

def _optional_clock(rule: PolicyClock | None) -> Cell:
    return clock(rule) if rule is not None else Cell(text=None, note=SILENT)


def _annual_reports(p: Pack) -> Cell:
    rule = p.supervision.annual_reports
    if rule is None:
        return Cell(text=None, note=SILENT)
    due = "；".join(f"{label}{day}前" for label, day in (("计划", rule.plan_due), ("总结", rule.summary_due)) if day)
    return _cell(rule, (rule.text or "是") + (f"（{due}）" if due else ""), True)


FORMAT_FIELDS = {"institution_code": "机构代码", "institution": "机构序号", "yy": "年份 2 位", "year": "年份",
                 "level": "等级", "serial": "流水号"}


def _number_format(p: Pack) -> Cell:
    if p.certificate.national_numbering.value:
        return flag(p.certificate.national_numbering)
    fmt = p.certificate.number_format
    if fmt is None:
        return Cell(text=None, note=SILENT)
    parts = [part for part in re.split(r"[{}]", fmt.pattern) if part]
    shown = " + ".join(FORMAT_FIELDS.get(part.split(":")[0], part) for part in parts)
    return Cell(text=("系统约定：" if fmt.source is None else "") + shown, source=fmt.source, note=fmt.note,
                value=fmt.pattern)


TOPICS: list[Topic] = [
    ("body_kind", "机构类型", "主体与层级", _body_kind),
    ("applicants", "申请主体", "主体与层级", _applicants),
    ("tiers", "备案层级", "主体与层级", _tiers),
    ("routing", "申报路径", "主体与层级", _routing),
    ("branch_report", "分支机构报备", "主体与层级", lambda p: flag(p.conduct.branch_report)),
    ("eligibility", "备案条件", "条件与材料", lambda p: item_count(p.eligibility)),
    ("staff_head", "负责人", "条件与材料", lambda p: count(p.staffing.head)),
    ("staff_managers", "专职管理人员", "条件与材料", lambda p: count(p.staffing.managers)),
    ("staff_assessors", "每个项目考评员", "条件与材料", lambda p: count(p.staffing.assessors_per_project)),
    ("staff_supervisors", "内部质量督导员", "条件与材料", lambda p: flag(p.staffing.internal_supervisors)),
    ("materials", "申报材料", "条件与材料", _materials),
    ("call", "申报截止日期", "条件与材料", _call),
    ("clock_material_check", "材料核查时限", "办理时限", lambda p: clock(p.clocks.material_check)),
    ("clock_completion", "办结时限", "办理时限", lambda p: clock(p.clocks.completion)),
    ("clock_supplement", "补正时限", "办理时限", lambda p: clock(p.clocks.supplement)),
    ("clock_evaluation_plan", "评估方案报送", "办理时限", lambda p: clock(p.clocks.evaluation_plan)),
    ("clock_change_filing", "变更备案时限", "办理时限", lambda p: clock(p.clocks.change_filing)),
    ("clock_candidate_entry", "考生信息录入", "办理时限", lambda p: clock(p.clocks.candidate_entry)),
    ("clock_exam_application", "考核申请报送", "办理时限", lambda p: clock(p.clocks.exam_application)),
    ("evaluation_methods", "评估方式", "评估与备案", _evaluation_methods),
    ("experts_random", "专家随机抽取", "评估与备案", lambda p: flag(p.evaluation.experts_random)),
    ("validity", "备案有效期", "评估与备案", lambda p: years(p.validity)),
    ("institution_code", "机构代码", "评估与备案", lambda p: flag(p.institution_code)),
    ("result_notices", "办理结果告知书", "评估与备案", _notices),
    ("naming", "命名规则", "评估与备案", _naming),
    ("public_fields", "公布字段", "评估与备案", _public_fields),
    ("change_projects", "项目增减", "变更与注销", lambda p: text(p.change_filing.projects)),
    ("change_cancellation", "注销/终止", "变更与注销", lambda p: text(p.change_filing.cancellation)),
    ("training_separation", "考培分离", "考务", lambda p: flag(p.conduct.training_separation)),
    ("off_site_venue", "场外考点", "考务", _off_site),
    ("rotation", "考评员轮换", "考务", _rotation),
    ("similarity", "答卷雷同", "考务", _similarity),
    ("independent_scoring", "独立评分", "考务", lambda p: flag(p.conduct.independent_scoring)),
    ("question_bank", "题库建设", "考务", lambda p: flag(p.conduct.question_bank)),
    ("certificate_kind", "证书", "考务", lambda p: text(p.certificate.kind)),
    ("certificate_numbering", "全国统一编码", "考务", lambda p: flag(p.certificate.national_numbering)),
    ("retention_paper", "纸质档案保存", "档案", lambda p: years(p.retention.paper)),
    ("retention_electronic", "电子档案保存", "档案", lambda p: years(p.retention.electronic)),
    ("retention_video", "视频资料保存", "档案", lambda p: years(p.retention.video)),
    ("destruction", "到期销毁", "档案", lambda p: text(p.retention.destruction)),
    ("random_inspection", "双随机、一公开", "监督", lambda p: flag(p.supervision.random_inspection)),
    ("quality_supervisors", "质量督导员委派", "监督", lambda p: flag(p.supervision.quality_supervisors)),
    ("grades", "评估等级", "监督", _grades),
    ("periodic_evaluation", "综合评估周期", "监督", lambda p: years(p.grading.periodic_evaluation)),
    ("rectification", "整改期限", "监督", _rectification),
    ("direct_fail", "直接不合格情形", "监督", lambda p: item_count(p.direct_fail)),
    ("violations", "违规情形及处理", "监督", _violations),
    ("blacklist", "失信黑名单", "监督", _blacklist),
    ("inactivity", "长期不开展工作", "监督", _inactivity),
    ("complaints", "投诉举报", "监督", lambda p: flag(p.supervision.complaints)),
    ("year_end_summary", "年度总结", "监督", lambda p: flag(p.supervision.year_end_summary)),
    ("results_publication", "检查结果公开期限", "监督", lambda p: _optional_clock(p.supervision.results_publication)),
    ("complaint_answer", "投诉答复期限", "监督", lambda p: _optional_clock(p.supervision.complaint_answer)),
    ("annual_reports", "年度计划和总结", "监督", _annual_reports),
    ("certificate_number_format", "证书编码", "考务", _number_format),
    ("integrity_commitment", "诚信承诺", "其他", lambda p: flag(p.conduct.integrity_commitment)),
    ("published_rules", "规章制度公开", "其他", lambda p: flag(p.conduct.published_rules)),
    ("fees", "收费", "其他", lambda p: text(p.conduct.fees)),
]


def compare(packs: list[Pack]) -> list[Row]:
    return [Row(key, label, group, [(p, fn(p)) for p in packs]) for key, label, group, fn in TOPICS]


# --- one pack in full ---------------------------------------------------------------

FIELD_LABELS = {
    "applicants": "申请主体", "jurisdiction": "备案层级", "eligibility": "备案条件",
    "staffing": "人员配备", "materials": "申报材料", "clocks": "办理时限", "validity": "有效期",
    "change_filing": "变更备案", "evaluation": "评估", "grading": "检查评估等级",
    "direct_fail": "直接不合格", "violations": "违规情形", "retention": "档案保存",
    "rotation": "考评员轮换", "similarity": "答卷雷同", "public_fields": "公布字段",
    "naming": "命名规则", "certificate": "证书", "result_notices": "办理结果告知书",
    "institution_code": "机构代码", "projects": "考核项目", "exams": "考务",
    "conduct": "机构行为规范", "supervision": "监督", "inactivity": "长期不开展工作",
    "call": "申报征集", "body_kind": "机构类型",
}


@dataclass(frozen=True)
class Line:
    path: str
    label: str
    values: list[tuple[str, Any]]
    source: str | None
    note: str | None
    silent: bool

    @property
    def ref(self) -> str | None:
        return parse_source(self.source)[1] if self.source else None


def _scalar_values(obj: BaseModel) -> list[tuple[str, Any]]:
    out = []
    for name in type(obj).model_fields:
        if name in ("source", "note"):
            continue
        value = getattr(obj, name)
        if isinstance(value, BaseModel) or (
            isinstance(value, list) and value and isinstance(value[0], BaseModel)
        ):
            continue
        if isinstance(value, list):
            value = "、".join(str(v) for v in value) if value else None
        out.append((name, value))
    return out


SKIP_TOP = {"document", "region", "clauses"}


def lines(pack: Pack) -> list[Line]:
    """Every rule and listed entry of the pack, flattened for the pack page."""
    out = []
    for path, obj in iter_rules(pack):
        top = path.split(".")[0]
        if top in SKIP_TOP:
            continue
        values = _scalar_values(obj)
        has_source = "source" in type(obj).model_fields
        if not values and not has_source:
            continue  # a plain section: its rules follow
        silent = obj.silent if isinstance(obj, Rule) else False
        label = FIELD_LABELS.get(top, top)
        out.append(Line(path, label, values, getattr(obj, "source", None),
                        getattr(obj, "note", None), silent))
    return out
