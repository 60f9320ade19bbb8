"""A broken pack fails with the file, the key path and the reason."""

from __future__ import annotations

import shutil

import pytest
from django.core.exceptions import ImproperlyConfigured

from skillreg.policies.loader import PackError, load_pack_file, load_packs
from skillreg.policies.tests.conftest import PACK_DIR


def _fails(path) -> PackError:
    with pytest.raises(PackError) as info:
        load_pack_file(path)
    return info.value


def test_pack_error_is_improperly_configured():
    assert issubclass(PackError, ImproperlyConfigured)


def test_it_names_a_missing_key(pack_data, write_pack):
    data = pack_data()
    del data["clocks"]["material_check"]["workdays"]
    error = _fails(write_pack(data))
    assert error.path == "clocks.material_check.workdays"
    assert "broken.yaml" in str(error)
    assert "clocks.material_check.workdays" in str(error)
    assert "缺少" in str(error)


def test_it_names_a_wrong_type(pack_data, write_pack):
    data = pack_data()
    data["validity"]["years"] = "三年"
    error = _fails(write_pack(data))
    assert error.path == "validity.years"
    assert "应为整数" in error.reason


def test_it_refuses_an_unknown_key(pack_data, write_pack):
    data = pack_data()
    data["clocks"]["material_check"]["work_days"] = 5
    error = _fails(write_pack(data))
    assert error.path == "clocks.material_check.work_days"
    assert "未定义的键" in error.reason


def test_it_refuses_a_source_citing_a_missing_clause(pack_data, write_pack):
    data = pack_data("bz-2023-special")
    data["rotation"]["source"] = "002 第十四条"  # the document has no 第十四条
    error = _fails(write_pack(data))
    assert error.path == "rotation.source"
    assert "第十四条" in error.reason and "clauses" in error.reason


def test_it_refuses_a_source_citing_another_document(pack_data, write_pack):
    data = pack_data("bz-2023-special")
    data["validity"]["source"] = "004 五(五)"
    error = _fails(write_pack(data))
    assert error.path == "validity.source"
    assert "004" in error.reason


def test_it_refuses_a_value_without_a_source(pack_data, write_pack):
    data = pack_data()
    del data["validity"]["source"]
    error = _fails(write_pack(data))
    assert error.path == "validity"
    assert "source" in error.reason


def test_it_refuses_silence_without_a_note(pack_data, write_pack):
    data = pack_data()
    del data["rotation"]["note"]
    error = _fails(write_pack(data))
    assert error.path == "rotation"
    assert "note" in error.reason


def test_it_refuses_a_float_fraction(pack_data, write_pack):
    data = pack_data("bz-2023-special")
    data["rotation"]["min_rotated"] = "0.333"
    error = _fails(write_pack(data))
    assert error.path == "rotation.min_rotated"
    assert "1/3" in error.reason


def test_a_certificate_number_format_must_have_a_serial_and_known_fields(pack_data, write_pack):
    """The 专项职业能力证书 number is pack data (the documents are silent, so it is the
    system's convention with a note); a pattern the numbering cannot fill is refused at load."""
    data = pack_data()
    data["certificate"]["number_format"]["pattern"] = "{institution_code}{yy}"
    error = _fails(write_pack(data))
    assert error.path.startswith("certificate.number_format") and "{serial}" in error.reason
    data["certificate"]["number_format"]["pattern"] = "{province}{serial:06d}"
    error = _fails(write_pack(data))
    assert "institution_code" in error.reason


def test_it_names_the_line_of_a_yaml_syntax_error(write_pack):
    path = write_pack("id: x\nseed: \"001\"\nclauses:\n  一: [unclosed\n  二: text\n")
    error = _fails(path)
    assert "broken.yaml" in str(error)
    assert "YAML 语法错误" in error.reason
    assert "行" in error.reason


def test_it_refuses_a_duplicate_key(write_pack):
    path = write_pack("id: a\nid: b\n")
    error = _fails(path)
    assert "重复的键" in error.reason
    assert "第 2 行" in error.reason


def test_it_refuses_duplicate_pack_ids(tmp_path):
    shutil.copy(PACK_DIR / "gs-2022-special.yaml", tmp_path / "a.yaml")
    shutil.copy(PACK_DIR / "gs-2022-special.yaml", tmp_path / "b.yaml")
    with pytest.raises(PackError) as info:
        load_packs(tmp_path)
    assert info.value.path == "id"
    assert "b.yaml" in str(info.value) and "a.yaml" in info.value.reason
    assert "重复" in info.value.reason


def test_it_refuses_an_empty_directory(tmp_path):
    with pytest.raises(PackError):
        load_packs(tmp_path)


def test_a_broken_pack_stops_start_up(settings, tmp_path, write_pack, pack_data):
    from django.apps import apps

    from skillreg.policies import registry

    data = pack_data()
    data["validity"]["years"] = -1
    write_pack(data)
    settings.SKILLREG_PACK_DIR = tmp_path
    try:
        with pytest.raises(PackError) as info:
            apps.get_app_config("policies").ready()
        assert info.value.path == "validity.years"
    finally:
        registry.load(PACK_DIR)
