"""The shape of a policy pack.

A pack is data: one YAML file per regime (one source document). Every rule is a small
object that carries its ``source`` — ``"<seed> <clause>"``, the seed number of the
document and the clause in the document's own numbering — and every clause a rule cites
must be one of the pack's ``clauses``, whose text is the document's original wording.

Silence is explicit. Each rule has one or more *value fields* (``workdays``, ``years``,
``min`` ...). When the document does not fix a value, the value is ``null`` and ``note``
says so (``文件未规定``); the code then gets ``None`` and must not invent a number. A rule
with a value must cite its source. Both are enforced by :class:`Rule`.

Reading a pack::

    pack.clocks.material_check.workdays       # 5 for sc-2021-appraisal, None where silent
    pack.validity.years                        # 2 / 3 / None
    pack.rotation.min_rotated_fraction()       # Fraction(1, 3) for bz-2023-special
    pack.retention.paper.years, pack.retention.paper.at_least
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from fractions import Fraction
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

SOURCE_RE = re.compile(r"^(?P<seed>\d{3}) (?P<ref>\S+)$")
FRACTION_RE = re.compile(r"^(?P<num>[1-9]\d*)/(?P<den>[1-9]\d*)$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


def _check_source(value: str) -> str:
    if not SOURCE_RE.match(value):
        raise ValueError(
            f"条款出处“{value}”格式不对，应为“三位文件编号 + 空格 + 条款号”，如“001 三(一)2(1)”"
        )
    return value


def _check_fraction(value: str) -> str:
    match = FRACTION_RE.match(value)
    if not match or int(match["num"]) > int(match["den"]):
        raise ValueError(f"比例“{value}”应写成精确分数字符串，如“1/3”（不得用小数）")
    return value


def _check_slug(value: str) -> str:
    if not SLUG_RE.match(value):
        raise ValueError(f"“{value}”应为小写字母、数字和连字符组成的标识")
    return value


def _check_region_code(value: str) -> str:
    if not re.fullmatch(r"\d{6}", value):
        raise ValueError(f"行政区划代码“{value}”应为 6 位数字（GB/T 2260）")
    return value


Source = Annotated[str, AfterValidator(_check_source)]
FractionStr = Annotated[str, AfterValidator(_check_fraction)]
Slug = Annotated[str, AfterValidator(_check_slug)]
RegionCode = Annotated[str, AfterValidator(_check_region_code)]
# Occupational levels: 5 = 初级 … 1 = 高级技师 (国家职业资格五级 … 一级).
Level = Annotated[int, Field(ge=1, le=5)]

LEVEL_NAMES = {5: "初级", 4: "中级", 3: "高级", 2: "技师", 1: "高级技师"}


def parse_source(source: str) -> tuple[str, str]:
    """Split ``"001 三(一)2(1)"`` into ``("001", "三(一)2(1)")``."""
    match = SOURCE_RE.match(source)
    if not match:
        raise ValueError(source)
    return match["seed"], match["ref"]


def as_fraction(value: str | None) -> Fraction | None:
    return None if value is None else Fraction(value)


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a pack must not silently drop a rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Rule(Strict):
    """A rule fixed (or left open) by a document.

    Subclasses name their value fields in ``value_fields``. All of them ``None`` (or an
    empty list) means the document is silent, and then ``note`` must say so.
    """

    value_fields: ClassVar[tuple[str, ...]] = ()

    source: Source | None = None
    note: str | None = None

    @property
    def silent(self) -> bool:
        return all(getattr(self, name) in (None, []) for name in self.value_fields)

    @model_validator(mode="after")
    def _source_or_note(self) -> Rule:
        if self.silent and not self.note:
            raise ValueError("文件未规定的规则须写 note 说明（如“文件未规定”），不得留空")
        if not self.silent and self.source is None:
            raise ValueError("有取值的规则须以 source 注明条款出处")
        return self


# --- leaf rules -------------------------------------------------------------------


class PolicyItem(Strict):
    """One entry of a list the document enumerates (a condition, a violation ...)."""

    key: Slug | None = None
    text: str = Field(min_length=1)
    source: Source


class PolicyText(Rule):
    value_fields = ("text",)
    text: str | None


class PolicyFlag(Rule):
    """A yes/no the document fixes (``value``), with its wording in ``text``."""

    value_fields = ("value",)
    value: bool | None
    text: str | None = None


class PolicyCount(Rule):
    """A staffing minimum."""

    value_fields = ("min",)
    min: int | None = Field(ge=0)
    qualification: str | None = None


class PolicyClock(Rule):
    """A working-day period. ``anchor`` says from which event it runs."""

    value_fields = ("workdays",)
    workdays: int | None = Field(ge=0)
    anchor: str | None = None
    consequence: str | None = None


class PolicyYears(Rule):
    value_fields = ("years",)
    years: int | None = Field(ge=1)
    at_least: bool = False  # 不少于 N 年
    scope: str | None = None


class PolicyValidity(PolicyYears):
    renewal: str | None = None


class PolicyItemList(Rule):
    value_fields = ("items",)
    items: list[PolicyItem]


class PolicyNames(Rule):
    """A list of names (methods, grades ...) whose order may matter."""

    value_fields = ("items",)
    items: list[str]


# --- composite rules and sections -------------------------------------------------


class PolicyBodyKind(Rule):
    value_fields = ("kind",)
    kind: Literal["special_assessment_body", "appraisal_station", "skill_level_evaluation_body"]
    name: str


class PolicyApplicantKind(Strict):
    key: Slug
    name: str
    scope: str | None = None  # whom it may assess, where the document says
    source: Source


class PolicyApplicants(Rule):
    value_fields = ("kinds",)
    kinds: list[PolicyApplicantKind]
    text: str | None = None


class PolicyTier(Strict):
    level: Literal["national", "province", "city"]
    authority: str
    region_code: RegionCode | None = None
    region_name: str | None = None
    duties: str
    levels: list[Level] | None = None  # occupational levels this tier files, if fixed
    source: Source


class PolicyRoute(Strict):
    applicant: str
    submit_to: str
    reviewed_by: str | None = None
    requires: str | None = None
    source: Source


class PolicyJurisdiction(Rule):
    value_fields = ("tiers",)
    tiers: list[PolicyTier]
    routing: list[PolicyRoute]
    report_up: str | None = None


class PolicyStaffing(Strict):
    head: PolicyCount
    managers: PolicyCount
    assessors_per_project: PolicyCount
    internal_supervisors: PolicyFlag
    ratios: PolicyText


class PolicyMaterial(Strict):
    key: Slug
    name: str
    condition: str | None = None
    includes: list[str] = []
    source: Source


class PolicyMaterials(Rule):
    value_fields = ("items",)
    items: list[PolicyMaterial]
    form: str | None = None  # the application form, when the document names it


class PolicyClocks(Strict):
    material_check: PolicyClock  # authority checks the filing materials
    completion: PolicyClock  # filing decided
    supplement: PolicyClock  # applicant completes the materials, else terminated
    candidate_entry: PolicyClock  # candidates entered before the registration deadline
    exam_application: PolicyClock  # exam plan and papers requested after the deadline
    evaluation_plan: PolicyClock  # evaluation plan filed before the evaluation
    change_filing: PolicyClock  # change materials before or after the change


class PolicyChangeFiling(Strict):
    to_tier_authority: PolicyItemList
    to_original_authority: PolicyItemList
    cancellation: PolicyText
    projects: PolicyText


class PolicyEvaluation(Strict):
    organiser: PolicyText
    methods: PolicyNames
    experts_random: PolicyFlag
    standard: PolicyText
    form: PolicyText


class PolicyRectification(Rule):
    value_fields = ("months",)
    months: int | None = Field(ge=1)
    on_failure: str | None = None


class PolicyGrades(Rule):
    value_fields = ("levels",)
    levels: list[str]
    passing: list[str] = []


class PolicyGrading(Strict):
    grades: PolicyGrades
    periodic_evaluation: PolicyYears
    rectification: PolicyRectification


class PolicyDirectFail(PolicyItemList):
    consequence: str | None = None


ConsequenceCode = Literal[
    "refuse_or_revoke",
    "revoke_and_publish",
    "record_rectify_notify",
    "order_to_stop",
    "sanction_ladder",
    "penalty_and_recall",
    "disqualify_application",
]


class PolicyCatalogue(Strict):
    """A list of violations that share one consequence."""

    key: Slug
    name: str
    consequence: ConsequenceCode
    steps: list[str] = Field(min_length=1)  # what the authority does, in the document's order
    graded: bool = False  # 视情节轻重: the authority picks the step by severity
    blacklist: bool = False
    publish: bool = False
    items: list[PolicyItem] = Field(min_length=1)
    source: Source


class PolicyRetention(Strict):
    paper: PolicyYears
    electronic: PolicyYears
    video: PolicyYears
    destruction: PolicyText


class PolicyRotation(Rule):
    """Assessor dispatch. ``consecutive_forbidden = 3``: never 3 times running at one site."""

    value_fields = ("consecutive_forbidden", "min_rotated")
    consecutive_forbidden: int | None = Field(ge=2)
    min_rotated: FractionStr | None
    dispatched_by: str | None = None

    def min_rotated_fraction(self) -> Fraction | None:
        return as_fraction(self.min_rotated)


class PolicySimilarity(Rule):
    value_fields = ("fraction",)
    fraction: FractionStr | None
    inclusive: bool = True  # “以上” includes the number itself
    scope: str | None = None
    consequence: str | None = None

    def as_fraction(self) -> Fraction | None:
        return as_fraction(self.fraction)


PublicField = Literal["name", "code", "address", "contact", "head", "occupations_levels", "projects"]
PUBLIC_FIELD_NAMES = {
    "name": "名称",
    "code": "编码/代码",
    "address": "地址",
    "contact": "联系方式",
    "head": "负责人",
    "occupations_levels": "鉴定职业（工种）范围和等级",
    "projects": "考核项目",
}


class PolicyPublicFields(Rule):
    value_fields = ("fields",)
    fields: list[PublicField] | None
    where: str | None = None


class PolicyNaming(Rule):
    value_fields = ("pattern",)
    pattern: str | None
    suffix: str | None = None


class CertificateNumberFormat(Strict):
    """The number of a certificate the national rule does not cover (专项职业能力证书): a
    ``str.format`` pattern over ``institution_code``, ``institution``, ``yy``, ``year``, ``level``
    and ``serial``, and the scope of its gap-free counter. Without ``source`` it is this
    system's convention (the documents are silent), which ``note`` must say."""

    pattern: str
    scope: str
    serial_digits: int = Field(ge=3, le=12)
    note: str = Field(min_length=1)
    source: Source | None = None

    @model_validator(mode="after")
    def _formats(self) -> CertificateNumberFormat:
        sample = {"institution_code": "ZX5119022023001", "institution": 1, "yy": "26", "year": 2026, "level": "",
                  "serial": 1}
        for name in ("pattern", "scope"):
            try:
                getattr(self, name).format(**sample)
            except (KeyError, IndexError, ValueError, AttributeError) as exc:
                raise ValueError(f"{name} 只能使用 institution_code、institution、yy、year、level、serial：{exc}") \
                    from exc
        if "{serial" not in self.pattern:
            raise ValueError("pattern 须含流水号 {serial}")
        return self


class PolicyCertificate(Strict):
    kind: PolicyText
    national_numbering: PolicyFlag
    # Only packs whose bodies issue certificates outside the national rule have it.
    number_format: CertificateNumberFormat | None = None


class PolicyNoticeTemplate(Strict):
    key: Slug
    name: str
    outcome: Literal["filed", "terminated"]
    text: str
    source: Source


class PolicyResultNotices(Rule):
    value_fields = ("templates",)
    templates: list[PolicyNoticeTemplate]


class PolicyOffSiteVenue(Rule):
    value_fields = ("allowed",)
    allowed: bool | None
    approval_by: str | None = None


class PolicyConduct(Strict):
    training_separation: PolicyFlag
    off_site_venue: PolicyOffSiteVenue
    integrity_commitment: PolicyFlag
    published_rules: PolicyFlag
    fees: PolicyText
    branch_report: PolicyFlag
    question_bank: PolicyFlag
    independent_scoring: PolicyFlag


class PolicyAnnualReports(Rule):
    """The institution's annual work plan and summary (002 第五条(五)) and when they are due.

    ``plan_due`` is a "MM-DD" of the plan's own year, ``summary_due`` a "MM-DD" of the year
    after the summarised one. Both ``None`` (with ``note``): the document sets no date and
    the supervision app applies its configurable default, shown as such.
    """

    value_fields = ("plan_due", "summary_due")
    text: str | None = None
    plan_due: str | None = Field(default=None, pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
    summary_due: str | None = Field(default=None, pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")

    @model_validator(mode="after")
    def _real_days(self) -> PolicyAnnualReports:
        for name in ("plan_due", "summary_due"):
            value = getattr(self, name)
            if value:
                try:  # 2024 is a leap year: 02-29 is allowed (read as 02-28 in other years)
                    datetime.date(2024, int(value[:2]), int(value[3:]))
                except ValueError as exc:
                    raise ValueError(f"{name} {value} 不是有效的日期") from exc
        return self


class PolicySupervision(Strict):
    random_inspection: PolicyFlag
    quality_supervisors: PolicyFlag
    complaints: PolicyFlag
    year_end_summary: PolicyFlag
    work_reports: PolicyFlag
    # Only a pack whose document obliges institutions to submit them has the key.
    annual_reports: PolicyAnnualReports | None = None
    # When 双随机 inspection results must be public (working days from the conclusion).
    results_publication: PolicyClock | None = None
    # When a complaint must be answered (working days from receipt).
    complaint_answer: PolicyClock | None = None


class PolicyInactivity(Rule):
    value_fields = ("years",)
    years: int | None = Field(ge=1)
    period: str | None = None  # the document's wording: 一年内 / 年度内
    consequence: str | None = None


class PolicyCall(Rule):
    value_fields = ("closing_date",)
    closing_date: datetime.date | None
    submit_to: str | None = None


class PolicyProjects(Strict):
    catalogue: PolicyText
    new_projects: PolicyText


class PolicyExams(Strict):
    candidate_materials: PolicyMaterials
    assessor_dispatch: PolicyText


# --- filing: what the registry evaluates -------------------------------------------

# The kinds of applicant the registry knows (registry.models.BodyKind).
BodyKindCode = Literal[
    "enterprise", "technical_school", "vocational_school", "social_body", "industry_body",
    "provincial_unit", "appraisal_body", "provincial_association", "provincial_school",
    "provincial_soe", "central_enterprise", "other",
]


class RouteWhen(Strict):
    """All given conditions must hold; an empty ``when`` matches every application."""

    body_kinds: list[BodyKindCode] | None = None
    levels_any: list[Level] | None = None  # any applied-for level among these
    region_prefixes: list[str] | None = None
    not_region_prefixes: list[str] | None = None


class RoutingRule(Strict):
    """Which authority receives an application; the first matching rule wins."""

    when: RouteWhen = RouteWhen()
    to: Literal["province", "city"]
    authority_kind: Literal["hrss", "centre"] = "hrss"
    reviewed_by: Literal["province"] | None = None
    reviewer_kind: Literal["hrss", "centre"] | None = None
    text: str
    source: Source


EligibilityKey = Literal[
    "scope", "sites", "head_title", "managers", "assessors_per_project", "internal_supervisors",
    "naming", "industry_letter", "commitments", "no_violation_record", "not_blacklisted", "catalogued",
]


class EligibilityCheck(Strict):
    """A condition checked before submission; ``judged_by: experts`` never blocks."""

    key: EligibilityKey
    text: str
    judged_by: Literal["system", "experts"] = "system"
    min_title: Literal["初级", "中级", "副高级", "正高级"] | None = None
    years: int | None = Field(default=None, ge=1)
    material: str | None = None
    source: Source


class CodeFormat(Strict):
    """The institution code. ``national``: the 13-character national form; otherwise a
    ``pattern`` with {region} {year} {seq} {city} {province}, counted per ``sequence_scope``."""

    national: bool = False
    pattern: str | None = None
    sequence_scope: str = "{region}"
    note: str | None = None
    source: Source | None = None

    @model_validator(mode="after")
    def _pattern_or_national(self) -> CodeFormat:
        if not self.national and not self.pattern:
            raise ValueError("非全国统一编码时须给出 pattern")
        if self.source is None and not self.note:
            raise ValueError("编码规则无条款出处时须以 note 说明其来由")
        return self


class PolicyFiling(Strict):
    routing: list[RoutingRule] = Field(min_length=1)
    checks: list[EligibilityCheck]
    code: CodeFormat


class PolicyForward(Strict):
    number: str
    issuer: str
    date: datetime.date


class PolicyDocument(Strict):
    number: str | None  # 文号; null when the document carries none (a draft)
    title: str
    issuer: str
    date: datetime.date | None
    year: int
    draft: bool = False
    forwarded_by: PolicyForward | None = None
    note: str | None = None


class PolicyRegion(Strict):
    code: RegionCode
    name: str


class SourceError(Exception):
    """A ``source`` that does not resolve. Not a ValueError, so pydantic lets it through
    with the dotted key path intact instead of folding it into the root error."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}：{reason}")
        self.path = path
        self.reason = reason


class Pack(Strict):
    id: Slug
    seed: Annotated[str, Field(pattern=r"^\d{3}$")]
    title: str
    document: PolicyDocument
    region: PolicyRegion
    body_kind: PolicyBodyKind
    clauses: dict[str, Annotated[str, Field(min_length=1)]] = Field(min_length=1)

    applicants: PolicyApplicants
    jurisdiction: PolicyJurisdiction
    eligibility: PolicyItemList
    staffing: PolicyStaffing
    materials: PolicyMaterials
    clocks: PolicyClocks
    validity: PolicyValidity
    change_filing: PolicyChangeFiling
    evaluation: PolicyEvaluation
    grading: PolicyGrading
    direct_fail: PolicyDirectFail
    violations: list[PolicyCatalogue]
    retention: PolicyRetention
    rotation: PolicyRotation
    similarity: PolicySimilarity
    public_fields: PolicyPublicFields
    naming: PolicyNaming
    certificate: PolicyCertificate
    result_notices: PolicyResultNotices
    institution_code: PolicyFlag
    projects: PolicyProjects
    exams: PolicyExams
    conduct: PolicyConduct
    supervision: PolicySupervision
    inactivity: PolicyInactivity
    call: PolicyCall
    filing: PolicyFiling

    @model_validator(mode="after")
    def _sources_resolve(self) -> Pack:
        for path, source in iter_sources(self):
            seed, ref = parse_source(source)
            if seed != self.seed:
                raise SourceError(
                    path, f"出处“{source}”引用了文件 {seed}，本政策包对应文件 {self.seed}"
                )
            if ref not in self.clauses:
                raise SourceError(path, f"出处“{source}”引用的条款“{ref}”不在本政策包的 clauses 中")
        return self

    def source_ref(self, source: str) -> str:
        return parse_source(source)[1]

    def citing(self, ref: str) -> list[tuple[str, BaseModel]]:
        """The rules (dotted path, rule object) that cite clause ``ref``."""
        wanted = f"{self.seed} {ref}"
        return [(path, obj) for path, obj in iter_rules(self) if getattr(obj, "source", None) == wanted]


def iter_rules(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, BaseModel]]:
    """Every nested model with its dotted key path, depth first."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}{name}"
        yield from _walk(value, path)


def _walk(value: Any, path: str) -> Iterator[tuple[str, BaseModel]]:
    if isinstance(value, BaseModel):
        yield path, value
        yield from iter_rules(value, path + ".")
    elif isinstance(value, list):
        for index, element in enumerate(value):
            yield from _walk(element, f"{path}.{index}")


def iter_sources(model: BaseModel) -> Iterator[tuple[str, str]]:
    """Every ``source`` in the pack, as (dotted path of the source key, source)."""
    for path, obj in iter_rules(model):
        source = getattr(obj, "source", None)
        if isinstance(source, str):
            yield f"{path}.source", source
