from __future__ import annotations

from django import forms

from skillreg.supervision.services.complaints import CONTACT_MAX, CONTENT_MAX, NAME_MAX, SUBJECT_MAX


class ComplaintForm(forms.Form):
    institution_code = forms.CharField(label="被投诉机构代码", max_length=40,
                                       help_text="见机构目录中公布的机构代码")
    subject = forms.CharField(label="事由", max_length=SUBJECT_MAX)
    content = forms.CharField(label="投诉内容", max_length=CONTENT_MAX, widget=forms.Textarea(attrs={"rows": 8}))
    name = forms.CharField(label="姓名（可不填）", max_length=NAME_MAX, required=False)
    contact = forms.CharField(label="联系方式（可不填，不公开）", max_length=CONTACT_MAX, required=False)


class TrackForm(forms.Form):
    tracking_number = forms.CharField(label="受理编号", max_length=20)
    secret = forms.CharField(label="查询密码", max_length=64, widget=forms.PasswordInput(render_value=True))
