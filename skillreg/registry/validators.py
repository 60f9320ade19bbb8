from __future__ import annotations

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from skillreg.core.errors import InvalidInput


def clean_credit_code(value: str, *, field: str = "credit_code") -> str:
    """GB 32100-2015 统一社会信用代码: 18 characters with a check character at the end."""
    compact = (value or "").strip().upper()
    try:
        return uscc.validate(compact)
    except InvalidLength as exc:
        raise InvalidInput(f"统一社会信用代码应为 18 位，当前为 {len(compact)} 位", field=field) from exc
    except InvalidChecksum as exc:
        expected = uscc.calc_check_digit(compact[:17])
        raise InvalidInput(
            f"统一社会信用代码校验位错误：第 18 位应为 {expected}，填写的是 {compact[17]}",
            field=field,
        ) from exc
    except (InvalidFormat, InvalidComponent) as exc:
        raise InvalidInput(
            "统一社会信用代码含有不允许的字符（不得使用 I、O、Z、S、V）或格式不符", field=field
        ) from exc
