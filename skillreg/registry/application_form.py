"""The content of an application (备案表 / 申请表), one shape for every regime.

001 附件1–6 is the richest form (scope by occupation and level with own-assessor counts,
theory rooms, practical and inspection sites with equipment, the staff roster, the assessor
and quality-supervisor roster, two commitment letters, the list of rules); the other regimes
use the parts their documents ask for. Drafts may be incomplete: every field is optional
here, and the eligibility report says what is still missing before submission.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

LEVELS = {5: "初级", 4: "中级", 3: "高级", 2: "技师", 1: "高级技师"}
TITLE_RANKS = {"无": 0, "初级": 1, "中级": 2, "副高级": 3, "正高级": 4}


class Part(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ScopeItem(Part):
    """An occupation (工种) with its levels, or a special project (专项职业能力考核项目)."""

    name: str = Field(min_length=1, max_length=100, title="职业（工种）或项目名称")
    occupation_code: str | None = Field(default=None, max_length=20, title="职业编码")
    levels: list[Annotated[int, Field(ge=1, le=5)]] = Field(
        default_factory=list, title="鉴定级别（5 初级 … 1 高级技师）")
    assessors: int = Field(default=0, ge=0, le=10000, title="自有考评员数量")


class Equipment(Part):
    name: str = Field(min_length=1, max_length=100, title="设备名称")
    model: str = Field(default="", max_length=100, title="型号、规格")
    unit: str = Field(default="", max_length=20, title="单位")
    quantity: int = Field(default=1, ge=0, le=1_000_000, title="数量")


class Site(Part):
    count: int = Field(default=0, ge=0, le=10000, title="数量")
    area: float = Field(default=0, ge=0, le=10_000_000, title="面积（平方米）")
    equipment: list[Equipment] = Field(default_factory=list)


StaffRole = Literal["head", "deputy", "office_head", "contact", "manager", "staff", "finance"]
STAFF_ROLES = {
    "head": "所（站）长/负责人", "deputy": "副所（站）长", "office_head": "办公室主任",
    "contact": "业务联系人", "manager": "考核管理人员", "staff": "主要工作人员", "finance": "财务管理人员",
}


class StaffMember(Part):
    role: StaffRole
    name: str = Field(min_length=1, max_length=50)
    gender: str = Field(default="", max_length=4)
    age: int | None = Field(default=None, ge=16, le=100)
    qualification: str = Field(default="", max_length=100, title="职业资格")
    education: str = Field(default="", max_length=50, title="文化程度")
    title: str = Field(default="无", max_length=20, title="专业技术职务资格")
    phone: str = Field(default="", max_length=30)
    full_time: bool = Field(default=True, title="专职")


class AssessorEntry(Part):
    kind: Literal["assessor", "supervisor"] = Field(title="考评员/质量督导员")
    name: str = Field(min_length=1, max_length=50)
    gender: str = Field(default="", max_length=4)
    age: int | None = Field(default=None, ge=16, le=100)
    education: str = Field(default="", max_length=50)
    post: str = Field(default="", max_length=50, title="职务")
    title: str = Field(default="", max_length=50, title="专业技术职务（职业资格）")
    scope: list[str] = Field(default_factory=list, title="考评职业或项目")
    certificate_no: str = Field(default="", max_length=50, title="考评员证件编号")
    certified_on: str = Field(default="", max_length=10, title="取得资格时间")
    phone: str = Field(default="", max_length=30)
    internal: bool = Field(default=True, title="内部人员")


class Commitments(Part):
    truthfulness: bool = Field(default=False, title="备案材料填写内容真实性承诺书")
    conduct: bool = Field(default=False, title="规范运行承诺书 / 诚信承诺书")


class ApplicationForm(Part):
    station_name: str = Field(default="", max_length=200, title="鉴定所（站）/考核机构名称")
    scope: list[ScopeItem] = Field(default_factory=list)
    theory_rooms: Site = Field(default_factory=Site, title="理论考试场地（应知考场）")
    practical_sites: Site = Field(default_factory=Site, title="操作技能考核场地（应会考场）")
    inspection_sites: Site = Field(default_factory=Site, title="检验场地")
    staff: list[StaffMember] = Field(default_factory=list)
    assessors: list[AssessorEntry] = Field(default_factory=list)
    commitments: Commitments = Field(default_factory=Commitments)
    rules: list[str] = Field(default_factory=list, title="规章制度")
    feasibility: str = Field(default="", max_length=5000, title="可行性说明 / 基本情况")

    def levels(self) -> set[int]:
        return {level for item in self.scope for level in item.levels}

    def staff_in(self, *roles: str) -> list[StaffMember]:
        return [m for m in self.staff if m.role in roles]

    def certified_assessors_for(self, name: str) -> list[AssessorEntry]:
        return [a for a in self.assessors
                if a.kind == "assessor" and a.certificate_no and (not a.scope or name in a.scope)]
