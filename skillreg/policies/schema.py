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


class Item(Strict):
    """One entry of a list the document enumerates (a condition, a violation ...)."""

    key: Slug | None = None
    text: str = Field(min_length=1)
    source: Source


class Text(Rule):
    value_fields = ("text",)
    text: str | None


class Flag(Rule):
    """A yes/no the document fixes (``value``), with its wording in ``text``."""

    value_fields = ("value",)
    value: bool | None
    text: str | None = None


class Count(Rule):
    """A staffing minimum."""

    value_fields = ("min",)
    min: int | None = Field(ge=0)
    qualification: str | None = None


class Clock(Rule):
    """A working-day period. ``anchor`` says from which event it runs."""

    value_fields = ("workdays",)
    workdays: int | None = Field(ge=0)
    anchor: str | None = None
    consequence: str | None = None


class Years(Rule):
    value_fields = ("years",)
    years: int | None = Field(ge=1)
    at_least: bool = False  # 不少于 N 年
    scope: str | None = None


class Validity(Years):
    renewal: str | None = None


class ItemList(Rule):
    value_fields = ("items",)
    items: list[Item]


class Names(Rule):
    """A list of names (methods, grades ...) whose order may matter."""

    value_fields = ("items",)
    items: list[str]


# --- composite rules and sections -------------------------------------------------


class BodyKind(Rule):
    value_fields = ("kind",)
    kind: Literal["special_assessment_body", "appraisal_station", "skill_level_evaluation_body"]
    name: str


class ApplicantKind(Strict):
    key: Slug
    name: str
    scope: str | None = None  # whom it may assess, where the document says
    source: Source


class Applicants(Rule):
    value_fields = ("kinds",)
    kinds: list[ApplicantKind]
    text: str | None = None


class Tier(Strict):
    level: Literal["national", "province", "city"]
    authority: str
    region_code: RegionCode | None = None
    region_name: str | None = None
    duties: str
    levels: list[Level] | None = None  # occupational levels this tier files, if fixed
    source: Source


class Route(Strict):
    applicant: str
    submit_to: str
    reviewed_by: str | None = None
    requires: str | None = None
    source: Source


class Jurisdiction(Rule):
    value_fields = ("tiers",)
    tiers: list[Tier]
    routing: list[Route]
    report_up: str | None = None


class Staffing(Strict):
    head: Count
    managers: Count
    assessors_per_project: Count
    internal_supervisors: Flag
    ratios: Text


class Material(Strict):
    key: Slug
    name: str
    condition: str | None = None
    includes: list[str] = []
    source: Source


class Materials(Rule):
    value_fields = ("items",)
    items: list[Material]
    form: str | None = None  # the application form, when the document names it


class Clocks(Strict):
    material_check: Clock  # authority checks the filing materials
    completion: Clock  # filing decided
    supplement: Clock  # applicant completes the materials, else terminated
    candidate_entry: Clock  # candidates entered before the registration deadline
    exam_application: Clock  # exam plan and papers requested after the deadline
    evaluation_plan: Clock  # evaluation plan filed before the evaluation
    change_filing: Clock  # change materials before or after the change


class ChangeFiling(Strict):
    to_tier_authority: ItemList
    to_original_authority: ItemList
    cancellation: Text
    projects: Text


class Evaluation(Strict):
    organiser: Text
    methods: Names
    experts_random: Flag
    standard: Text
    form: Text


class Rectification(Rule):
    value_fields = ("months",)
    months: int | None = Field(ge=1)
    on_failure: str | None = None


class Grades(Rule):
    value_fields = ("levels",)
    levels: list[str]
    passing: list[str] = []


class Grading(Strict):
    grades: Grades
    periodic_evaluation: Years
    rectification: Rectification


class DirectFail(ItemList):
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


class Catalogue(Strict):
    """A list of violations that share one consequence."""

    key: Slug
    name: str
    consequence: ConsequenceCode
    steps: list[str] = Field(min_length=1)  # what the authority does, in the document's order
    graded: bool = False  # 视情节轻重: the authority picks the step by severity
    blacklist: bool = False
    publish: bool = False
    items: list[Item] = Field(min_length=1)
    source: Source


class Retention(Strict):
    paper: Years
    electronic: Years
    video: Years
    destruction: Text


class Rotation(Rule):
    """Assessor dispatch. ``consecutive_forbidden = 3``: never 3 times running at one site."""

    value_fields = ("consecutive_forbidden", "min_rotated")
    consecutive_forbidden: int | None = Field(ge=2)
    min_rotated: FractionStr | None
    dispatched_by: str | None = None

    def min_rotated_fraction(self) -> Fraction | None:
        return as_fraction(self.min_rotated)


class Similarity(Rule):
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


class PublicFields(Rule):
    value_fields = ("fields",)
    fields: list[PublicField] | None
    where: str | None = None


class Naming(Rule):
    value_fields = ("pattern",)
    pattern: str | None
    suffix: str | None = None


class Certificate(Strict):
    kind: Text
    national_numbering: Flag


class NoticeTemplate(Strict):
    key: Slug
    name: str
    outcome: Literal["filed", "terminated"]
    text: str
    source: Source


class ResultNotices(Rule):
    value_fields = ("templates",)
    templates: list[NoticeTemplate]


class OffSiteVenue(Rule):
    value_fields = ("allowed",)
    allowed: bool | None
    approval_by: str | None = None


class Conduct(Strict):
    training_separation: Flag
    off_site_venue: OffSiteVenue
    integrity_commitment: Flag
    published_rules: Flag
    fees: Text
    branch_report: Flag
    question_bank: Flag
    independent_scoring: Flag


class Supervision(Strict):
    random_inspection: Flag
    quality_supervisors: Flag
    complaints: Flag
    year_end_summary: Flag
    work_reports: Flag


class Inactivity(Rule):
    value_fields = ("years",)
    years: int | None = Field(ge=1)
    period: str | None = None  # the document's wording: 一年内 / 年度内
    consequence: str | None = None


class Call(Rule):
    value_fields = ("closing_date",)
    closing_date: datetime.date | None
    submit_to: str | None = None


class Projects(Strict):
    catalogue: Text
    new_projects: Text


class Exams(Strict):
    candidate_materials: Materials
    assessor_dispatch: Text


class Forward(Strict):
    number: str
    issuer: str
    date: datetime.date


class Document(Strict):
    number: str | None  # 文号; null when the document carries none (a draft)
    title: str
    issuer: str
    date: datetime.date | None
    year: int
    draft: bool = False
    forwarded_by: Forward | None = None
    note: str | None = None


class Region(Strict):
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
    document: Document
    region: Region
    body_kind: BodyKind
    clauses: dict[str, Annotated[str, Field(min_length=1)]] = Field(min_length=1)

    applicants: Applicants
    jurisdiction: Jurisdiction
    eligibility: ItemList
    staffing: Staffing
    materials: Materials
    clocks: Clocks
    validity: Validity
    change_filing: ChangeFiling
    evaluation: Evaluation
    grading: Grading
    direct_fail: DirectFail
    violations: list[Catalogue]
    retention: Retention
    rotation: Rotation
    similarity: Similarity
    public_fields: PublicFields
    naming: Naming
    certificate: Certificate
    result_notices: ResultNotices
    institution_code: Flag
    projects: Projects
    exams: Exams
    conduct: Conduct
    supervision: Supervision
    inactivity: Inactivity
    call: Call

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
