"""Finding the CJK font: the override, the Debian paths, and a clear error when there is none."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from skillreg.documents import fonts
from skillreg.documents.fonts import FontFile, cjk_font_name, find_cjk_font, parse_font_spec


def test_it_reads_the_face_index_of_a_collection() -> None:
    assert parse_font_spec("/x/uming.ttc#2") == FontFile(Path("/x/uming.ttc"), 2)
    assert parse_font_spec(" /x/font.ttf ") == FontFile(Path("/x/font.ttf"), 0)
    assert parse_font_spec("/x/a#b.ttf") == FontFile(Path("/x/a#b.ttf"), 0)


def test_it_finds_an_installed_debian_font(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SKILLREG_CJK_FONT = ""

    font = find_cjk_font()

    assert font in fonts.CANDIDATES
    assert font.path.is_file()


def test_the_setting_overrides_the_search(settings) -> None:  # type: ignore[no-untyped-def]
    installed = next(font for font in fonts.CANDIDATES if font.path.is_file())
    settings.SKILLREG_CJK_FONT = f"{installed.path}#{installed.subfont_index}"

    assert find_cjk_font() == installed
    assert cjk_font_name().startswith("SkillregCJK-")


def test_the_environment_overrides_the_search(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    installed = next(font for font in fonts.CANDIDATES if font.path.is_file())
    settings.SKILLREG_CJK_FONT = ""
    monkeypatch.setenv("SKILLREG_CJK_FONT", str(installed.path))

    assert find_cjk_font() == FontFile(installed.path, 0)


def test_a_missing_override_is_a_configuration_error(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SKILLREG_CJK_FONT = "/nonexistent/simsun.ttc#0"

    with pytest.raises(ImproperlyConfigured, match="指定的中文字体文件不存在"):
        find_cjk_font()


def test_no_font_at_all_says_what_to_install(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.SKILLREG_CJK_FONT = ""
    monkeypatch.delenv("SKILLREG_CJK_FONT", raising=False)
    monkeypatch.setattr(fonts, "CANDIDATES", (FontFile(Path("/nonexistent/uming.ttc")),))

    with pytest.raises(
        ImproperlyConfigured, match=r"找不到用于生成 PDF 文书的中文字体.*apt-get install fonts-arphic-uming"
    ):
        find_cjk_font()


def test_a_font_reportlab_cannot_embed_is_a_configuration_error(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    not_a_font = tmp_path / "broken.ttf"
    not_a_font.write_bytes(b"OTTO" + b"\0" * 64)  # an OpenType/CFF signature, no tables
    settings.SKILLREG_CJK_FONT = str(not_a_font)

    with pytest.raises(ImproperlyConfigured, match="中文字体无法嵌入 PDF"):
        cjk_font_name()
