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


def test_row_floor_counts_each_network_at_its_precision(speed_benchmark):
    cost = {"projection_flops": 6e9, "lstm_flops": 2e9, "discriminator_flops": 30e9,
            "other_flops": 32e9, "exp_elements": 4e9}  # fmt: skip
    f32 = {"projection_gflops": 100.0, "square_gflops": 200.0, "exp_per_s": 2e9}
    bf16 = {"projection_gflops": 150.0, "square_gflops": 500.0, "exp_per_s": 1e9}
    rates = {"float32": f32, "bfloat16": bf16}
    policies = {"generator": "float32", "discriminator": "float32"}
    seconds, used = speed_benchmark.row_floor(cost, policies, rates)
    assert seconds == pytest.approx(6 / 100 + 2 / 200 + 30 / 200 + 4 / 2)
    assert used == {"generator": "float32", "discriminator": "float32"}
    assert seconds == pytest.approx(speed_benchmark.floor_seconds(cost, f32))
    # A discriminator in mixed_bfloat16: its FLOPs, and only those, at the bf16 rate.
    policies["discriminator"] = "mixed_bfloat16"
    seconds, used = speed_benchmark.row_floor(cost, policies, rates)
    assert seconds == pytest.approx(6 / 100 + 2 / 200 + 30 / 500 + 4 / 2)
    assert used == {"generator": "float32", "discriminator": "bfloat16"}
    # Both in bfloat16: the projection at bf16's; exp at float32's, bf16's being slower.
    policies["generator"] = "mixed_bfloat16"
    seconds, _ = speed_benchmark.row_floor(cost, policies, rates)
    assert seconds == pytest.approx(6 / 150 + 2 / 500 + 30 / 500 + 4 / 2)
    # No bfloat16 rates (no bf16 instructions): the float32 floor, said so.
    seconds, used = speed_benchmark.row_floor(cost, policies, {"float32": f32, "bfloat16": None})
    assert seconds == pytest.approx(6 / 100 + 2 / 200 + 30 / 200 + 4 / 2)
    assert used == {"generator": "float32", "discriminator": "float32"}
    assert speed_benchmark.precision_label(policies) == "bf16/bf16"
    policies["generator"] = "float32"
    assert speed_benchmark.precision_label(policies) == "f32/bf16"


def test_new_variants_exist_and_build_their_settings(speed_benchmark):
    import inspect

    import keras

    import keras_seqgan as ks

    sb = speed_benchmark
    assert sb.VARIANT_SETS["targets"] == (
        "naive", "naive-bf16", "fit-defaults", "fit-best", "fit-graph", "fit-xla"
    )  # fmt: skip
    for variant in sb.VARIANTS:  # each is timed by the loop or by `fit`
        assert variant in sb.FIT_VARIANTS or variant in ("naive", "naive-bf16", "seed-fix")
    assert sb.parse_args(["--variants", "targets"]).variants.split(",") == list(sb.TARGET_VARIANTS)
    assert sb.parse_args([]).variants.split(",") == list(sb.VARIANTS)
    with pytest.raises(SystemExit):
        sb.parse_args(["--variants", "naive,fit-fastest"])
    # fit-defaults passes nothing but compile's own defaults: what a user gets.
    defaults = inspect.signature(ks.SeqGAN.compile).parameters
    options = sb.compile_options("fit-defaults")
    assert options == sb.FIT_COMMON
    assert all(defaults[key].default == value for key, value in options.items()), options
    assert defaults["jit_compile"].default == "auto"
    assert defaults["rollout_jit_compile"].default is False
    best = sb.compile_options("fit-best")
    assert best["jit_compile"] is False and best["rollout_jit_compile"] is True
    assert best["rollout_shared_prefix"] is True
    assert sb.VARIANT_DTYPES["fit-best"] == sb.VARIANT_DTYPES["naive-bf16"] == {
        "generator": "float32", "discriminator": "mixed_bfloat16"
    }  # fmt: skip
    size = {"vocabulary_size": 12, "sequence_length": 6}
    g, d = sb.build_models(size, "small", sb.VARIANT_DTYPES["fit-best"])
    assert sb.dtype_policies(g, d) == {"generator": "float32", "discriminator": "mixed_bfloat16"}
    g, d = sb.build_models(size, "small")  # no dtypes: the global policy, as before
    assert sb.dtype_policies(g, d) == {
        "generator": keras.config.dtype_policy().name,
        "discriminator": keras.config.dtype_policy().name,
    }


def test_target_rows_put_each_target_beside_its_ratio(speed_benchmark):
    medians = {("small", "naive"): 4000.0, ("small", "fit-defaults"): 1000.0,
               ("small", "fit-graph"): 1000.0, ("small", "fit-xla"): 1000.0,
               ("paper", "naive"): 6000.0, ("paper", "fit-defaults"): 2500.0,
               ("paper", "fit-graph"): 3000.0, ("paper", "fit-xla"): 2900.0}  # fmt: skip
    rows = [{"discriminator": k, "variant": v, "median_ms": ms} for (k, v), ms in medians.items()]
    targets = {(t["variant"], t["discriminator"]): t for t in speed_benchmark.target_rows(rows)}
    assert targets[("fit-defaults", "small")]["speedup"] == 4.0  # exactly 4x counts
    assert targets[("fit-defaults", "small")]["status"] == "met"
    assert targets[("fit-defaults", "paper")]["speedup"] == 2.4
    assert targets[("fit-defaults", "paper")]["status"] == "not met"
    assert targets[("fit-xla", "small")]["status"] == "not met"  # as fast is not faster
    assert targets[("fit-xla", "paper")]["status"] == "met"
    assert targets[("fit-xla", "paper")]["speedup"] == round(3000 / 2900, 2)
    # A pair with a variant that did not run is left out.
    without = [r for r in rows if r["variant"] != "fit-xla"]
    assert {t["variant"] for t in speed_benchmark.target_rows(without)} == {"fit-defaults"}


@pytest.mark.slow  # ~2.5 minutes on 2 cores (tracing and XLA compilation dominate)
def test_smoke_run_times_every_variant(speed_benchmark, tmp_path, capsys):
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
    bf16 = bool(saved["machine"]["cpu_bfloat16"])
    assert (saved["rates_bfloat16"] is not None) == bf16
    for kind in ("paper", "small"):
        floors = saved["floors_ms"][kind]
        assert set(floors) == {"float32", "D bfloat16"} and floors["float32"] > 0, floors
        assert floors["D bfloat16"] <= floors["float32"], floors
        assert rows[(kind, "naive")]["floor_ms"] == floors["float32"]
        for variant in ("naive-bf16", "fit-best"):
            row = rows[(kind, variant)]
            assert row["dtype_policies"]["discriminator"] == "mixed_bfloat16", row
            assert row["floor_ms"] == floors["D bfloat16"], row
            assert row["floor_precisions"]["discriminator"] == ("bfloat16" if bf16 else "float32")
        assert rows[(kind, "fit-defaults")]["dtype_policies"]["discriminator"] == "float32"
    assert [(t["variant"], t["discriminator"]) for t in saved["targets"]] == [
        ("fit-defaults", "small"), ("fit-defaults", "paper"),
        ("fit-xla", "small"), ("fit-xla", "paper"),
    ]  # fmt: skip
    assert all(t["status"] in ("met", "not met") for t in saved["targets"])
    printed = capsys.readouterr().out
    assert "bfloat16 instructions: " in printed and "Targets (issue 22)" in printed
    assert [row["path"] for row in saved["hot_paths"]] == [
        "mle_epoch", "mle_epoch_graph", "mle_epoch_keras_loss", "mle_epoch_bf16", "generate",
        "nll_oracle",
    ]  # fmt: skip
    assert saved["hot_paths"][2]["speedup_vs_keras_loss"] == 1.0
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


@pytest.mark.slow  # ~20 s: four small fits at V=5,000, two of them compiled with XLA
def test_mle_step_modes_times_each_compile_setting(tmp_path, capsys):
    modes = load_benchmark("mle_step_modes")
    output = tmp_path / "mle_step_modes.json"
    record = modes.main(["--modes", "defaults,graph,bf16-graph,xla-hoisted", "--repeats", "1",
                         "--samples", "64", "--output", str(output)])  # fmt: skip
    rows = {row["mode"]: row for row in json.loads(output.read_text())["mle_epoch"]}
    assert rows["defaults"]["jit_compile"] is True and rows["graph"]["jit_compile"] is False
    assert rows["bf16-graph"]["dtype_policy"] == "mixed_bfloat16"
    assert all(row["median_s"] > 0 for row in rows.values())
    assert 0.9 < record["generate"]["same_tokens_fraction"] <= 1.0
    assert "xla-hoisted" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        modes.main(["--modes", "tpu"])
