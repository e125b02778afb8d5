"""``neurocost zoo list`` prints every zoo entry."""

from __future__ import annotations

import pytest

from neurocost.cli import main
from neurocost.models import zoo


def test_zoo_list_names_every_entry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["zoo", "list"]) == 0
    printed = capsys.readouterr().out
    for name in zoo.names():
        assert name in printed
