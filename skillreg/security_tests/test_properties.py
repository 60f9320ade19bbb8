"""Property tests (hypothesis) for the validators and the working-day arithmetic
(issue 9, Input). Bounded and derandomised so that CI runs the same examples every time."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from skillreg.core.errors import InvalidInput
from skillreg.exams.idcard import id_problem, mask_id
from skillreg.policies.registry import get_pack
from skillreg.registry.codes import next_institution_code
from skillreg.registry.models import BodyKind, Institution
from skillreg.registry.validators import clean_credit_code
from skillreg.workdays.calendar import add_workdays, workdays_between

BOUNDED = settings(max_examples=60, derandomize=True, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, Z, S, V


# --- 统一社会信用代码 (GB 32100-2015) --------------------------------------------------

credit_codes = st.builds(
    lambda head, org: head + org + uscc.calc_check_digit(head + org),
    st.text("0123456789", min_size=8, max_size=8),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
)


@BOUNDED
@given(credit_codes)
def test_every_well_formed_credit_code_is_accepted(code: str) -> None:
    assert clean_credit_code(code) == code
    assert clean_credit_code(f"  {code.lower()} ") == code  # spaces and case are forgiven


@BOUNDED
@given(credit_codes, st.integers(0, 17), st.characters(codec="utf-8", exclude_categories=["Cs"]))
def test_any_single_character_change_is_refused_with_a_clear_message(code: str, position: int,
                                                                     replacement: str) -> None:
    changed = code[:position] + replacement + code[position + 1:]
    assume(changed.strip().upper() != code)
    with pytest.raises(InvalidInput) as refused:
        clean_credit_code(changed)
    assert "统一社会信用代码" in refused.value.message
    assert refused.value.field == "credit_code"


# --- 居民身份证号码 (GB 11643-1999), exams/idcard.py ------------------------------------

TODAY = dt.date(2026, 11, 20)
id_numbers = st.builds(
    lambda place, birth, serial: (lambda body: body + ric.calc_check_digit(body + "0"))(
        f"{place}{birth:%Y%m%d}{serial:03d}"),
    st.sampled_from(["511902", "510104", "150302", "620102", "110105"]),
    st.dates(dt.date(1920, 1, 1), dt.date(2010, 12, 31)),
    st.integers(0, 999),
)


@BOUNDED
@given(id_numbers)
def test_every_well_formed_id_number_is_accepted_and_masked_to_six_and_four(number: str) -> None:
    assert id_problem(number, today=TODAY) is None
    masked = mask_id(number)
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:] and set(masked[6:-4]) == {"*"}


@BOUNDED
@given(id_numbers, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_a_mistyped_id_number_character_is_caught(number: str, position: int, replacement: str) -> None:
    changed = number[:position] + replacement + number[position + 1:]
    assume(changed != number)
    # GB 11643's ISO 7064 MOD 11-2 check catches every single substitution.
    problem = id_problem(changed, today=TODAY)
    assert problem and "身份证号码" in problem


# --- working days (workdays/calendar.py) -------------------------------------------------

starts = st.dates(dt.date(2020, 1, 1), dt.date(2027, 12, 31))


@pytest.mark.django_db
@BOUNDED
@given(starts, st.integers(0, 300))
def test_add_workdays_and_workdays_between_round_trip(start: dt.date, n: int) -> None:
    due = add_workdays(start, n)
    assert workdays_between(start, due.date).days == n
    assert workdays_between(due.date, start).days == -n
    if n:
        # The deadline itself is a working day, and the day before it is one fewer.
        assert workdays_between(start, due.date - dt.timedelta(days=1)).days == n - 1


@pytest.mark.django_db
@BOUNDED
@given(starts, st.integers(0, 200), st.integers(0, 200))
def test_add_workdays_is_monotonic(start: dt.date, a: int, b: int) -> None:
    first, second = add_workdays(start, min(a, b)).date, add_workdays(start, max(a, b)).date
    assert first <= second
    if a != b:
        assert first < second


@pytest.mark.django_db
@BOUNDED
@given(st.integers(-10_000, -1) | st.integers(3651, 10**9))
def test_an_absurd_workday_count_is_refused_not_computed(n: int) -> None:
    with pytest.raises(InvalidInput):
        add_workdays(dt.date(2026, 11, 20), n)


# --- institution codes (registry/codes.py) -----------------------------------------------

CODE_SHAPES = {
    "sc-2021-appraisal": r"JD(?P<region>\d{6})(?P<year>\d{4})(?P<seq>\d{4})",
    "bz-2023-special": r"ZX(?P<region>\d{6})(?P<year>\d{4})(?P<seq>\d{4})",
    "gs-2022-special": r"ZX(?P<region>\d{6})(?P<year>\d{4})(?P<seq>\d{4})",
    "nm-2020-special": r"ZX(?P<region>\d{6})(?P<year>\d{4})(?P<seq>\d{4})",
    "nm-2021-skill-level": r"[YS]0000(?P<province>\d{2})(?P<seq>\d{6})",
}


@pytest.mark.django_db
@BOUNDED
@given(st.sampled_from(sorted(CODE_SHAPES)), st.sampled_from(["511902", "511900", "150302", "620100"]),
       st.sampled_from([BodyKind.ENTERPRISE, BodyKind.SOCIAL_BODY]), st.integers(2020, 2030), st.integers(1, 4))
def test_institution_codes_have_the_packs_shape_and_never_repeat(pack_id: str, region: str, kind: str,
                                                                 year: int, count: int) -> None:
    pack = get_pack(pack_id)
    institution = Institution(region_code=region, body_kind=kind)
    with transaction.atomic():
        codes = [next_institution_code(pack, institution, on=dt.date(year, 6, 1)) for _ in range(count)]
    assert len(set(codes)) == count
    serials = []
    for code in codes:
        match = re.fullmatch(CODE_SHAPES[pack_id], code)
        assert match, code
        parts = match.groupdict()
        assert parts.get("region", region) == region
        assert parts.get("province", region[:2]) == region[:2]
        assert parts.get("year", str(year)) == str(year)
        serials.append(int(parts["seq"]))
    assert serials == sorted(serials)  # gap-free, increasing within the scope
    assert serials == list(range(serials[0], serials[0] + count))
