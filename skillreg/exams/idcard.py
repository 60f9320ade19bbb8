"""居民身份证号码 (GB 11643-1999): checked with python-stdnum, masked wherever it is listed.

The number is personal data: stored in full (the 考培分离 and duplicate checks need it),
shown as the first 6 and last 4 characters, and never written to a log or an audit event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stdnum.cn import ric

from skillreg.core.errors import InvalidInput
from skillreg.core.masking import mask_id  # noqa: F401 (re-exported)


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: dt.date
    gender: str  # "男" / "女" (17th digit odd / even)


def _birth_date(number: str) -> dt.date | None:
    # Parsed directly: stdnum's get_birth_date re-normalises the string each call, which is
    # most of the cost of checking a 100,000-row roster.
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_problem(value: str, *, today: dt.date) -> str | None:
    """What is wrong with ``value`` as an 18-digit 身份证号码, in words; None when it is valid."""
    number = (value or "").strip().upper().replace(" ", "")
    if not number:
        return "身份证号码不能为空"
    if len(number) != 18:
        return f"身份证号码应为 18 位，实际为 {len(number)} 位"
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "身份证号码格式错误：前 17 位应为数字，最后一位为数字或 X"
    birth = _birth_date(number)
    if birth is None:
        return f"身份证号码中的出生日期无效：{number[6:10]}-{number[10:12]}-{number[12:14]} 不是实际存在的日期"
    if birth > today or birth.year < 1900:
        return f"身份证号码中的出生日期 {birth.isoformat()} 不合理"
    if number[17] != ric.calc_check_digit(number):
        return "身份证号码校验位错误（GB 11643 第 18 位校验码不符），请核对号码是否录入有误"
    # The place code is not checked: python-stdnum's list lacks districts created since it
    # was compiled (511902 巴州区 among them), and refusing a real citizen is worse.
    return None


def gender_of(number: str) -> str:
    """GB 11643: the 17th digit is odd for a man, even for a woman (a checked number)."""
    return "男" if number[16] in "13579" else "女"


def birth_text_of(number: str) -> str:
    """The birth date of a checked number as ISO text (digits 7-14): what COPY and the date parse read."""
    return f"{number[6:10]}-{number[10:12]}-{number[12:14]}"


def parse_id(value: str, *, today: dt.date, field: str = "id_number") -> IdNumber:
    problem = id_problem(value, today=today)
    if problem:
        raise InvalidInput(problem, field=field, code="invalid_id_number")
    number = value.strip().upper().replace(" ", "")
    return IdNumber(number=number, birth_date=_birth_date(number),  # type: ignore[arg-type]
                    gender=gender_of(number))


