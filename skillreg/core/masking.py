"""The one masking of 身份证 numbers (issue 7, "masked ID number (first 6 and last 4
characters)"): what lists, exports, audit events and the public verification show."""

from __future__ import annotations


def mask_id(number: str) -> str:
    """110105194912310021 -> 110105********0021: first 6 and last 4, the rest starred."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
