from __future__ import annotations

from typing import Any

from django import forms

from skillreg.archives import similarity
from skillreg.archives.models import ArchiveCategory, ArchiveKind, DestructionMethod
from skillreg.registry.models import Institution


class _InstitutionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.pack_id}）"


class ScreeningForm(forms.Form):
    institution = _InstitutionField(label="考核机构", queryset=Institution.objects.none())
    title = forms.CharField(label="考试场次", max_length=200)
    file = forms.FileField(label="答卷文件（CSV 或 .xlsx）",
                           help_text="第 1 列考生编号，第 2 列考场编号，其后每列一道题的选项"
                                     "（1–9 或 A–I，空白为未作答）。")
    key = forms.CharField(label="标准答案（可选）", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                          help_text="按题序填写，逗号或空格分隔；不填则以各题选择人数最多的选项推定标准答案。")
    alpha = forms.FloatField(label="显著性水平 α", initial=similarity.DEFAULT_ALPHA, min_value=1e-9, max_value=0.049,
                             help_text="一个诚实作答的考场被误判出现异常雷同答卷对的概率上限。")

    def __init__(self, *args: Any, institutions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]


class _SittingField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title}（{obj.institution.name}，{obj.exam_start:%Y-%m-%d}）"


class SittingScreeningForm(forms.Form):
    """Screen a sitting from the answer sheets the exams app stored (no file)."""

    plan = _SittingField(label="考试场次（已录入客观题答卷）", queryset=Institution.objects.none())
    title = forms.CharField(label="筛查名称（可选）", max_length=200, required=False,
                            help_text="不填则用考核计划名称。")
    key = forms.CharField(label="标准答案（可选）", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                          help_text="按题序填写选项（如 A,B,D,C 或 ABDC）；不填则以各题选择人数最多的选项推定。")
    alpha = forms.FloatField(label="显著性水平 α", initial=similarity.DEFAULT_ALPHA, min_value=1e-9, max_value=0.049)

    def __init__(self, *args: Any, sittings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = sittings  # type: ignore[attr-defined]


class RecordForm(forms.Form):
    institution = _InstitutionField(label="考核机构", queryset=Institution.objects.none())
    kind = forms.ChoiceField(label="载体", choices=ArchiveKind.choices)
    category = forms.ChoiceField(label="类别", choices=ArchiveCategory.choices)
    title = forms.CharField(label="档案名称", max_length=200)
    sitting = forms.CharField(label="考核场次", max_length=200, required=False)
    made_on = forms.DateField(label="形成日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, institutions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]


class HoldForm(forms.Form):
    reason = forms.CharField(label="留置原因", max_length=300, help_text="如：相关违规或投诉案件尚未办结")


class DestroyForm(forms.Form):
    method = forms.ChoiceField(label="销毁方式", choices=DestructionMethod.choices)
    method_detail = forms.CharField(label="方式说明", max_length=200, required=False)
    witness = forms.CharField(label="监销人", max_length=100)
