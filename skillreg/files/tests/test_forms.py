from __future__ import annotations

from django import forms
from django.template import Context, Template
from django.utils.datastructures import MultiValueDict

from skillreg.files.forms import ValidatedFileField
from skillreg.files.sniff import FileKind
from skillreg.files.tests import samples


class MaterialForm(forms.Form):
    title = forms.CharField(label="材料名称")
    attachment = ValidatedFileField(label="附件", allowed_kinds={FileKind.PDF, FileKind.OFD})


def _render(form: forms.Form) -> str:
    return Template("{{ form }}").render(Context({"form": form}))


def test_a_refused_file_shows_its_error_and_the_other_fields_keep_their_values() -> None:
    form = MaterialForm(data={"title": "考核场地照片说明"},
                        files=MultiValueDict({"attachment": [samples.upload("场地.pdf", samples.png())]}))
    assert not form.is_valid()
    assert list(form.errors) == ["attachment"]
    assert "PNG 图片" in form.errors["attachment"][0]
    html = _render(form)
    assert 'value="考核场地照片说明"' in html
    assert "PNG 图片" in html


def test_an_accepted_kind_the_field_does_not_allow_is_refused_next_to_the_field() -> None:
    form = MaterialForm(data={"title": "x"},
                        files=MultiValueDict({"attachment": [samples.upload("表.docx", samples.docx())]}))
    assert not form.is_valid()
    assert "此处只接受：PDF、OFD" in form.errors["attachment"][0]


def test_a_too_large_file_is_refused_with_the_limit(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SKILLREG_UPLOAD_MAX_BYTES = 100
    form = MaterialForm(data={"title": "x"},
                        files=MultiValueDict({"attachment": [samples.upload("a.pdf", samples.pdf())]}))
    assert not form.is_valid()
    assert "文件超过 100 字节 上限" in form.errors["attachment"][0]


def test_a_good_file_passes_with_its_kind() -> None:
    form = MaterialForm(data={"title": "证书"},
                        files=MultiValueDict({"attachment": [samples.upload("证书.ofd", samples.ofd())]}))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["attachment"].skillreg_kind == FileKind.OFD


def test_the_widget_tells_the_browser_what_to_offer() -> None:
    assert 'accept=".pdf,.ofd"' in _render(MaterialForm())
