import datetime as dt

import pytest

from skillreg.core.errors import InvalidInput
from skillreg.exams.idcard import id_problem, mask_id, parse_id
from skillreg.exams.tests.conftest import make_id

TODAY = dt.date(2026, 11, 20)


def test_a_valid_number_gives_the_birth_date() -> None:
    parsed = parse_id(make_id(123), today=TODAY)
    assert parsed.birth_date == dt.date(1990, 1, 1)


def test_gender_follows_the_17th_digit() -> None:
    assert parse_id(make_id(123), today=TODAY).gender == "男"
    assert parse_id(make_id(124), today=TODAY).gender == "女"


def test_a_wrong_check_digit_is_named_as_such() -> None:
    good = make_id(5)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert "校验位" in id_problem(bad, today=TODAY)
    with pytest.raises(InvalidInput) as err:
        parse_id(bad, today=TODAY)
    assert err.value.field == "id_number" and "校验位" in err.value.message


def test_an_impossible_birth_date_is_named_as_such() -> None:
    assert "出生日期" in id_problem(make_id(5, birth="19900230"), today=TODAY)


def test_a_future_birth_date_is_refused() -> None:
    assert "出生日期" in id_problem(make_id(5, birth="20300101"), today=TODAY)


def test_length_and_format_are_named() -> None:
    assert "18 位" in id_problem("51190219900101", today=TODAY)
    assert "格式" in id_problem("5119021990010A123X", today=TODAY)


def test_mask_shows_first_six_and_last_four() -> None:
    number = make_id(123)
    assert mask_id(number) == number[:6] + "********" + number[-4:]
