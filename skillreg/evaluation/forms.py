"""Page forms: they parse what a person typed; the rules stay in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms

VERDICTS = [("", "—"), ("pass", "合格"), ("fail", "不合格")]


class ScoreForm(forms.Form):
    """One row per method of the pack's evaluation form: a 0–100 score or pass/fail, with notes."""

    passed = forms.ChoiceField(label="总体意见", choices=[("", "请选择"), ("pass", "合格"), ("fail", "不合格")])
    opinion = forms.CharField(label="评估意见", required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 70}))

    def __init__(self, *args: Any, methods: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.methods = methods
        for i, method in enumerate(methods):
            # The cells sit under column headers; aria-label names the row (method) too.
            self.fields[f"score_{i}"] = forms.IntegerField(
                label="分数（0–100）", required=False, min_value=0, max_value=100,
                widget=forms.NumberInput(attrs={"aria-label": f"{method}：分数（0–100）", "class": "num-6"}))
            self.fields[f"verdict_{i}"] = forms.ChoiceField(
                label="或结论", choices=VERDICTS, required=False,
                widget=forms.Select(attrs={"aria-label": f"{method}：结论（合格/不合格）"}))
            self.fields[f"notes_{i}"] = forms.CharField(
                label="说明", required=False,
                widget=forms.Textarea(attrs={"rows": 2, "cols": 50, "aria-label": f"{method}：说明"}))

    def rows(self) -> list[tuple[str, Any, Any, Any]]:
        return [(m, self[f"score_{i}"], self[f"verdict_{i}"], self[f"notes_{i}"]) for i, m in enumerate(self.methods)]

    def items(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        out = []
        for i, method in enumerate(self.methods):
            verdict = data.get(f"verdict_{i}") or ""
            out.append({"method": method, "score": data.get(f"score_{i}"),
                        "passed": {"pass": True, "fail": False}.get(verdict),
                        "notes": data.get(f"notes_{i}", "")})
        return out


class ExpertForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    employer = forms.CharField(label="工作单位", max_length=200)
    employer_credit_code = forms.CharField(label="工作单位统一社会信用代码（可选）", max_length=18, required=False)
    specialties = forms.CharField(label="专业领域（职业/项目，每行一项）", required=False,
                                  widget=forms.Textarea(attrs={"rows": 3, "cols": 40}))
    region_code = forms.CharField(label="所在地行政区划代码", max_length=6)
    username = forms.CharField(label="登录账号（评估专家角色，可选）", max_length=150, required=False)

    def specialty_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("specialties", "").splitlines() if line.strip()]
