"""Page forms of the applicant: organisation registration, and the application form (备案表).

The application form is one small form per block and one formset per list, in the order of
001 附件1–6. ``ApplicationEditor`` turns them into the shape of
``registry.application_form.ApplicationForm`` for ``application_save_draft``, and puts a
refusal of the service back next to the row and field it names. The rules live in the
services and the pydantic model; these forms only parse what was typed and keep it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from skillreg.accounts.models import Authority, User
from skillreg.core.errors import InvalidInput
from skillreg.policies.registry import all_packs
from skillreg.policies.schema import Pack
from skillreg.registry.application_form import LEVELS, STAFF_ROLES, TITLE_RANKS, ApplicationForm, Site
from skillreg.registry.models import Application, BodyKind
from skillreg.registry.services.registration import region_prefix
from skillreg.registry.validators import clean_credit_code

# ---------------------------------------------------------------- registration


def region_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Where an organisation may be: the cities and counties whose 人社 department is set up,
    grouped by province (GB/T 2260 codes)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    seen: set[str] = set()
    qs = (Authority.objects.filter(kind=Authority.Kind.HRSS,
                                   level__in=[Authority.Level.CITY, Authority.Level.COUNTY])
          .select_related("parent__parent").order_by("region_code"))
    for authority in qs:
        if authority.region_code in seen:
            continue
        seen.add(authority.region_code)
        chain = []
        node: Authority | None = authority
        while node is not None:
            chain.append(node.region_name)
            node = node.parent
        province = chain[-1]
        label = " ".join(reversed(chain[:-1])) or authority.region_name
        groups.setdefault(province, []).append((authority.region_code, f"{label}（{authority.region_code}）"))
    return list(groups.items())


class PackSelect(forms.Select):
    """A select whose options carry the region prefix their pack covers, for the page's script
    to offer only the packs of the chosen location (the server checks it again)."""

    def __init__(self, *args: Any, prefixes: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prefixes = prefixes or {}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.prefixes:
            option["attrs"]["data-region-prefix"] = self.prefixes[str(value)]
        return option


phone_validator = RegexValidator(r"^[0-9+\-() 转]{5,30}$", "请填写有效的电话号码")


class RegistrationForm(forms.Form):
    name = forms.CharField(label="单位名称（全称）", max_length=200,
                           help_text="与营业执照或登记证书一致；鉴定所（站）名称由单位全称加后缀组成")
    credit_code = forms.CharField(label="统一社会信用代码", max_length=30,
                                  help_text="18 位，最后一位为校验码（GB 32100-2015）")
    legal_representative = forms.CharField(label="法定代表人", max_length=50)
    registration_number = forms.CharField(label="营业执照/登记证书号码", max_length=50, required=False,
                                          help_text="与统一社会信用代码相同的可不填")
    registration_issuer = forms.CharField(label="发证机关", max_length=100)
    address = forms.CharField(label="地址", max_length=300)
    region_code = forms.ChoiceField(label="所在地", help_text="决定受理注册的人力资源社会保障部门和可适用的政策")
    contact_person = forms.CharField(label="联系人", max_length=50)
    contact_phone = forms.CharField(label="联系电话", max_length=30, validators=[phone_validator])
    contact_email = forms.EmailField(label="电子邮箱", required=False)
    body_kind = forms.ChoiceField(label="单位类别", choices=[("", "请选择"), *BodyKind.choices])
    pack_id = forms.ChoiceField(label="适用政策（备案制度）")
    username = forms.CharField(label="登录用户名", max_length=150, validators=[UnicodeUsernameValidator()],
                               help_text="字母、数字或 @ . + - _，不超过 150 个字符")
    password1 = forms.CharField(label="密码", strip=False, widget=forms.PasswordInput,
                                help_text="至少 8 位，不能全为数字，不能过于常见或与用户名相近")
    password2 = forms.CharField(label="再次输入密码", strip=False, widget=forms.PasswordInput)

    # The service names its fields as the model does; the password is typed twice here.
    SERVICE_FIELDS: ClassVar[dict[str, str]] = {"password": "password1"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region_code"].choices = [("", "请选择"), *region_choices()]  # type: ignore[attr-defined]
        packs = all_packs()
        pack_field = self.fields["pack_id"]
        pack_field.choices = [("", "请选择")] + [  # type: ignore[attr-defined]
            (p.id, f"{p.title}（{p.region.name}）") for p in packs]
        pack_field.widget = PackSelect(choices=pack_field.choices,  # type: ignore[attr-defined]
                                       prefixes={p.id: region_prefix(p.region.code) for p in packs})

    def clean_credit_code(self) -> str:
        try:
            return clean_credit_code(self.cleaned_data["credit_code"])
        except InvalidInput as exc:
            raise ValidationError(exc.message, code=exc.code) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "两次输入的密码不一致")
        elif first:
            probe = User(username=data.get("username", ""), display_name=data.get("contact_person", ""))
            try:
                password_validation.validate_password(first, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["password"] = data.pop("password1")
        data.pop("password2")
        return data

    def add_service_error(self, exc: InvalidInput) -> None:
        name = self.SERVICE_FIELDS.get(exc.field or "", exc.field)
        self.add_error(name if name in self.fields else None, exc.message)


# ---------------------------------------------------------------- the application form

LEVEL_CHOICES = [(level, LEVELS[level]) for level in sorted(LEVELS, reverse=True)]  # 初级 … 高级技师
GENDER_CHOICES = [("", "—"), ("男", "男"), ("女", "女")]
ASSESSOR_KINDS = [("assessor", "考评员"), ("supervisor", "质量督导员")]
LIST_SPLIT = re.compile(r"[、,，;；\n]+")


def _small(size: int, **attrs: Any) -> dict[str, Any]:
    return {"size": size, **attrs}


def _blank(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value in (None, [], ())


class RowForm(forms.Form):
    """One row of a list. A row with nothing typed in its ``content_fields`` is skipped rather
    than refused: the spare rows, and a 附件2 role printed with no name, are not errors."""

    content_fields: ClassVar[tuple[str, ...]] = ()
    # Selects whose stored value may be one the choices do not list (free text in the model).
    open_choices: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, section: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section = section
        self.label_cells()
        for name in self.open_choices:
            value = self.initial.get(name) or (self.data.get(self.add_prefix(name)) if self.is_bound else None)
            choices = list(self.fields[name].choices)  # type: ignore[attr-defined]
            if value and value not in [c[0] for c in choices]:
                self.fields[name].choices = [*choices, (value, value)]  # type: ignore[attr-defined]

    def label_cells(self) -> None:
        """A table cell's column header does not say which row it is in: name each field
        “<section>第 n 行：<column>” (aria-label), the template row “<section>新增行：<column>”."""
        index = (self.prefix or "").rsplit("-", 1)[-1]
        row = f"{self.section}第 {int(index) + 1} 行" if index.isdigit() else f"{self.section}新增行"
        for name, f in self.fields.items():
            if isinstance(f.widget, (forms.CheckboxSelectMultiple, forms.MultipleHiddenInput, forms.HiddenInput)):
                continue  # each level checkbox has its own <label>; hidden fields need none
            f.widget.attrs["aria-label"] = f"{row}：{'删除本行' if name == 'DELETE' else f.label}"

    def has_changed(self) -> bool:
        return any(not _blank(self[name].data) for name in self.content_fields)

    def item(self) -> dict[str, Any]:
        """The row as the model's list entry."""
        return {k: v for k, v in self.cleaned_data.items() if k != "DELETE"}


class BaseRowFormSet(forms.BaseFormSet):
    section = ""  # the list's name, for the rows' field labels (RowForm.label_cells)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        # Every row, stored or new, may be left blank: blank means "not there" (see RowForm).
        return {**super().get_form_kwargs(index), "empty_permitted": True, "section": self.section}

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)  # adds DELETE after the row form labelled its own fields
        if isinstance(form, RowForm):
            form.label_cells()

    @staticmethod
    def is_deleted(form: forms.Form) -> bool:
        return bool(getattr(form, "cleaned_data", {}).get("DELETE"))

    def rows(self) -> Iterator[RowForm]:
        """The rows that count, in order: filled in and not marked for deletion."""
        for form in self.forms:
            if form.cleaned_data and not self.is_deleted(form):
                yield form


class ScopeRowForm(RowForm):
    name = forms.CharField(label="职业（工种）名称", max_length=100, widget=forms.TextInput(_small(14)))
    occupation_code = forms.CharField(label="职业编码", max_length=20, required=False,
                                      widget=forms.TextInput(_small(10, placeholder="如 6-31-01-03")))
    levels = forms.TypedMultipleChoiceField(label="鉴定级别", choices=LEVEL_CHOICES, coerce=int, required=False,
                                            widget=forms.CheckboxSelectMultiple(attrs={"class": "levels"}))
    assessors = forms.IntegerField(label="自有考评员数量", min_value=0, max_value=10000, required=False,
                                   widget=forms.NumberInput({"class": "num-6"}))
    content_fields = ("name", "occupation_code", "levels", "assessors")

    def __init__(self, *args: Any, uses_levels: bool = True, scope_label: str = "职业（工种）",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = f"{scope_label}名称"
        if not uses_levels:
            # Special projects have no levels; any stored ones ride along unseen.
            self.fields["levels"].widget = forms.MultipleHiddenInput()
        self.label_cells()  # again: the name column's label depends on the pack

    def item(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"name": d["name"], "occupation_code": d["occupation_code"] or None,
                "levels": sorted(d["levels"], reverse=True), "assessors": d["assessors"] or 0}


class EquipmentRowForm(RowForm):
    name = forms.CharField(label="设备名称", max_length=100, widget=forms.TextInput(_small(18)))
    model = forms.CharField(label="型号、规格", max_length=100, required=False, widget=forms.TextInput(_small(14)))
    unit = forms.CharField(label="单位", max_length=20, required=False,
                           widget=forms.TextInput(_small(4, placeholder="台")))
    quantity = forms.IntegerField(label="数量", min_value=0, max_value=1_000_000,
                                  widget=forms.NumberInput({"class": "num-7"}))
    content_fields = ("name", "model", "unit", "quantity")



class StaffRowForm(RowForm):
    role = forms.ChoiceField(label="拟任职务", choices=[("", "请选择"), *STAFF_ROLES.items()])
    name = forms.CharField(label="姓名", max_length=50, widget=forms.TextInput(_small(8)))
    gender = forms.ChoiceField(label="性别", choices=GENDER_CHOICES, required=False)
    age = forms.IntegerField(label="年龄", min_value=16, max_value=100, required=False,
                             widget=forms.NumberInput({"class": "num-5"}))
    qualification = forms.CharField(label="职业资格", max_length=100, required=False,
                                    widget=forms.TextInput(_small(10)))
    education = forms.CharField(label="文化程度", max_length=50, required=False, widget=forms.TextInput(_small(6)))
    title = forms.ChoiceField(label="专业技术职务资格", choices=[(t, t) for t in TITLE_RANKS], initial="无")
    phone = forms.CharField(label="联系电话", max_length=30, required=False, widget=forms.TextInput(_small(12)))
    full_time = forms.BooleanField(label="专职", required=False, initial=True)
    content_fields = ("name", "gender", "age", "qualification", "education", "phone")
    open_choices = ("gender", "title")


class AssessorRowForm(RowForm):
    kind = forms.ChoiceField(label="考评员/质量督导员", choices=ASSESSOR_KINDS, initial="assessor")
    name = forms.CharField(label="姓名", max_length=50, widget=forms.TextInput(_small(8)))
    gender = forms.ChoiceField(label="性别", choices=GENDER_CHOICES, required=False)
    age = forms.IntegerField(label="年龄", min_value=16, max_value=100, required=False,
                             widget=forms.NumberInput({"class": "num-5"}))
    education = forms.CharField(label="文化程度", max_length=50, required=False, widget=forms.TextInput(_small(6)))
    post = forms.CharField(label="职务", max_length=50, required=False, widget=forms.TextInput(_small(6)))
    title = forms.CharField(label="专业技术职务（职业资格）", max_length=50, required=False,
                            widget=forms.TextInput(_small(10)))
    scope = forms.CharField(label="考评职业或项目", max_length=500, required=False,
                            help_text="与申请范围中的名称一致，多个用“、”分隔；留空表示全部",
                            widget=forms.TextInput(_small(12, placeholder="电工、焊工")))
    certificate_no = forms.CharField(label="考评员证件编号", max_length=50, required=False,
                                     widget=forms.TextInput(_small(12)))
    certified_on = forms.CharField(label="取得资格时间", max_length=10, required=False,
                                   widget=forms.TextInput(_small(8, placeholder="2019-06")))
    phone = forms.CharField(label="联系电话", max_length=30, required=False, widget=forms.TextInput(_small(12)))
    internal = forms.BooleanField(label="内部人员", required=False, initial=True)
    content_fields = ("name", "gender", "age", "education", "post", "title", "scope", "certificate_no",
                      "certified_on", "phone")
    open_choices = ("gender",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = kwargs.get("initial")
        if initial and isinstance(initial.get("scope"), list):
            kwargs["initial"] = {**initial, "scope": "、".join(initial["scope"])}
        super().__init__(*args, **kwargs)

    def item(self) -> dict[str, Any]:
        d = super().item()
        d["scope"] = [s.strip() for s in LIST_SPLIT.split(d["scope"]) if s.strip()]
        return d


def _formset(form: type[RowForm]) -> type[BaseRowFormSet]:
    made = forms.formset_factory(form, formset=BaseRowFormSet, extra=3, can_delete=True,
                                 max_num=500, absolute_max=600)
    return made  # type: ignore[return-value]


ScopeFormSet = _formset(ScopeRowForm)
EquipmentFormSet = _formset(EquipmentRowForm)
StaffFormSet = _formset(StaffRowForm)
AssessorFormSet = _formset(AssessorRowForm)


class StationForm(forms.Form):
    station_name = forms.CharField(label="鉴定所（站）名称", max_length=200, required=False,
                                   widget=forms.TextInput(attrs={"size": 50}))
    truthfulness = forms.BooleanField(label="备案材料填写内容真实性承诺", required=False)
    conduct = forms.BooleanField(label="规范运行承诺（诚信承诺）", required=False)
    rules = forms.CharField(label="规章制度", required=False,
                            help_text="每行一项，如“考务管理制度”“安全、消防应急预案”",
                            widget=forms.Textarea(attrs={"rows": 6, "cols": 60}))
    feasibility = forms.CharField(label="可行性说明 / 基本情况", max_length=5000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 5, "cols": 80}))


class SiteForm(forms.Form):
    count = forms.IntegerField(label="数量", min_value=0, max_value=10000, required=False,
                               widget=forms.NumberInput(attrs={"class": "num-7"}))
    area = forms.FloatField(label="面积（平方米）", min_value=0, max_value=10_000_000, required=False,
                            widget=forms.NumberInput(attrs={"class": "num-9", "step": "any"}))


@dataclass(frozen=True)
class Letter:
    title: str
    text: str
    source: str


@dataclass(frozen=True)
class Layout:
    """What the pack's form shows and how it names things."""

    station_label: str
    scope_label: str
    uses_levels: bool
    uses_inspection: bool
    naming_pattern: str | None
    naming_source: str | None
    naming_examples: list[str]
    letters: list[Letter]
    commitment_text: str | None
    commitment_source: str | None
    annex: dict[str, str]


# The 备案表 of 001 is 附件1 with its own 附件2–6; each section of the page names its part.
SC_ANNEXES = {"station": "备案表", "scope": "备案表", "sites": "备案表（鉴定场地设施情况）",
              "staff": "附件2", "assessors": "附件3", "commitments": "附件4、附件5", "rules": "附件6"}
# 001 附件1之附件4 / 附件5: the two commitment letters, quoted from the pack where it holds them.
LETTER_CLAUSES = ("附件1之附件4", "附件1之附件5")


def layout_for(pack: Pack, institution_name: str, current: ApplicationForm) -> Layout:
    kind = pack.body_kind.kind
    naming = pack.naming
    suffixes = [naming.suffix] if naming.suffix else []
    if naming.suffix and naming.suffix.endswith("所（站）"):
        # 001 五(一) “职业技能考核鉴定所（站）”: either 所 or 站.
        stem = naming.suffix.removesuffix("所（站）")
        suffixes = [stem + "所", stem + "站"]
    letters = [Letter(pack.clauses[ref].splitlines()[0], "\n".join(pack.clauses[ref].splitlines()[1:]),
                      f"{pack.seed} {ref}") for ref in LETTER_CLAUSES if ref in pack.clauses]
    commitment = pack.conduct.integrity_commitment
    return Layout(
        station_label=f"{pack.body_kind.name}名称",
        scope_label="专项职业能力考核项目" if kind == "special_assessment_body" else "职业（工种）",
        uses_levels=kind != "special_assessment_body",
        # 001 附件1 asks for 检验场地 of an appraisal station; keep showing any already filled in.
        uses_inspection=kind == "appraisal_station" or current.inspection_sites != Site(),
        naming_pattern=naming.pattern, naming_source=naming.source,
        naming_examples=[institution_name + s for s in suffixes],
        letters=letters, commitment_text=commitment.text, commitment_source=commitment.source,
        annex=SC_ANNEXES if pack.seed == "001" else {},
    )


SITES = (
    ("theory_rooms", "理论知识考试场地（应知考场）", "教室数量"),
    ("practical_sites", "操作技能考核场地（应会考场）", "场地数量"),
    ("inspection_sites", "检验场地", "场地数量"),
)

# Where each list of the model lives in the pages: (path, section title, row label).
SECTION_TITLES = {
    "scope": "申请范围", "staff": "管理人员名册", "assessors": "考评员和质量督导员名册",
    "theory_rooms": "理论知识考试场地", "practical_sites": "操作技能考核场地", "inspection_sites": "检验场地",
}


@dataclass
class SiteBlock:
    key: str
    title: str
    count_label: str
    form: SiteForm
    equipment: BaseRowFormSet


@dataclass
class ErrorLine:
    section: str
    row: int | None
    label: str
    message: str
    anchor: str


@dataclass
class ApplicationEditor:
    """The application form's page forms, bound to the posted data or to the stored form."""

    application: Application
    pack: Pack
    data: Any = None
    readonly: bool = False
    layout: Layout = field(init=False)

    def __post_init__(self) -> None:
        current = ApplicationForm.model_validate(self.application.form)
        self.current = current
        self.layout = layout_for(self.pack, self.application.institution.name, current)
        data = None if self.readonly else self.data
        self.main = StationForm(data, prefix="main", initial={
            "station_name": current.station_name, "truthfulness": current.commitments.truthfulness,
            "conduct": current.commitments.conduct, "rules": "\n".join(current.rules),
            "feasibility": current.feasibility,
        })
        self.main.fields["station_name"].label = self.layout.station_label
        if self.layout.naming_examples:
            self.main.fields["station_name"].widget.attrs["placeholder"] = self.layout.naming_examples[0]
        self.sites = []
        for key, title, count_label in SITES:
            if key == "inspection_sites" and not self.layout.uses_inspection:
                continue
            site: Site = getattr(current, key)
            site_form = SiteForm(data, prefix=key, initial={"count": site.count or None,
                                                            "area": _number(site.area) or None})
            site_form.fields["count"].label = count_label
            equipment = EquipmentFormSet(data, prefix=f"{key}-equipment",
                                         initial=[e.model_dump() for e in site.equipment])
            self.sites.append(SiteBlock(key, title, count_label, site_form, self._extra(equipment, 2)))
        self.scope = self._extra(ScopeFormSet(data, prefix="scope", initial=[i.model_dump() for i in current.scope],
                                              form_kwargs={"uses_levels": self.layout.uses_levels,
                                                           "scope_label": self.layout.scope_label}), 3)
        # 附件2 prints the roles in order; an empty roster starts from them.
        staff_initial = [m.model_dump() for m in current.staff] or [
            {"role": role} for role in ("head", "deputy", "office_head", "contact", "manager", "manager",
                                        "staff", "finance")]
        self.staff = self._extra(StaffFormSet(data, prefix="staff", initial=staff_initial),
                                 2 if current.staff else 0)
        self.assessors = self._extra(AssessorFormSet(data, prefix="assessors",
                                                     initial=[a.model_dump() for a in current.assessors]), 3)
        self._name_sections()
        if self.readonly:
            for form in self._all_forms():
                for f in form.fields.values():
                    f.disabled = True

    def _name_sections(self) -> None:
        # Each row's fields are named “<section>第 n 行：<column>” for screen readers (RowForm).
        sections = {"scope": f"申请范围（{self.layout.scope_label}）", "staff": "管理人员名册",
                    "assessors": "考评员和质量督导员名册"}
        sections.update({f"{b.key}.equipment": f"{b.title}设备" for b in self.sites})
        for key, formset in self.formsets():
            formset.section = sections.get(key, "")

    def _extra(self, formset: BaseRowFormSet, extra: int) -> BaseRowFormSet:
        # Spare blank rows for pages without script; none on a read-only page.
        formset.extra = 0 if self.readonly else extra
        return formset

    def formsets(self) -> list[tuple[str, BaseRowFormSet]]:
        return [("scope", self.scope), *((f"{b.key}.equipment", b.equipment) for b in self.sites),
                ("staff", self.staff), ("assessors", self.assessors)]

    def _all_forms(self) -> Iterator[forms.Form]:
        yield self.main
        for block in self.sites:
            yield block.form
        for _, formset in self.formsets():
            yield from formset.forms
            yield formset.empty_form

    def is_valid(self) -> bool:
        results = [self.main.is_valid(), *(b.form.is_valid() for b in self.sites),
                   *(fs.is_valid() for _, fs in self.formsets())]
        return all(results)

    def form_data(self) -> dict[str, Any]:
        """The ``ApplicationForm`` content; also remembers which row produced which list entry."""
        self._origins: dict[str, forms.Form] = {}
        main = self.main.cleaned_data
        data: dict[str, Any] = {
            "station_name": main["station_name"],
            "commitments": {"truthfulness": main["truthfulness"], "conduct": main["conduct"]},
            "rules": [line.strip() for line in main["rules"].splitlines() if line.strip()],
            "feasibility": main["feasibility"],
            "theory_rooms": self.current.theory_rooms.model_dump(),
            "practical_sites": self.current.practical_sites.model_dump(),
            "inspection_sites": self.current.inspection_sites.model_dump(),
        }
        for key in ("station_name", "commitments", "rules", "feasibility"):
            self._origins[key] = self.main
        for block in self.sites:
            d = block.form.cleaned_data
            data[block.key] = {"count": d["count"] or 0, "area": d["area"] or 0,
                               "equipment": self._items(block.equipment, f"{block.key}.equipment")}
            self._origins[block.key] = block.form
        data["scope"] = self._items(self.scope, "scope")
        data["staff"] = self._items(self.staff, "staff")
        data["assessors"] = self._items(self.assessors, "assessors")
        return data

    def _items(self, formset: BaseRowFormSet, path: str) -> list[dict[str, Any]]:
        items = []
        for index, form in enumerate(formset.rows()):
            self._origins[f"{path}.{index}"] = form
            items.append(form.item())
        return items

    def add_service_error(self, exc: InvalidInput) -> None:
        """Put the service's refusal next to the row and field its path names (``scope.1.name``)."""
        path = exc.field or ""
        origins = getattr(self, "_origins", {})
        parts = path.split(".")
        for cut in range(len(parts), 0, -1):
            form = origins.get(".".join(parts[:cut]))
            if form is not None:
                rest = parts[cut:]
                name = rest[0] if rest and rest[0] in form.fields else None
                if name is None and cut and parts[cut - 1] in form.fields:
                    name = parts[cut - 1]
                form.add_error(name, exc.message)
                return
        self.main.add_error(None, exc.message)

    def error_lines(self) -> list[ErrorLine]:
        """Every error of the page, with the section, row and field it belongs to."""
        lines: list[ErrorLine] = []

        def collect(form: forms.Form, section: str, row: int | None, anchor: str) -> None:
            for name, errors in form.errors.items():
                label = str(form.fields[name].label) if name in form.fields else "整行"
                lines.extend(ErrorLine(section, row, label, str(e), anchor) for e in errors)

        collect(self.main, "基本信息", None, "section-station")
        for block in self.sites:
            collect(block.form, block.title, None, f"section-{block.key}")
        for path, formset in self.formsets():
            section = SECTION_TITLES.get(path.split(".")[0], path)
            if path.endswith("equipment"):
                section += "设备"
            for message in formset.non_form_errors():
                lines.append(ErrorLine(section, None, "整表", str(message), f"{formset.prefix}-table"))
            for index, form in enumerate(formset.forms):
                if self.readonly or not form.is_bound or formset.is_deleted(form):
                    continue
                collect(form, section, index + 1, f"{formset.prefix}-row-{index}")
        return lines


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value
