"""Profiles: the built-ins load and carry sources; malformed files fail with one clear error."""

from __future__ import annotations

import pytest
import yaml

from neurocost.energy.params import walk
from neurocost.energy.registry import (
    ProfileError,
    builtin_ids,
    load_profile,
    read_profile_file,
)
from neurocost.provenance import Sourced
from tests.energy.builders import fixture_constant, toy, toy_dict

SHIPPED = ["cmos45", "h100", "h200", "loihi", "snn-45nm-ac-mac", "truenorth", "truenorth-allin"]


def test_the_promised_profiles_ship():
    assert set(SHIPPED) <= set(builtin_ids())


@pytest.mark.parametrize("profile_id", SHIPPED)
def test_every_builtin_constant_has_a_unit_and_a_source(profile_id):
    profile = load_profile(profile_id)
    constants = [value for _, value, _ in walk(profile) if isinstance(value, Sourced)]
    assert constants, profile_id
    assert all(c.source.strip() and c.unit for c in constants)
    assert profile.id == profile_id and profile.version


def test_unverified_values_are_labelled_assumptions():
    # reference notes: Horowitz gives SRAM reads only, so the write = read value is an assumption
    sram = load_profile("cmos45").memory["sram_8k"]
    assert sram.write.basis == "assumption"
    assert load_profile("snn-45nm-ac-mac").status == "convention"


def test_load_profile_passes_a_profile_through_and_reads_paths(tmp_path):
    profile = toy()
    assert load_profile(profile) is profile
    path = tmp_path / "toy.yaml"
    path.write_text(yaml.safe_dump(toy_dict()))
    assert load_profile(path).id == "toy"
    assert load_profile(str(path)).id == "toy"


def test_unknown_profile_lists_the_builtins():
    with pytest.raises(ProfileError, match=r"unknown profile 'loihi9'.*cmos45"):
        load_profile("loihi9")


def _write(tmp_path, data, name="toy.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def _drop_execution(data):
    del data["execution"]


def _unknown_unit(data):
    data["compute"]["mac"]["fp32"]["unit"] = "pj"


def _energy_as_power(data):
    data["static_power"] = fixture_constant(1, "pJ")


def _no_source(data):
    del data["compute"]["ac"]["fp32"]["source"]


def _misspelt_key(data):
    data["static_powr"] = data.pop("static_power")


def _bad_precision_key(data):
    data["compute"]["mac"] = {"float32": fixture_constant(4, "pJ")}


def _per_access_without_width(data):
    data["memory"]["small"]["read"] = fixture_constant(10, "pJ")


def _all_in_without_includes(data):
    data["compute"]["ac"]["fp32"]["basis"] = "all-in"


def _all_in_beside_its_terms(data):  # toy also declares static_power and routing
    data["compute"]["ac"]["fp32"].update(basis="all-in", includes=["static", "routing"])


@pytest.mark.parametrize(("break_it", "message"), [
    (_drop_execution, r"field execution: Field required"),
    (_unknown_unit, r"field compute\.mac\.fp32\.unit: .*unknown unit 'pj'"),
    (_energy_as_power, r"field static_power: .*'pJ' is a energy; this field needs power"),
    (_no_source, r"field compute\.ac\.fp32\.source: Field required"),
    (_misspelt_key, r"field static_powr: Extra inputs are not permitted"),
    (_bad_precision_key, r"field compute\.mac: .*'float32' is not a precision"),
    (_per_access_without_width, r"field memory\.small: .*per access.*access_bits"),
    (_all_in_without_includes, r"field compute\.ac\.fp32: .*all-in.*includes"),
    (_all_in_beside_its_terms, r"static_power is declared, but an op energy already includes "
                               r"'static'"),
])
def test_malformed_profile_gives_one_error_naming_file_field_and_problem(tmp_path, break_it,
                                                                        message):
    data = toy_dict()
    break_it(data)
    path = _write(tmp_path, data)
    with pytest.raises(ProfileError, match=rf"^{path}: .*{message}"):
        read_profile_file(path)


def test_file_name_must_match_the_id(tmp_path):
    path = _write(tmp_path, toy_dict(), name="other.yaml")
    with pytest.raises(ProfileError, match=r"field id: 'toy' must match the file name 'other'"):
        read_profile_file(path)


def test_duplicate_keys_are_refused(tmp_path):
    text = yaml.safe_dump(toy_dict()) + "version: '2'\n"
    path = _write(tmp_path, text)
    with pytest.raises(ProfileError, match=r"not valid YAML: .*key 'version' appears twice"):
        read_profile_file(path)


def test_yaml_is_loaded_safely(tmp_path):
    path = _write(tmp_path, "!!python/object/apply:os.system ['echo unsafe']\n")
    with pytest.raises(ProfileError, match=r"not valid YAML"):
        read_profile_file(path)


def test_numbers_written_without_a_decimal_point_still_load(tmp_path):
    # PyYAML (YAML 1.1) reads an unquoted 4e-12 as the string '4e-12'; the schema coerces it
    assert yaml.safe_load("value: 4e-12")["value"] == "4e-12"
    data = toy_dict()
    data["compute"]["mac"]["fp32"].update(value="4e-12", unit="J")
    profile = read_profile_file(_write(tmp_path, data))
    assert profile.compute.mac["fp32"].value == 4e-12
