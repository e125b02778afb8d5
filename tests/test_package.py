"""The package surface: light import, lazy public names, subpackages as attributes."""

from __future__ import annotations

import subprocess
import sys

import neurocost as nc


def test_import_loads_neither_torch_nor_pandas():
    code = "import sys, neurocost; print(sorted({'torch', 'pandas'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_names_and_subpackages_resolve():
    assert callable(nc.trace) and callable(nc.estimate) and callable(nc.price)
    assert "scnn" in nc.models.zoo.names()
    assert "bireal" in nc.conventions.names()


def test_unknown_name_is_an_attribute_error():
    try:
        nc.does_not_exist  # noqa: B018
    except AttributeError as err:
        assert "does_not_exist" in str(err)
    else:
        raise AssertionError("expected AttributeError")


def test_repeated_yaml_keys_are_refused(tmp_path):
    import yaml

    from neurocost.strict_yaml import load_yaml

    assert load_yaml("a: 1\nb: 2\n") == {"a": 1, "b": 2}
    try:
        load_yaml("a: 1\na: 2\n")
    except yaml.YAMLError as err:
        assert "appears twice" in str(err)
    else:
        raise AssertionError("a repeated key must be an error")


def test_tracing_quantising_and_pricing_import_neither_spikingjelly_nor_transformers():
    """Both are optional: imported only by the user's own model code."""
    code = (
        "import sys, torch, neurocost as nc\n"
        "from neurocost.models import zoo\n"
        "model = nc.quantize(zoo.get('smlp'), 1, 1)\n"
        "tr = nc.trace(model, zoo.example_input('smlp', batch=2, steps=2))\n"
        "nc.price(tr, 'cmos45')\n"
        "print(sorted({'spikingjelly', 'transformers'} & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_the_command_line_parses_without_torch():
    # `neurocost --help` / `--version` start fast because no subcommand imports torch (or
    # pandas) until it runs; the start time itself is a benchmark, not a test
    code = ("import sys; from neurocost.cli import build_parser; build_parser(); "
            "print(sorted({'torch', 'pandas'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
