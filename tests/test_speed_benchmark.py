"""The speed benchmark (`benchmarks/speed.py`): its floor arithmetic and a smoke run."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from types import SimpleNamespace

import pytest
from _benchmarks import load_benchmark

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def speed_benchmark():
    return load_benchmark("speed")


def test_iteration_cost_counts_the_paper_sizes(speed_benchmark):
    from keras_seqgan.models.discriminator import PAPER_FILTER_SIZES, PAPER_NUM_FILTERS

    paper = SimpleNamespace(
        embedding_dim=64,
        filter_sizes=PAPER_FILTER_SIZES,
        num_filters=PAPER_NUM_FILTERS,
        num_features=sum(PAPER_NUM_FILTERS),
        highway_layers=1,
    )
    cost = speed_benchmark.iteration_cost(5000, 20, 64, 16, 32, 32, paper)
    assert cost["rollout_tokens"] == 64 * 16 * 190  # 194,560 (PERFORMANCE.md)
    sampled = 194_560 + 2 * 64 * 20  # rollouts, fakes for D, G's own sample
    assert cost["exp_elements"] == 5000 * sampled
    assert cost["projection_flops"] == 2 * 32 * 5000 * (sampled + 3 * 64 * 20)
    # Scoring the 19,456 completions with the paper's discriminator: ~530 GFLOP.
    scoring = speed_benchmark.discriminator_forward_flops(20, paper) * 64 * 16 * 19
    assert 500e9 < scoring < 550e9
    assert cost["flops"] == cost["projection_flops"] + cost["other_flops"]


@pytest.mark.slow  # ~3 minutes on 2 cores (tracing and XLA compilation dominate)
def test_smoke_run_times_every_variant(speed_benchmark, tmp_path):
    output = tmp_path / "speed.json"
    record = speed_benchmark.main(["--preset", "smoke", "--output", str(output)])
    saved = json.loads(output.read_text())
    assert saved["variants"] == record["variants"] and "--preset smoke" in saved["command"]
    for key in ("date", "machine", "versions", "config", "rates", "iteration_cost"):
        assert key in saved, key
    rows = {(row["discriminator"], row["variant"]): row for row in saved["variants"]}
    expected = {(kind, v) for kind in ("paper", "small") for v in speed_benchmark.VARIANTS}
    assert set(rows) == expected
    for name, row in rows.items():
        for key in ("median_ms", "min_ms", "max_ms", "compile_s", "floor_ms", "x_floor"):
            assert math.isfinite(row[key]) and row[key] > 0, (name, key, row[key])
        assert row["min_ms"] <= row["median_ms"] <= row["max_ms"], (name, row)
        assert 0.0 <= row["reward_mean"] <= 1.0, (name, row)
    assert rows[("small", "naive")]["speedup_vs_naive"] == 1.0
    assert {row["path"] for row in saved["hot_paths"]} == {"mle_epoch", "generate", "nll_oracle"}
    assert all(row["seconds"] > 0 and row["floor_s"] > 0 for row in saved["hot_paths"])
    assert saved["scaling"] is None and saved["backends"] is None


@pytest.mark.slow
def test_scaling_point_runs_in_its_own_process(speed_benchmark):
    smoke = speed_benchmark.PRESETS["smoke"]
    point = {key: smoke[key] for key in speed_benchmark.SIZE_KEYS}
    point.update(iterations=2, square_gflops=50.0, rollout_chunk_size=None)
    row = speed_benchmark.run_point_process(point)
    assert "error" not in row, row
    assert row["iterations"] == 2 and row["median_ms"] > 0 and row["floor_ms"] > 0
    assert 100 < row["peak_rss_mib"] < 20_000  # its own peak, not the parent's


@pytest.mark.slow  # ~2.5 minutes on 2 cores: 4 processes, each importing and compiling anew
def test_backends_table_times_each_backend_and_replica_count(speed_benchmark, tmp_path):
    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax is not installed")
    output = tmp_path / "speed.json"
    argv = ["--preset", "smoke", "--backends", "--variants", "fit-graph"]
    speed_benchmark.main(argv + ["--discriminators", "small", "--output", str(output)])
    rows = json.loads(output.read_text())["backends"]
    assert [(row["backend"], row["replicas"]) for row in rows] == [
        ("tensorflow", 1),
        ("tensorflow", 2),
        ("jax", 1),
        ("jax", 2),
    ]
    for row in rows:
        assert "error" not in row, row
        for key in ("median_ms", "min_ms", "max_ms", "compile_s", "steps_per_s"):
            assert math.isfinite(row[key]) and row[key] > 0, (row["backend"], key, row)
        assert row["num_devices"] == len(row["devices"]) == row["replicas"], row
        assert row["env"]["KERAS_BACKEND"] == row["backend"], row
        assert row["speed_vs_tf_1"] > 0 and 0.0 <= row["reward_mean"] <= 1.0, row
    assert rows[0]["speed_vs_tf_1"] == 1.0
    assert "device_count=2" in rows[3]["env"]["XLA_FLAGS"]
    assert "device_count" not in rows[2]["env"]["XLA_FLAGS"]


@pytest.mark.slow  # it traces two SeqGANs and measures the machine's matmul speed
def test_step_time_times_objectives_and_batch_sizes_side_by_side(tmp_path, capsys):
    step_time = load_benchmark("step_time")
    output = tmp_path / "step_time.json"
    step_time.main(["--vocabulary-size", "12", "--sequence-length", "4", "--num-rollouts", "2",
                    "--steps", "1", "--modes", "graph", "--runs", "reinforce:4,dense:8",
                    "--output", str(output)])  # fmt: skip
    rows = json.loads(output.read_text())["results"]
    assert [(r["objective"], r["batch_size"]) for r in rows] == [("reinforce", 4), ("dense", 8)]
    assert all(r["median_ms"] > 0 for r in rows)
    assert "dense         8  graph" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        step_time.main(["--runs", "dense"])
