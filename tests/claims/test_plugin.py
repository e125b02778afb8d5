"""The pytest plugin, run in a scratch project: claims become tests that explain their failures.

The scratch model is a two-layer W1A1 MLP (16 -> 8 -> 4): every input and weight is +-1, so it
performs 16*8 + 8*4 = 160 XNOR-popcount BOPs per sample (128 in layer ``0``, 32 in layer ``1``).
"""

from __future__ import annotations

import json
import re

import pytest

from tests.claims.scratch import QUIET

pytest_plugins = ["pytester"]

MODEL = """
from torch import nn
from neurocost.models.layers import BinaryLinear

def bnn(hidden: int = 8):
    return nn.Sequential(BinaryLinear(16, hidden), BinaryLinear(hidden, 4))
"""

CLAIM = """
  - id: {id}
    source: "derivation: 16*8 + 8*4 XNOR-popcounts"
    model: {{spec: "tiny_bnn.py:bnn", input: {{shape: [16], seed: 0}}}}
    metric: bops
    expected: {expected}
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(tiny_bnn=MODEL)
    return pytester


def _claims(project: pytest.Pytester, *claims: tuple[str, object], name: str = "paper") -> None:
    body = "".join(CLAIM.format(id=cid, expected=expected) for cid, expected in claims)
    project.makefile(".claims.yaml", **{name: "claims:" + body})


def test_each_claim_is_one_test_item(project: pytest.Pytester) -> None:
    _claims(project, ("bnn-bops", 160), ("bnn-bops-again", 160))
    result = project.runpytest(*QUIET, "-v")
    result.stdout.fnmatch_lines(
        ["*paper.claims.yaml::bnn-bops PASSED*", "*paper.claims.yaml::bnn-bops-again PASSED*"]
    )
    result.assert_outcomes(passed=2)


def test_a_wrong_expected_value_fails_with_expected_measured_and_layers(
    project: pytest.Pytester,
) -> None:
    _claims(project, ("bnn-bops", 160), ("bnn-bops-wrong", 170))
    result = project.runpytest(*QUIET)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*claim 'bnn-bops-wrong' (*paper.claims.yaml): FAILED: measured value is outside exact",
            "*expected:  170 BOPs (as published, tolerance exact)",
            "*measured:  160 BOPs",
            "*deviation: -10 BOPs (-5.882%)",
            "*model.bops = 160 BOPs; per layer in BOPs (largest first):",
            "*0 * 128 * 80.0%",
            "*1 * 32 * 20.0%",
        ]
    )


def test_only_claims_yaml_files_are_collected(project: pytest.Pytester) -> None:
    project.makefile(".yaml", other="claims: [not, a, claim]")
    project.makefile(".claims.yml", typo="claims: [not, a, claim]")
    result = project.runpytest(*QUIET)
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_a_schema_error_is_a_collection_error_naming_the_field(project: pytest.Pytester) -> None:
    _claims(project, ("bnn-bops", "plenty"))
    result = project.runpytest(*QUIET)
    result.assert_outcomes(errors=1)
    output = result.stdout.str()
    assert "paper.claims.yaml: 1 problem(s) in the claims file" in output
    assert (
        "claim 'bnn-bops' (claims[0]), field 'expected': expected must be a finite number or "
        "'golden' (got 'plenty')" in output
    )


def test_golden_claims_need_recording_then_hold(project: pytest.Pytester) -> None:
    _claims(project, ("bnn-bops-golden", "golden"))
    first = project.runpytest(*QUIET)
    first.assert_outcomes(failed=1)
    first.stdout.fnmatch_lines(["*NO-GOLDEN: no golden value for this claim in*paper.golden.json*"])

    update = project.runpytest(*QUIET, "--claims-update")
    update.assert_outcomes(passed=1)
    update.stdout.fnmatch_lines(
        [
            "*neurocost golden values rewritten*",
            "*paper.golden.json: bnn-bops-golden: recorded 160 BOPs",
        ]
    )
    golden = json.loads((project.path / "paper.golden.json").read_text())
    assert golden["entries"]["bnn-bops-golden"]["value"] == 160
    assert golden["entries"]["bnn-bops-golden"]["per_layer"] == {"0": 128.0, "1": 32.0}

    project.runpytest(*QUIET).assert_outcomes(passed=1)


def test_a_changed_model_fails_its_golden_with_the_layer_that_changed(
    project: pytest.Pytester,
) -> None:
    _claims(project, ("bnn-bops-golden", "golden"))
    project.runpytest(*QUIET, "--claims-update").assert_outcomes(passed=1)
    # The same architecture with a wider hidden layer, recorded key unchanged: 16*9 + 9*4 = 180.
    project.makepyfile(tiny_bnn=MODEL.replace("hidden: int = 8", "hidden: int = 9"))
    result = project.runpytest(*QUIET)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*expected:  160 BOPs (golden value, tolerance exact)",
            "*measured:  180 BOPs",
            "*layers that changed against the golden values (2), in BOPs:",
            "*0 * 128 -> * 144  (+16)",
            "*1 * 32 -> * 36  (+4)",
        ]
    )


def test_a_changed_key_makes_the_golden_stale(project: pytest.Pytester) -> None:
    _claims(project, ("bnn-bops-golden", "golden"))
    project.runpytest(*QUIET, "--claims-update").assert_outcomes(passed=1)
    path = project.path / "paper.claims.yaml"
    path.write_text(path.read_text().replace("seed: 0", "seed: 1"))
    result = project.runpytest(*QUIET)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*STALE: the golden value was recorded under other conditions "
            "(model.input.seed was 0, is 1 now)*"
        ]
    )


def test_report_is_written_as_markdown_or_json(project: pytest.Pytester) -> None:
    _claims(project, ("bnn-bops", 160), ("bnn-bops-wrong", 170))
    project.runpytest(*QUIET, "--claims-report", "out/claims.md")
    markdown = (project.path / "out" / "claims.md").read_text()
    assert "1 of 2 claims hold." in markdown
    assert "| `bnn-bops-wrong` | bops | 170 BOPs | 160 BOPs | exact | **FAIL** |" in markdown
    project.runpytest(*QUIET, "--claims-report", "claims.json")
    report = json.loads((project.path / "claims.json").read_text())
    assert [(c["id"], c["status"], c["measured"]) for c in report["claims"]] == [
        ("bnn-bops", "passed", 160.0),
        ("bnn-bops-wrong", "failed", 160.0),
    ]


RATIO = """
  - id: {id}
    source: "derivation: (16*16 + 16*4) / (16*8 + 8*4) = 320 / 160"
    model: {{spec: "tiny_bnn.py:bnn", input: {{shape: [16]}}}}
    baseline: {{spec: "tiny_bnn.py:bnn", variant: {{hidden: 16}}, input: {{shape: [16]}}}}
    metric: baseline.bops / model.bops
    expected: {expected}
    tolerance: {{abs: 0.005}}
"""


def test_a_ratio_divides_the_baseline_by_the_model(project: pytest.Pytester) -> None:
    project.makefile(".claims.yaml", paper="claims:" + RATIO.format(id="ratio", expected=2.5))
    result = project.runpytest(*QUIET)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*expected:  2.5x (as published, tolerance ± 0.005x)",
            "*measured:  2x",
            "*baseline.bops = 320 BOPs; per layer in BOPs (largest first):",
            "*model.bops = 160 BOPs; per layer in BOPs (largest first):",
        ]
    )


def test_a_known_gap_is_an_expected_failure_until_it_closes(project: pytest.Pytester) -> None:
    gap = "    known_gap: the paper rounds differently\n"
    project.makefile(".claims.yaml", paper="claims:" + RATIO.format(id="gap", expected=2.5) + gap)
    result = project.runpytest(*QUIET, "-rx")
    result.assert_outcomes(xfailed=1)
    result.stdout.fnmatch_lines(
        ["*XFAIL*gap*outside ± 0.005x, as expected (known gap): the paper rounds differently"]
    )
    project.makefile(".claims.yaml", paper="claims:" + RATIO.format(id="gap", expected=2.0) + gap)
    closed = project.runpytest(*QUIET)
    closed.assert_outcomes(failed=1)
    closed.stdout.fnmatch_lines(["*GAP-CLOSED: the claim now holds: remove its known_gap*"])


def test_a_claim_whose_model_cannot_be_built_errors_with_its_spec(
    project: pytest.Pytester,
) -> None:
    project.makefile(
        ".claims.yaml",
        paper="claims:"
        + CLAIM.format(id="x", expected=1).replace(
            "tiny_bnn.py:bnn", "tiny_bnn.py:no_such_factory"
        ),
    )
    result = project.runpytest(*QUIET, "--claims-report", "r.json")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ModelSpecError*tiny_bnn.py:no_such_factory*"])
    report = json.loads((project.path / "r.json").read_text())
    assert report["claims"][0]["status"] == "error"
    assert "no_such_factory" in report["claims"][0]["message"]


def test_a_profile_version_change_makes_an_energy_golden_stale(
    project: pytest.Pytester,
) -> None:
    from neurocost.energy.registry import PROFILE_DIR

    profile = (PROFILE_DIR / "cmos45.yaml").read_text()
    version = re.search(r'^version: "([^"]+)"', profile, flags=re.M).group(1)
    (project.path / "cmos45.yaml").write_text(profile)
    project.makefile(
        ".claims.yaml",
        paper="""
claims:
  - id: smlp-energy
    source: "neurocost golden"
    model: zoo:smlp
    profile: cmos45.yaml
    metric: energy_j
    expected: golden
""",
    )
    project.runpytest(*QUIET, "--claims-update").assert_outcomes(passed=1)
    (project.path / "cmos45.yaml").write_text(profile.replace(version, version + "-revised"))
    result = project.runpytest(*QUIET)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            f"*STALE: the golden value was recorded under other conditions (profile.version was "
            f"'{version}', is '{version}-revised' now)*"
        ]
    )
