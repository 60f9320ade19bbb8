"""The CJK font every PDF embeds.

Nothing may be fetched at run time (the system runs on government intranets), and a
20 MB font has no place in the repository, so the font comes from a Debian package that
the install steps put on the machine and is found here at a known path. The setting or
environment variable ``SKILLREG_CJK_FONT`` names another file, with ``#N`` for the
N-th face of a TrueType collection: ``/opt/fonts/simsun.ttc#0``.

reportlab embeds only TrueType outlines: OpenType/CFF fonts such as Noto Sans CJK
(``NotoSansCJK-Regular.ttc``) are refused by ``TTFont``, which is why they are not
among the candidates.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

SETTING_NAME = "SKILLREG_CJK_FONT"
INSTALL_HINT = "apt-get install fonts-arphic-uming"


@dataclass(frozen=True)
class FontFile:
    path: Path
    # The face inside a .ttc collection; 0 for a plain .ttf.
    subfont_index: int = 0


# In order of preference. AR PL UMing CN is a Song (宋体) face with mainland glyph forms,
# the usual face of an official letter; face 0 of uming.ttc is the CN one.
CANDIDATES: tuple[FontFile, ...] = (
    FontFile(Path("/usr/share/fonts/truetype/arphic/uming.ttc"), 0),  # fonts-arphic-uming
    FontFile(Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),  # fonts-wqy-zenhei
    FontFile(Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),  # fonts-wqy-microhei
    FontFile(Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"), 0),  # fonts-droid-fallback
)


def parse_font_spec(spec: str) -> FontFile:
    """``/path/font.ttc#1`` -> FontFile(path, 1); no ``#N`` means face 0."""
    path, sep, index = spec.strip().rpartition("#")
    if sep and index.isdigit():
        return FontFile(Path(path), int(index))
    return FontFile(Path(spec.strip()), 0)


def configured_font_spec() -> str:
    """The override from the Django setting, else from the environment; '' when neither is set."""
    value = getattr(settings, SETTING_NAME, "") if settings.configured else ""
    return str(value or os.environ.get(SETTING_NAME, "")).strip()


def find_cjk_font() -> FontFile:
    spec = configured_font_spec()
    if spec:
        font = parse_font_spec(spec)
        if not font.path.is_file():
            raise ImproperlyConfigured(f"{SETTING_NAME} 指定的中文字体文件不存在：{font.path}")
        return font
    for font in CANDIDATES:
        if font.path.is_file():
            return font
    searched = "、".join(str(font.path) for font in CANDIDATES)
    raise ImproperlyConfigured(
        f"找不到用于生成 PDF 文书的中文字体。请安装字体包（{INSTALL_HINT}），"
        f"或用设置项/环境变量 {SETTING_NAME} 指定一个 TrueType 字体文件（.ttf，或 .ttc 加 #序号）。"
        f"已查找：{searched}"
    )


@lru_cache(maxsize=8)
def _register(path: str, subfont_index: int) -> str:
    # reportlab's font registry is process-wide: one name per file and face, so a changed
    # setting (tests, an operator's override) never reuses the wrong font.
    digest = hashlib.sha256(f"{path}#{subfont_index}".encode()).hexdigest()[:8]
    name = f"SkillregCJK-{digest}"
    try:
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=subfont_index))
    except TTFError as exc:
        raise ImproperlyConfigured(
            f"中文字体无法嵌入 PDF（需要 TrueType 轮廓的字体，OpenType/CFF 字体不可用）：{path}#{subfont_index}：{exc}"
        ) from exc
    return name


def cjk_font_name() -> str:
    """Register the CJK font with reportlab (once) and return the name to draw with."""
    font = find_cjk_font()
    return _register(str(font.path), font.subfont_index)
