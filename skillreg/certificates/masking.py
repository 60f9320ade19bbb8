"""ID numbers as lists and the public show them: the first 6 and the last 4 characters."""

from __future__ import annotations

import re
import unicodedata

from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError

from skillreg.core.errors import InvalidInput
from skillreg.core.masking import mask_id  # noqa: F401 (re-exported)

ID_SHAPE = re.compile(r"^\d{17}[\dX]$")




def normalize_id(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip().upper().replace(" ", "")


def normalize_name(value: str) -> str:
    # Full-width letters and the middle dot of minority names (买买提·艾力) compare as typed
    # in either width; inner spaces are not part of a Chinese name.
    text = unicodedata.normalize("NFKC", value or "").strip()
    return re.sub(r"\s+", "", text).replace("•", "·").replace("．", "·")


def clean_id_number(value: str, *, field: str = "id_number") -> str:
    """A valid 18-character 居民身份证号码 (GB 11643: digits, birth date, check digit).

    The region part is not checked against a list: python-stdnum's table lacks codes created
    since, and refusing a real person's number for that would be wrong.
    """
    number = normalize_id(value)
    try:
        if not ID_SHAPE.match(number) or number[-1] != ric.calc_check_digit(number):
            raise StdnumError
        ric.get_birth_date(number)
        return number
    except StdnumError as exc:
        # The message never repeats the number (it would end up in logs and audit texts).
        raise InvalidInput("身份证号码不正确（应为 18 位，出生日期和校验位须有效）", field=field) from exc


def clean_name(value: str, *, field: str = "name") -> str:
    name = normalize_name(value)
    if not name or len(name) > 50:
        raise InvalidInput("姓名不能为空，且不超过 50 个字", field=field)
    return name
