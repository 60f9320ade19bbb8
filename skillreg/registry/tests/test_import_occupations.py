from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from skillreg.registry.models import Occupation

pytestmark = pytest.mark.django_db


def test_the_shipped_catalogue_imports(capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("import-occupations")
    assert Occupation.objects.count() == 1671
    assert Occupation.objects.get(code="6-31-01-03").name == "电工"
    assert "新增 1671 个" in capsys.readouterr().out


def test_a_file_with_a_bad_row_writes_nothing(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "occ.csv"
    bad.write_text("code,name,middle_code,middle_name,minor_code,minor_name,source\n"
                   "6-31-01-03,电工,6-31,,6-31-01,,\n6-31-01,半截编码,,,,,\n,无编码,,,,,\n6-31-01-03,重复,,,,,\n",
                   encoding="utf-8")
    with pytest.raises(CommandError, match="3 行有误"):
        call_command("import-occupations", str(bad))
    err = capsys.readouterr().err
    assert "第 3 行" in err and "第 4 行" in err and "第 5 行" in err
    assert not Occupation.objects.exists()
