"""The oracle benchmark (`benchmarks/oracle.py`): its frontier arithmetic and a smoke run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _benchmarks import load_benchmark

ROOT = Path(__file__).resolve().parents[1]
REAL_ORACLE = ROOT.parent / "shared" / "data" / "seqgan_oracle_lstm.npz"


@pytest.fixture(scope="module")
def oracle_benchmark():
    return load_benchmark("oracle")


def test_presets_follow_the_paper_where_they_say_so(oracle_benchmark):
    paper, cpu = oracle_benchmark.PRESETS["paper"], oracle_benchmark.PRESETS["cpu"]
    assert paper["mle_epochs"] == 120 and paper["mle_learning_rate"] == 0.01
    assert (paper["d_pretrain_rounds"], paper["d_pretrain_epochs"]) == (50, 3)
    assert paper["adversarial_steps"]["reinforce"] == 200 and paper["num_rollouts"] == 16
    assert (paper["d_rounds"], paper["d_epochs"], paper["d_learning_rate"]) == (5, 3, 1e-4)
    assert paper["discriminator"] == "paper" and paper["schedule"] == "paper"
    assert paper["generator_initializer"] == "paper"  # the authors' N(0, 0.1)
    # The cpu preset keeps the paper's MLE stage, so its MLE figures are the paper's.
    mle_keys = (
        "num_train",
        "batch_size",
        "mle_epochs",
        "mle_learning_rate",
        "generator_initializer",
    )
    for key in mle_keys:
        assert cpu[key] == paper[key], key
    assert set(cpu["objectives"]) == {"reinforce", "gumbel"}


def test_bad_stage_is_rejected(oracle_benchmark):
    with pytest.raises(SystemExit):
        oracle_benchmark.parse_args(["--stages", "mle,nonsense"])


def test_adversarial_seed_is_its_own_and_reseeds_only_when_it_differs(oracle_benchmark):
    import random

    import keras

    args = oracle_benchmark.parse_args(["--seed", "7"])
    assert args.adversarial_seed is None
    keras.utils.set_random_seed(123)
    expected = random.random()
    keras.utils.set_random_seed(123)
    for argv in (["--seed", "7"], ["--seed", "7", "--adversarial-seed", "7"]):
        assert oracle_benchmark.adversarial_seed(oracle_benchmark.parse_args(argv)) == 7
    assert random.random() == expected  # the global generators left as they were
    args = oracle_benchmark.parse_args(["--seed", "7", "--adversarial-seed", "9"])
    assert oracle_benchmark.adversarial_seed(args) == 9
    first = random.random()
    keras.utils.set_random_seed(9)
    assert first == random.random()  # reseeded from --adversarial-seed


@pytest.mark.slow
@pytest.mark.skipif(not REAL_ORACLE.exists(), reason=f"needs the paper's oracle at {REAL_ORACLE}")
def test_smoke_run_writes_every_output(oracle_benchmark, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    record = oracle_benchmark.main(
        ["--preset", "smoke", "--oracle", str(REAL_ORACLE), "--output", str(tmp_path),
         "--objectives", "gumbel", "--verbose", "0"]
    )  # fmt: skip
    outputs = ["results.json", "curves.csv", "curves.png", "frontier.png", "seqgan_gumbel.keras"]
    outputs += ["generator_mle.keras", "generator_mle_early_stopped.keras"]
    for name in outputs:
        assert (tmp_path / name).stat().st_size > 0, name
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["points"] == record["points"] and saved["preset"] == "smoke"
    stages = {p["stage"] for p in saved["points"]}
    assert stages == {"mle", "adversarial-gumbel"}
    # MLE points at epochs 0, 1, 2; adversarial at steps 0, 1, 2; all at temperature 1.
    assert [p["step"] for p in saved["points"] if p["stage"] == "mle"] == [0, 1, 2]
    assert all(p.get("temperature", 1.0) > 0 for p in saved["points"])
    models = {row["model"] for row in saved["frontier"]}
    assert "gumbel" in models and any(m.startswith("mle (") for m in models)
    assert set(saved["summary"]["frontier_margin"]) == {"gumbel T=1"}
    assert saved["stage_seconds"]["mle"] > 0 and "tf_matmul_gflops_4096" not in saved["machine"]
    assert "NLL-oracle" in capsys.readouterr().out
    # A second run reuses that MLE stage instead of training it again.
    again = tmp_path / "again"
    reused = oracle_benchmark.main(
        ["--preset", "smoke", "--oracle", str(REAL_ORACLE), "--output", str(again),
         "--stages", "mle", "--mle-from", str(tmp_path), "--set", "d_steps=2", "--verbose", "0",
         "--adversarial-seed", "5"]
    )  # fmt: skip
    # The adversarial stages' seed is its own; the MLE stage's data keep --seed.
    assert (reused["seed"], reused["adversarial_seed"]) == (88, 5)
    assert saved["adversarial_seed"] == saved["seed"] == 88
    mle_points = [p for p in saved["points"] if p["stage"] == "mle"]
    assert reused["points"] == mle_points and "mle" not in reused["stage_seconds"]
    assert reused["summary"]["mle_final"] == saved["summary"]["mle_final"]
    assert reused["config"]["d_steps"] == 2


def test_bad_overrides_are_rejected(oracle_benchmark, tmp_path):
    for bad in (["--set", "no_such_key=1"], ["--set", "d_steps"], ["--set", "d_steps=[1"]):
        with pytest.raises(SystemExit, match="--set"):
            oracle_benchmark.main(["--preset", "smoke", "--oracle", str(REAL_ORACLE),
                                   "--output", str(tmp_path), *bad])  # fmt: skip


@pytest.mark.backend_independent("argument checks and objects' configs, no training")
def test_every_ablation_arm_builds_and_resume_refuses_other_settings(tmp_path, capsys):
    import keras_seqgan as ks

    ablation = load_benchmark("oracle_ablation")
    for name, (description, spec) in ablation.ARMS.items():
        assert description, name
        unknown = set(spec) - {"objective", "discriminator", "compile", "gumbel",
                               "rollout_factor", "g_epsilon", "constant_reward",
                               "refit_every", "dense"}  # fmt: skip
        assert not unknown, (name, unknown)
        assert spec.get("refit_every", 1) >= 1, name
        ks.objectives.Reinforce(**spec.get("objective", {}))
        ks.objectives.Gumbel(**spec.get("gumbel", {}))
        ks.objectives.DenseReward(**spec.get("dense", {}))
        ks.models.Discriminator(vocabulary_size=5, sequence_length=20,
                                **spec.get("discriminator", {}))  # fmt: skip

    args = ablation.parse_args(["--preset", "smoke", "--output", str(tmp_path)])
    config = dict(ablation.PRESETS["smoke"])
    assert ablation.previous_run(str(tmp_path), args, config) is None  # nothing to resume
    rows = [{"arm": "reinforce", "seed": seed, "nll_oracle": 9.0 + seed / 10,
             "nll_gen": 9.2} for seed in (1, 2)]  # fmt: skip
    frontier = [{"temperature": t, "nll_gen": g, "nll_oracle": o}
                for t, g, o in [(0.9, 9.4, 8.8), (1.0, 9.0, 9.0)]]  # fmt: skip
    record = {"preset": "smoke", "start": "final", "config": config, "oracle_seed": 88,
              "rows": rows, "frontiers": {"start": frontier, "early": frontier}}  # fmt: skip
    (tmp_path / "results.json").write_text(json.dumps(record))
    assert ablation.previous_run(str(tmp_path), args, config)["rows"] == record["rows"]
    # --report: the table from the rows (mean 9.15, spread 0.1; the frontier at NLL-gen
    # 9.2 is 8.9, so the arm lies 0.25 above it).
    assert ablation.main(["--report", "--output", str(tmp_path)]) == 0
    table = (tmp_path / "table.md").read_text()
    assert "| `reinforce` |" in table and "| 9.150 (0.100) | 9.200 (0.000) | -0.250 |" in table
    with pytest.raises(SystemExit, match="other settings"):
        ablation.previous_run(str(tmp_path), args, {**config, "steps": 4})
    with pytest.raises(SystemExit):
        ablation.parse_args(["--arms", "reinforce,nonsense"])
    assert "--arms: unknown ['nonsense']" in capsys.readouterr().err
