"""A trace depends on the model and its input only, never on what ran before it.

Every zoo entry is traced fresh, traced again, traced after an unrelated forward pass, traced as a
deep copy of a model that has already run (a copy, like an unpickled model, is built without
``__init__``, so snnTorch's own instance list does not know its neurons), and traced in a second
Python process: all rows must be identical. With ``snntorch.utils.reset`` as the reset, the
nested Leaky neurons of ``spikformer`` and ``spiking_bert``, and every neuron of a copied model,
kept the membrane of the previous run, and these comparisons differed.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import torch

import neurocost as nc
from neurocost.models import zoo
from tests.models.test_zoo import SMALL

NAMES = zoo.names()


def _example(name: str) -> tuple[torch.nn.Module, torch.Tensor, int | None]:
    kw = SMALL.get(name, {})
    steps = None if zoo.entry(name).stepwise else 1
    return zoo.get(name, **kw), zoo.example_input(name, batch=2, **kw), steps


def _rows(model: torch.nn.Module, x: torch.Tensor, steps: int | None) -> pd.DataFrame:
    return nc.trace(model, x, steps).layers


def _unrelated_run(model: torch.nn.Module, x: torch.Tensor, steps: int | None) -> None:
    """A plain forward pass on other data, as a user's own evaluation would leave it."""
    other = torch.flip(x, dims=[0]) if x.dtype == torch.long else x * 3 + 0.5
    with torch.no_grad():
        if steps is None:
            for frame in other:
                model(frame)
        else:
            model(other)


@pytest.mark.parametrize("name", NAMES)
def test_rows_do_not_depend_on_what_ran_before(name: str) -> None:
    model, x, steps = _example(name)
    fresh = _rows(model, x, steps)
    if steps is None:  # a spiking model: the comparison can only fail if neurons hold state
        assert fresh["spikes_out"].sum() > 0
    pd.testing.assert_frame_equal(_rows(model, x, steps), fresh)
    _unrelated_run(model, x, steps)
    pd.testing.assert_frame_equal(_rows(model, x, steps), fresh)
    _unrelated_run(model, x, steps)
    pd.testing.assert_frame_equal(_rows(copy.deepcopy(model), x, steps), fresh)


_CHILD = """
import json, sys
from pathlib import Path
from tests.tracing.test_trace_history import _example, _rows
for name in json.loads(sys.argv[1]):
    _rows(*_example(name)).to_pickle(Path(sys.argv[2]) / f"{name}.pkl")
"""


def test_rows_are_the_same_in_another_process(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", _CHILD, json.dumps(NAMES), str(tmp_path)], cwd=root,
                   check=True)
    for name in NAMES:
        theirs = pd.read_pickle(tmp_path / f"{name}.pkl")
        pd.testing.assert_frame_equal(theirs, _rows(*_example(name)), obj=name)
