"""The time-to-quality benchmark (`benchmarks/time_to_quality.py`): its arithmetic on
made-up curves, and a smoke run on the paper's oracle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _benchmarks import load_benchmark

ROOT = Path(__file__).resolve().parents[1]
REAL_ORACLE = ROOT.parent / "shared" / "data" / "seqgan_oracle_lstm.npz"


@pytest.fixture(scope="module")
def ttq():
    return load_benchmark("time_to_quality")


def _row(arm, seed, curve):
    last = curve[-1]
    return {"arm": arm, "seed": seed, "steps": last["step"], "first_step_s": 5.0,
            "train_s": last["train_s"], "seconds_per_step": 1.0, "mean_load": 1.0,
            "nll_oracle": last["nll_oracle"], "nll_gen": last["nll_gen"],
            "curve": curve}  # fmt: skip


def _curve(*points):
    return [{"step": 10 * (i + 1), "train_s": seconds, "nll_oracle": nll, "nll_gen": 9.2}
            for i, (seconds, nll) in enumerate(points)]  # fmt: skip


@pytest.mark.backend_independent("arithmetic on made-up curves and objects' configs")
def test_times_to_each_improvement_and_to_the_16_rollout_level(ttq, tmp_path, capsys):
    import keras_seqgan as ks

    for name, (description, spec) in ttq.ARMS.items():
        assert description, name
        if not spec.get("gumbel") and not spec.get("dense"):
            ks.objectives.Reinforce(**spec)  # every Reinforce arm's settings are valid
    # The start lies at 9.0: -0.1 is 8.9, -0.2 is 8.8, -0.3 is 8.7.
    rows = [
        _row("reinforce_16", 1, _curve((50, 8.95), (100, 8.85), (150, 8.75))),
        _row("reinforce_16", 2, _curve((50, 8.92), (100, 8.88), (150, 8.79))),
        _row("reinforce_4", 1, _curve((50, 8.80), (100, 8.60))),
        _row("reinforce_4", 2, _curve((50, 8.89), (100, 8.99))),
    ]
    frontier = [{"temperature": t, "nll_gen": g, "nll_oracle": o}
                for t, g, o in [(0.9, 9.0, 8.8), (1.0, 9.4, 9.0)]]  # fmt: skip
    summary = ttq.summarize(rows, 9.0, frontier)
    sixteen, four = summary["reinforce_16"], summary["reinforce_4"]
    assert sixteen["seconds_to_0.1"] == [100, 100] and sixteen["seconds_to_0.2"] == [150, 150]
    assert sixteen["seconds_to_0.3"] == [None, None]
    assert four["seconds_to_0.1"] == [50, 50] and four["seconds_to_0.2"] == [50, None]
    assert four["steps_to_0.2"] == [10, None] and sixteen["steps_to_0.2"] == [30, 30]
    # 0.1 below the frontier (8.9 at NLL-gen 9.2) is NLL-oracle 8.8 or less.
    assert four["seconds_to_margin_0.1"] == [50, None]
    assert sixteen["seconds_to_margin_0.1"] == [150, 150]
    # reinforce_16's mean final NLL-oracle is 8.77: seed 1 of reinforce_4 reaches it
    # at 100 s, seed 2 never does (it went back up).
    assert sixteen["reference_level"] == pytest.approx(8.77)
    assert four["seconds_to_reference"] == [100, None]
    # The mean final point (8.795 at NLL-gen 9.2) against the frontier's 8.9 there.
    assert four["margin_start"] == pytest.approx(0.105)
    record = {"rows": rows, "start_nll_oracle": 9.0, "frontier": frontier,
              "config": {"budget": 150.0}}  # fmt: skip
    (tmp_path / "results.json").write_text(json.dumps(record))
    assert ttq.main(["--report", "--output", str(tmp_path)]) == 0
    table = (tmp_path / "table.md").read_text()
    assert "| `reinforce_4` |" in table and "| 50 (50, 50) | 50, not reached |" in table
    with pytest.raises(SystemExit):
        ttq.parse_args(["--budget", "0"])
    with pytest.raises(SystemExit):
        ttq.parse_args(["--arms", "reinforce_4,nonsense"])
    assert "--arms: unknown ['nonsense']" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(not REAL_ORACLE.exists(), reason=f"needs the paper's oracle at {REAL_ORACLE}")
def test_smoke_run_stops_on_its_clock_and_resumes(ttq, tmp_path, capsys):
    common = ["--preset", "smoke", "--oracle", str(REAL_ORACLE), "--output", str(tmp_path)]
    assert ttq.main([*common, "--arms", "dense", "--seeds", "1"]) == 0
    record = json.loads((tmp_path / "results.json").read_text())
    (row,) = record["rows"]
    budget = record["config"]["budget"]
    # Evaluated on the clock, the last time after the budget was spent.
    times = [p["train_s"] for p in row["curve"]]
    assert times == sorted(times) and times[-1] >= budget
    assert row["steps"] >= 1 and row["first_step_s"] > 0
    for name in ("table.md", "discriminator_pretrained.keras", "models/dense-seed1.keras"):
        assert (tmp_path / name).stat().st_size > 0, name
    # --resume keeps that row and trains only the new seed.
    capsys.readouterr()
    assert ttq.main([*common, "--arms", "dense", "--seeds", "1", "2", "--resume"]) == 0
    again = json.loads((tmp_path / "results.json").read_text())
    assert again["rows"][0] == row and [r["seed"] for r in again["rows"]] == [1, 2]
    assert "== arm dense, seed 1" not in capsys.readouterr().out
    with pytest.raises(SystemExit, match="other settings"):
        ttq.main([*common, "--arms", "dense", "--resume", "--budget", "9"])
