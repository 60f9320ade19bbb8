"""Keep phone and ID numbers out of logs, files and error texts: 13812345678 → 138****5678."""

from __future__ import annotations

import re

# 7 or more digits in a row (phone numbers, ID numbers with their check character).
_LONG_NUMBER = re.compile(r"\d{7,}[0-9Xx]?")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def mask_number(value: str) -> str:
    """Keep the first 3 and last 4 characters of a number; star the rest."""
    value = value.strip()
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_text(text: str) -> str:
    """Mask every long number inside free text (an exception message, a log line)."""
    return _LONG_NUMBER.sub(lambda m: mask_number(m.group(0)), text)


def normalize_mobile(phone: str) -> str | None:
    """A mainland mobile number as 11 digits, or None if ``phone`` cannot receive SMS."""
    digits = re.sub(r"[\s\-()]", "", phone or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if _MOBILE.match(digits) else None
