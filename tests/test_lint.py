"""The code stays `ruff` clean (rules and line length in pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def ruff():
    found = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(found).exists():
        pytest.skip("ruff is not installed (it comes with the `test` extra)")
    return found


@pytest.mark.parametrize("check", [["check"], ["format", "--check"]])
def test_ruff(check):
    result = subprocess.run(
        [ruff(), *check, "keras_seqgan", "tests", "benchmarks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
