"""The documentation's figures: `benchmarks/figures.py` draws them from the committed
results, and every figure a page shows is committed in `docs/figures/`."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SCRIPT = ROOT / "benchmarks" / "figures.py"
EXPECTED = (
    "oracle_paper_curves.png",
    "oracle_cpu_curves.png",
    "oracle_cpu_frontier.png",
    "oracle_scratch_frontier.png",
    "oracle_ablation.png",
    "time_to_quality.png",
    "speed_paper.png",
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
IMAGE = re.compile(r"!\[[^\]]*\]\((figures/[^)\s]+\.png)\)")


def png_size(path):
    """(width, height) from the IHDR chunk; fails on anything that is not a PNG."""
    head = Path(path).read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert head[12:16] == b"IHDR", f"{path} has no IHDR chunk first"
    return struct.unpack(">II", head[16:24])


def run_script(*args):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    pytest.importorskip("matplotlib")
    output = tmp_path_factory.mktemp("figures")
    result = run_script("--output", str(output))
    assert result.returncode == 0, result.stdout + result.stderr
    return output, result.stdout


# Slow: each run of the script imports TensorFlow (~10 s); the default suite is at its
# 10-minute budget. The check that every shown figure is committed stays in it.
@pytest.mark.slow
@pytest.mark.parametrize("name", EXPECTED)
def test_the_script_draws_each_figure(drawn, name):
    output, printed = drawn
    path = output / name
    assert path.is_file(), (name, printed)
    assert name in printed
    width, height = png_size(path)
    assert 600 <= width <= 2000 and 300 <= height <= 1200, (name, width, height)
    assert 10_000 < path.stat().st_size < 150_000, (name, path.stat().st_size)


@pytest.mark.slow
def test_a_missing_results_file_fails_with_its_name(tmp_path):
    pytest.importorskip("matplotlib")
    result = run_script("--results", str(tmp_path / "nowhere"), "--output", str(tmp_path))
    assert result.returncode != 0
    assert "oracle_paper/results.json is missing" in result.stderr, result.stderr
    assert not list(tmp_path.glob("*.png"))


def test_every_figure_a_page_shows_is_committed():
    shown = {
        (page.relative_to(DOCS), link)
        for page in DOCS.rglob("*.md")
        for link in IMAGE.findall(page.read_text())
    }
    assert {link for _, link in shown} >= {f"figures/{name}" for name in EXPECTED}
    for page, link in sorted(shown):
        path = (DOCS / page).parent / link
        assert path.is_file(), f"docs/{page} shows {link}, which is not in docs/figures/"
        png_size(path)
