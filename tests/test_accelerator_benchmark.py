"""The accelerator benchmark (`benchmarks/accelerator.py`): its small preset on this CPU."""

from __future__ import annotations

import json
import math

import keras
import pytest
from _benchmarks import load_benchmark

TIMES = ("median_ms", "min_ms", "max_ms", "mean_ms", "compile_s")


@pytest.fixture(scope="module")
def accelerator():
    return load_benchmark("accelerator")


def check_record(saved, precisions, measurements):
    """Every field of the record there, every time positive, every row expected."""
    for key in ("benchmark", "date", "machine", "versions", "backend", "device", "command",
                "config", "results", "targets", "complete", "total_s"):  # fmt: skip
        assert key in saved, key
    assert saved["benchmark"] == "accelerator" and saved["complete"] is True
    assert saved["backend"] == keras.backend.backend()
    assert saved["device"]["platform"] and saved["device"]["name"], saved["device"]
    assert "--preset small" in saved["command"] and saved["total_s"] > 0
    assert saved["config"]["precisions"] == precisions
    assert saved["config"]["vocabulary_size"] == 50 and saved["config"]["discriminator"] == "paper"
    assert keras.config.dtype_policy().name == "float32"  # restored after bfloat16
    rows = {(row["precision"], row["measurement"]): row for row in saved["results"]}
    expected = {(p, m) for p in precisions for m in measurements}
    if "--naive-precisions" not in saved["command"]:  # by default the naive loop in float32
        expected -= {(p, "naive_iteration") for p in precisions if p != "float32"}
    assert set(rows) == expected, sorted(rows)
    for name, row in rows.items():
        for key in TIMES:
            # Rounded figures: a tiny matmul's compile time can round to 0.0 s.
            assert math.isfinite(row[key]) and row[key] >= 0, (name, key, row)
        assert row["median_ms"] > 0, (name, row)
        assert row["min_ms"] <= row["median_ms"] <= row["max_ms"], (name, row)
        assert row["iterations"] == len(row["times_ms"]) >= 1, (name, row)
    return rows


def test_a_quick_run_writes_the_record(accelerator, tmp_path):
    """The naive loop of this backend (`JaxPythonLoop` on JAX), an MLE epoch, generating
    and the matmul; float32 only, no XLA step (its compilation takes ~30 s here)."""
    output = tmp_path / "accelerator.json"
    argv = ["--preset", "small", "--precisions", "float32", "--skip", "xla"]
    record = accelerator.main(argv + ["--output", str(output)])
    saved = json.loads(output.read_text())
    assert saved["results"] == record["results"]
    measurements = ("matmul", "naive_iteration", "mle_epoch", "generate")
    rows = check_record(saved, ["float32"], measurements)
    assert 0.0 <= rows[("float32", "naive_iteration")]["reward_mean"] <= 1.0
    assert rows[("float32", "matmul")]["tflops"] > 0
    assert rows[("float32", "mle_epoch")]["sequences"] == 256
    assert saved["targets"] == []  # no XLA iteration to compare


@pytest.mark.slow  # ~100-130 s on 2 cores: the XLA step's compilation, twice
def test_the_small_preset_times_everything_in_both_precisions(accelerator, tmp_path):
    output = tmp_path / "accelerator.json"
    accelerator.main(["--preset", "small", "--output", str(output)])
    saved = json.loads(output.read_text())
    measurements = ("matmul", "xla_iteration", "naive_iteration", "mle_epoch", "generate")
    rows = check_record(saved, ["float32", "bfloat16"], measurements)
    naive = rows[("float32", "naive_iteration")]  # the naive loop in float32 only, by default
    for precision in ("float32", "bfloat16"):
        xla = rows[(precision, "xla_iteration")]
        assert xla["speedup_vs_naive"] == round(naive["median_ms"] / xla["median_ms"], 2)
        assert xla["naive_precision"] == "float32"
    assert saved["config"]["dtype_policies"]["bfloat16"] == "mixed_bfloat16"
    assert len(saved["targets"]) == 4
    assert all(isinstance(goal["met"], bool) for goal in saved["targets"])


def test_unknown_names_are_refused(accelerator, capsys):
    for argv in (
        ["--skip", "xla,nothing"],
        ["--precisions", "float16"],
        ["--precisions", ""],
        ["--naive-precisions", "float64"],
    ):
        with pytest.raises(SystemExit):
            accelerator.parse_args(argv)
    assert "--precisions" in capsys.readouterr().err
