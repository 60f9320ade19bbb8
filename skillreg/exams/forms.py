"""Page forms: they parse what a person typed and keep it on a refusal; the rules stay in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms

from skillreg.core import clock
from skillreg.core.errors import DomainError
from skillreg.exams.idcard import id_problem

LEVELS = [("", "不分等级（专项职业能力）"), ("1", "一级/高级技师"), ("2", "二级/技师"), ("3", "三级/高级工"),
          ("4", "四级/中级工"), ("5", "五级/初级工")]


def refusal_text(exc: DomainError) -> str:
    return f"{exc.message}（{exc.source}）" if exc.source else exc.message


class DomainForm(forms.Form):
    """A form that puts a service's refusal next to the field it names (else at the top)."""

    field_aliases: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)

    def add_refusal(self, exc: DomainError) -> None:
        name = self.field_aliases.get(exc.field or "", exc.field)
        self.add_error(name if name in self.fields else None, refusal_text(exc))


class _CertificateFields(forms.Form):
    scope_name = forms.CharField(label="证书职业（工种）或项目", max_length=100)
    level = forms.TypedChoiceField(label="证书等级", choices=LEVELS, required=False, coerce=int,
                                   empty_value=None)
    number = forms.CharField(label="证书编号", max_length=50)
    valid_until = forms.DateField(label="证书有效期至", widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text="格式 YYYY-MM-DD")


def _id_number(value: str) -> str:
    """GB 11643 checked as the form is read, so the message says which part is wrong."""
    if value:
        problem = id_problem(value, today=clock.today())
        if problem:
            raise forms.ValidationError(problem)
    return value.strip().upper()


def _region_code(value: str) -> str:
    value = value.strip()
    if len(value) != 6 or not value.isdigit():
        raise forms.ValidationError("应为 6 位数字的行政区划代码，如 511902")
    return value


class AssessorForm(DomainForm, _CertificateFields):
    """A new assessor and their first certificate (without one they cannot be dispatched)."""

    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号码", max_length=30,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    region_code = forms.CharField(label="所属地区（6 位行政区划代码）", max_length=10)
    employer_name = forms.CharField(label="工作单位", max_length=200, required=False)
    employer_credit_code = forms.CharField(label="所在考核机构统一社会信用代码（如任职于考核机构）", max_length=18,
                                           required=False, help_text="选派时回避该机构的考核")
    username = forms.CharField(label="登录账号（考评员角色，可选）", max_length=150, required=False)

    field_order = ["name", "id_number", "region_code", "employer_name", "employer_credit_code", "username",
                   "scope_name", "level", "number", "valid_until"]
    field_aliases = {"credit_code": "employer_credit_code"}

    def clean_id_number(self) -> str:
        return _id_number(self.cleaned_data["id_number"])

    def clean_region_code(self) -> str:
        return _region_code(self.cleaned_data["region_code"])


class AssessorEditForm(DomainForm):
    name = forms.CharField(label="姓名", max_length=50)
    # Offered only where the record has no number yet (the view removes it otherwise).
    id_number = forms.CharField(label="身份证号码（补录）", max_length=30, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    region_code = forms.CharField(label="所属地区（6 位行政区划代码）", max_length=10)
    employer_name = forms.CharField(label="工作单位", max_length=200, required=False)
    employer_credit_code = forms.CharField(label="所在考核机构统一社会信用代码（如任职于考核机构）", max_length=18,
                                           required=False)
    username = forms.CharField(label="登录账号（考评员角色，可选）", max_length=150, required=False)
    field_aliases = {"credit_code": "employer_credit_code"}

    def clean_id_number(self) -> str:
        return _id_number(self.cleaned_data.get("id_number", ""))

    def clean_region_code(self) -> str:
        return _region_code(self.cleaned_data["region_code"])


class CertificateForm(DomainForm, _CertificateFields):
    pass


class ReasonForm(DomainForm):
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 2, "cols": 50}))


class OffSiteVenueForm(DomainForm):
    name = forms.CharField(label="考点名称", max_length=200)
    address = forms.CharField(label="地址", max_length=300)
    region_code = forms.CharField(label="所在地行政区划代码（6 位）", max_length=10)
    rooms = forms.IntegerField(label="考场数", min_value=1, initial=1)
    capacity = forms.IntegerField(label="可容纳考生数", min_value=1)
    reason = forms.CharField(label="需在备案场地外考核的理由", widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))

    def clean_region_code(self) -> str:
        return _region_code(self.cleaned_data["region_code"])


class VenueDecisionForm(DomainForm):
    reason = forms.CharField(label="核实意见（未通过时必填）", required=False,
                             widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))


class _TrainingFields(DomainForm):
    title = forms.CharField(label="培训班名称", max_length=200)
    trained_from = forms.DateField(label="培训开始日期（可选）", required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    trained_until = forms.DateField(label="培训结束日期（可选）", required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("trained_from"), data.get("trained_until")
        if start and end and end < start:
            self.add_error("trained_until", "培训结束日期不能早于开始日期")
        return data


class TrainingRosterForm(_TrainingFields):
    trainees = forms.CharField(
        label="培训学员（每行一人：姓名 身份证号码）",
        widget=forms.Textarea(attrs={"rows": 8, "cols": 50, "autocomplete": "off"}))

    def trainee_list(self) -> list[tuple[str, str]]:
        """Each non-empty line as (name, number); a line without both is kept for the error."""
        out = []
        for line in self.cleaned_data.get("trainees", "").splitlines():
            parts = line.replace(",", " ").replace("，", " ").replace("\t", " ").split()
            if not parts:
                continue
            out.append((" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else ("", parts[0]))
        return out


class TrainingImportForm(_TrainingFields):
    file = forms.FileField(label="培训学员名册（.xlsx，列：姓名、身份证号码）")
