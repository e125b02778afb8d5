"""The HTML report in a real browser: Debian's chromium, headless, offline, with a screenshot.

CI installs chromium (``apt-get update && apt-get install -y chromium``). The page is loaded
from a file with network features off; chromium's ``--enable-logging=stderr`` prints every
console message, so an error on the page (a broken SVG, a blocked fetch) fails the test. The
screenshot is kept as an artifact in ``$NEUROCOST_ARTIFACTS`` (default: pytest's tmp dir).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .fake_results import render_fake_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("CI") != "true",
    reason="chromium not installed (apt-get install -y chromium); required when CI=true",
)


def chromium(page: Path, profile_dir: Path, *mode: str) -> subprocess.CompletedProcess[str]:
    if CHROMIUM is None:
        pytest.fail("CI=true but chromium is not installed: apt-get install -y chromium")
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile_dir}", *mode, page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_fake_report(tmp_path_factory.mktemp("browser")).html


def test_page_renders_with_its_figures_and_no_console_errors(report: Path,
                                                             tmp_path: Path) -> None:
    run = chromium(report, tmp_path / "profile", "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    assert len(re.findall(r"<svg\b", dom)) == 4
    assert dom.count('<figure class="report-figure">') == 4
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line]
    assert console == []


def test_screenshot_is_saved_as_an_artifact(report: Path, tmp_path: Path) -> None:
    artifacts = Path(os.environ.get("NEUROCOST_ARTIFACTS", tmp_path / "artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    shot = artifacts / "report.png"
    shot.unlink(missing_ok=True)
    run = chromium(report, tmp_path / "profile", "--window-size=1280,2400",
                   f"--screenshot={shot}")
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # a blank 1280x2400 page shoots to about 14 kB (chromium 156); this report to over 300 kB
    assert shot.stat().st_size > 50_000
