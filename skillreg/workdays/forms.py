from __future__ import annotations

from typing import Any

from django import forms

from skillreg.workdays.calendar import MAX_WORKDAYS
from skillreg.workdays.models import MAX_YEAR, MIN_YEAR
from skillreg.workdays.services import NOTE_MAX_LENGTH

# Uploaded schedules are a few dozen lines; anything larger is the wrong file.
MAX_UPLOAD_BYTES = 64 * 1024


class CalculatorForm(forms.Form):
    start = forms.DateField(
        label="事件发生之日",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写日期", "invalid": "日期无效，应为 YYYY-MM-DD"},
        help_text="当日不计入",
    )
    days = forms.IntegerField(
        label="工作日数",
        min_value=0,
        max_value=MAX_WORKDAYS,
        widget=forms.NumberInput(attrs={"min": 0, "max": MAX_WORKDAYS}),
        error_messages={
            "required": "请填写工作日数",
            "invalid": "工作日数应为整数",
            "min_value": "工作日数不能为负数",
            "max_value": f"工作日数不能超过 {MAX_WORKDAYS}",
        },
    )


class EnterYearForm(forms.Form):
    year = forms.IntegerField(
        label="年度",
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={
            "required": "请填写年度",
            "invalid": "年度应为整数",
            "min_value": f"年度应在 {MIN_YEAR}–{MAX_YEAR} 之间",
            "max_value": f"年度应在 {MIN_YEAR}–{MAX_YEAR} 之间",
        },
    )
    note = forms.CharField(
        label="依据",
        max_length=NOTE_MAX_LENGTH,
        help_text="国务院办公厅通知文号，或更正的原因",
        error_messages={"required": "请填写依据（如国务院办公厅通知文号）"},
    )
    lines = forms.CharField(
        label="安排（每行一天）",
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 18, "cols": 48,
                "placeholder": "2027-01-01,休,元旦\n2027-02-07,班,春节调休上班",
            }
        ),
        help_text="每行：日期,休或班,名称",
    )
    upload = forms.FileField(
        label="或上传 CSV 文件",
        required=False,
        help_text="UTF-8 编码，列为 date,is_workday,name",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("upload")
        if upload is not None:
            if data.get("lines", "").strip():
                raise forms.ValidationError("请在文本框和上传文件中任选其一")
            if upload.size > MAX_UPLOAD_BYTES:
                self.add_error("upload", "文件过大（不超过 64 KB）")
                return data
            try:
                data["lines"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("upload", "文件不是 UTF-8 编码，请另存为 UTF-8 的 CSV")
        elif not data.get("lines", "").strip():
            self.add_error("lines", "请填写该年度的安排，或上传 CSV 文件")
        return data
