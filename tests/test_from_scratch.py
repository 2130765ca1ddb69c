"""Training from scratch (issue 28 item 3): a freshly built generator trained with dense
rewards, `benchmarks/oracle.py --from-scratch` and its resume from a backup, and
`objective="dense"` in the command line and the tuner."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import keras_tuner as kt
import numpy as np
import pytest
from _benchmarks import load_benchmark

import keras_seqgan as ks
from keras_seqgan import cli, tuning
from keras_seqgan.cli import demo
from keras_seqgan.models import PrefixDiscriminator
from keras_seqgan.objectives import DenseReward

ROOT = Path(__file__).resolve().parents[1]
REAL_ORACLE = ROOT.parent / "shared" / "data" / "seqgan_oracle_lstm.npz"
MLE_RUN = ROOT / "benchmarks" / "results" / "oracle_cpu_mle"

V, T, B = 12, 6, 16


@pytest.fixture(scope="module")
def oracle_benchmark():
    return load_benchmark("oracle")


@pytest.fixture(scope="module")
def tiny_oracle_file(tmp_path_factory):
    """A small oracle LSTM (vocabulary 30, embedding and state 4) as an `.npz`: the
    benchmark samples it at its length, 20. Fast, and needs no shared data."""
    path = tmp_path_factory.mktemp("oracle") / "tiny_oracle.npz"
    ks.data.OracleLSTM(vocabulary_size=30, embedding_dim=4, hidden_dim=4, seed=1).save_npz(path)
    return path


def tiny_scratch_argv(oracle_file, output, *extra):
    return [
        "--preset", "smoke", "--oracle", str(oracle_file), "--output", str(output),
        "--from-scratch", "--stages", "adversarial", "--set", "num_train=64",
        "--set", "num_eval=64", "--verbose", "0", *extra,
    ]  # fmt: skip


# ------------------------------------------------------------------ the library
def test_a_fresh_generator_learns_from_dense_rewards_with_fit():
    """No MLE start: a just-built generator and `PrefixDiscriminator`, ScratchGAN's
    optimizers, `fit` on real rows. Every update is applied (none skipped), every weight
    of both networks moves, and the baseline follows the rewards."""
    oracle = ks.data.OracleLSTM(vocabulary_size=V, sequence_length=T, seed=1)
    real = oracle.sample(8 * B, seed=2)
    generator = ks.models.Generator(
        vocabulary_size=V, sequence_length=T, embedding_dim=4, hidden_dim=4, seed=3
    )
    discriminator = PrefixDiscriminator(
        vocabulary_size=V, sequence_length=T, embedding_dim=4, hidden_dim=4, seed=4
    )
    gan = ks.SeqGAN(generator, discriminator, objective=DenseReward(), seed=5)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-2, beta_1=0.5),
        discriminator_optimizer=keras.optimizers.Adam(1e-2, beta_1=0.5),
    )
    before = [np.array(w) for w in gan.trainable_weights]
    history = gan.fit(
        ks.data.sequence_dataset(real, batch_size=B, seed=6), epochs=2, verbose=0
    ).history
    assert history["g_skipped"][-1] == 0 and history["d_skipped"][-1] == 0
    assert all(np.isfinite(history[key][-1]) for key in ("g_loss", "d_loss", "reward_mean"))
    after = gan.trainable_weights
    unchanged = [w.path for w, b in zip(after, before, strict=True) if np.array_equal(w, b)]
    assert not unchanged
    assert float(gan.reward_baseline) != 0.0
    assert int(gan.step_counter) == 2 * 8


# -------------------------------------------------------------- the benchmark
@pytest.mark.backend_independent("argument handling, no training")
def test_from_scratch_settings_and_what_they_refuse(oracle_benchmark):
    ob = oracle_benchmark
    config = ob.build_config(ob.parse_args(["--preset", "cpu", "--from-scratch"]))
    assert config["objectives"] == ("dense",)
    assert (
        config["dense"]
        == ob.DENSE
        == {
            "g_learning_rate": 9.59e-5,  # ScratchGAN's flags (scratchgan/experiment.py)
            "d_learning_rate": 9.38e-3,
            "beta_1": 0.5,
            "d_steps": 1,
        }
    )
    assert config["adversarial_steps"]["dense"] == ob.SCRATCH["cpu"]["steps"]
    assert config["adversarial_eval_every"] == ob.SCRATCH["cpu"]["eval_every"]
    argv = ["--preset", "cpu", "--from-scratch", "--batch-size", "512", "--steps", "1000",
            "--set", 'dense={"g_learning_rate": 0.001}']  # fmt: skip
    config = ob.build_config(ob.parse_args(argv))
    assert config["batch_size"] == 512 and config["adversarial_steps"]["dense"] == 1000
    assert config["dense"] == {**ob.DENSE, "g_learning_rate": 0.001}
    settings = ob.objective_settings(config, "dense")
    assert (settings["beta_1"], settings["annealing"], settings["paper_schedule"]) == (
        0.5, False, False,
    )  # fmt: skip
    # The presets, and so the configs of the runs without "dense", are as they were.
    for preset in ob.PRESETS.values():
        assert "dense" not in preset and set(preset["adversarial_steps"]) == {"reinforce", "gumbel"}
    plain = ob.build_config(ob.parse_args(["--preset", "cpu"]))
    assert plain == ob.PRESETS["cpu"]
    with pytest.raises(SystemExit, match="multiple of adversarial_eval_every"):
        ob.build_config(ob.parse_args(["--preset", "cpu", "--from-scratch", "--steps", "750"]))
    with pytest.raises(SystemExit, match="unknown keys"):
        ob.build_config(
            ob.parse_args(["--preset", "cpu", "--objectives", "dense", "--set", 'dense={"lr": 1}'])
        )
    # The objective's own settings: absent, the name (DenseReward's defaults); set, a
    # DenseReward with them; a bad value refused before any work.
    assert ob.objective_for(config, "dense") == "dense"
    argv = ["--preset", "cpu", "--from-scratch", "--set", 'dense={"discount": 0.9}']
    objective = ob.objective_for(ob.build_config(ob.parse_args(argv)), "dense")
    assert isinstance(objective, DenseReward)
    assert (objective.discount, objective.baseline_decay) == (0.9, 0.08)
    with pytest.raises(SystemExit, match="discount"):
        argv = ["--preset", "cpu", "--from-scratch", "--set", 'dense={"discount": 2}']
        ob.build_config(ob.parse_args(argv))
    for bad in (["--backup-dir", "b"], ["--from-scratch", "--batch-size", "0"]):
        with pytest.raises(SystemExit):
            ob.parse_args(bad)


def state_of(path):
    """The arrays of a saved `SeqGAN`: its variables and both optimizers', in order."""
    gan = keras.saving.load_model(path)
    variables = gan.variables + gan.generator_optimizer.variables
    return [np.array(v) for v in variables + gan.discriminator_optimizer.variables]


@pytest.mark.slow  # ~25 s on 2 busy cores: three runs of the benchmark, each tracing its step
def test_a_killed_scratch_run_resumes_from_its_backup_as_if_never_killed(
    oracle_benchmark, tiny_oracle_file, tmp_path, monkeypatch
):
    """3 evaluations of 1 step; the kill comes after the 2nd evaluation was written to
    results.json and before its backup. The same command run again resumes from the 1st
    backup, evaluates step 2 again (one point per step in the end) and ends with the
    state, points and figures of an uninterrupted run."""
    ob = oracle_benchmark
    straight = tmp_path / "straight"
    expected = ob.main(
        tiny_scratch_argv(tiny_oracle_file, straight, "--steps", "3",
                          "--backup-dir", str(tmp_path / "backup_straight"))
    )  # fmt: skip
    assert [p["step"] for p in expected["points"]] == [0, 1, 2, 3]
    assert all(p.get("g_skipped", 0) == 0 for p in expected["points"])

    class Kill(Exception):
        pass

    save = keras.callbacks.BackupAndRestore.on_epoch_end

    def killed(self, epoch, logs=None):
        if epoch == 1:
            raise Kill
        save(self, epoch, logs)

    output, backup = tmp_path / "resumed", tmp_path / "backup"
    argv = tiny_scratch_argv(tiny_oracle_file, output, "--steps", "3", "--backup-dir", str(backup))
    with monkeypatch.context() as patch:
        patch.setattr(keras.callbacks.BackupAndRestore, "on_epoch_end", killed)
        with pytest.raises(Kill):
            ob.main(argv)
    written = json.loads((output / "results.json").read_text())
    assert [p["step"] for p in written["points"]] == [0, 1, 2]  # 2 is past the backup
    resumed = ob.main(argv)

    def figures(record):
        return [{k: v for k, v in p.items() if k != "wall_s"} for p in record["points"]]

    assert figures(resumed) == figures(expected)
    assert resumed["summary"]["sessions"] == 2
    assert resumed["summary"]["dense"]["nll_oracle"] == expected["summary"]["dense"]["nll_oracle"]
    walls = [p["wall_s"] for p in resumed["points"]]
    assert walls == sorted(walls)  # the clock goes on from the backup's point
    for a, b in zip(state_of(straight / "seqgan_dense.keras"),
                    state_of(output / "seqgan_dense.keras"), strict=True):  # fmt: skip
        np.testing.assert_array_equal(a, b)
    # Only --steps and the frontier's temperatures may change (a larger --steps continues
    # the run): other settings are refused before anything is trained.
    with pytest.raises(SystemExit, match="other settings"):
        ob.main(argv + ["--batch-size", "16"])
    # The finished run again, with the frontier and other temperatures: nothing is trained,
    # the same model is placed on the frontier at the new temperatures.
    ended = ob.main(
        argv + ["--stages", "adversarial,frontier", "--set", "adversarial_temperatures=[0.8]"]
    )
    assert figures(ended) == figures(expected)
    assert [(r["model"], r["temperature"]) for r in ended["frontier"]] == [("dense", 0.8)]
    # The record keeps every session's command; this one's step time says it trained none.
    assert len(ended["commands"]) == 3 and ended["commands"][-1] == ended["command"]
    assert "adversarial_temperatures=[0.8]" in ended["commands"][2]
    assert ended["commands"][0] == ended["commands"][1]
    assert "commands" not in expected
    assert ended["summary"]["dense"]["step_time"] == "no step trained in this session"
    assert resumed["summary"]["dense"]["step_time"].startswith("BatchTimer: ")
    for a, b in zip(state_of(straight / "seqgan_dense.keras"),
                    state_of(output / "seqgan_dense.keras"), strict=True):  # fmt: skip
        np.testing.assert_array_equal(a, b)


# ~16 s on 2 busy cores (the paper's oracle, vocabulary 5,000, and the committed MLE models)
@pytest.mark.skipif(not REAL_ORACLE.exists(), reason=f"needs the paper's oracle at {REAL_ORACLE}")
def test_the_smoke_run_from_scratch_on_the_papers_oracle(oracle_benchmark, tmp_path, capsys):
    record = oracle_benchmark.main(
        ["--preset", "smoke", "--from-scratch", "--objectives", "dense", "--oracle",
         str(REAL_ORACLE), "--output", str(tmp_path), "--mle-from", str(MLE_RUN),
         "--verbose", "0"]
    )  # fmt: skip
    assert record["from_scratch"] and record["config"]["objectives"] == ["dense"]
    scratch = [p for p in record["points"] if p["stage"] == "adversarial-dense"]
    assert [p["step"] for p in scratch] == [0, 1, 2]
    assert scratch[-1]["g_skipped"] == scratch[-1]["d_skipped"] == 0
    # Nothing but the adversarial stage was trained; the MLE models come from --mle-from.
    assert "mle" not in record["stage_seconds"] and "discriminator" not in record["stage_seconds"]
    for name in ("results.json", "curves.csv", "seqgan_dense.keras", "generator_dense.keras"):
        assert (tmp_path / name).stat().st_size > 0
    assert not (tmp_path / "generator_mle.keras").exists()
    # The generator alone, to be committed and re-scored: the trained one.
    alone = keras.saving.load_model(tmp_path / "generator_dense.keras")
    trained = keras.saving.load_model(tmp_path / "seqgan_dense.keras").generator
    assert isinstance(alone, ks.models.Generator)
    for a, b in zip(alone.weights, trained.weights, strict=True):
        np.testing.assert_array_equal(a, b)
    # The final point against both MLE models' temperature frontiers.
    assert set(record["summary"]["frontier_margins"]) == {
        "mle (120 epochs)", "mle early-stopped (10)",
    }  # fmt: skip
    assert "dense T=1" in record["summary"]["frontier_margin"]
    assert "From scratch, dense" in capsys.readouterr().out


@pytest.mark.slow  # ~15 s: the whole pipeline; the default suite stays under 10 minutes
def test_dense_from_the_mle_start_pretrains_a_prefix_discriminator(
    oracle_benchmark, tiny_oracle_file, tmp_path
):
    record = oracle_benchmark.main(
        ["--preset", "smoke", "--oracle", str(tiny_oracle_file), "--output", str(tmp_path),
         "--objectives", "dense", "--set", "num_train=64", "--set", "num_eval=64",
         "--mle-epochs", "1", "--verbose", "0"]
    )  # fmt: skip
    assert "discriminator-dense" in record["stage_seconds"]
    assert "discriminator" not in record["stage_seconds"]  # no CNN without its objectives
    assert 0.0 <= record["summary"]["discriminator_dense_pretrain_accuracy"] <= 1.0
    assert [p["step"] for p in record["points"] if p["stage"] == "adversarial-dense"] == [0, 1, 2]
    gan = keras.saving.load_model(tmp_path / "seqgan_dense.keras")
    assert isinstance(gan.discriminator, PrefixDiscriminator)
    assert gan.generator_optimizer.beta_1 == gan.discriminator_optimizer.beta_1 == 0.5
    assert "dense T=1" in record["summary"]["frontier_margin"]


# ----------------------------------------------------------- the command line
@pytest.mark.slow  # ~13 s; the default suite stays under 10 minutes on 2 cores
@pytest.mark.backend_independent("the command line orchestrates the library")
def test_train_with_the_dense_objective_and_conditions(tmp_path):
    from tests.test_cli_text import TINY, write_corpus

    data = write_corpus(tmp_path / "corpus.csv", rows=64)
    output = tmp_path / "out"
    argv = ["train", "--data", str(data), "--condition", "character", "--objective", "dense",
            "--mismatched-conditions", "0.5", "--output", str(output), *TINY]  # fmt: skip
    argv[argv.index("--mle-epochs") + 1] = "1"
    assert cli.main(argv) == 0
    gan = keras.saving.load_model(output / "seqgan.keras")
    assert isinstance(gan.discriminator, PrefixDiscriminator)
    assert gan.objective == DenseReward() and gan.discriminator.conditions == {"character": 2}
    record = json.loads((output / "results.json").read_text())
    assert record["config"]["objective"] == "dense"
    assert np.isfinite(record["scores"]["adversarial"]["nll_validation"])


@pytest.mark.backend_independent("the command line's argument handling, no training")
def test_demo_takes_the_dense_objective_and_builds_a_prefix_discriminator(capsys):
    args = cli.build_parser().parse_args(["demo", "--objective", "dense"])
    assert args.objective == "dense"
    config = demo.DemoConfig(**demo.PRESETS["tiny"], preset="tiny", objective="dense")
    generator, discriminator = demo.demo_models(config)
    assert isinstance(discriminator, PrefixDiscriminator)
    ks.SeqGAN(generator, discriminator, objective="dense")  # the shapes fit
    with pytest.raises(SystemExit):
        cli.main(["train", "--data", "x.txt", "--objective", "wgan"])
    assert "--objective" in capsys.readouterr().err


# ------------------------------------------------------------------ the tuner
@pytest.mark.backend_independent("KerasTuner's hypermodel; the step is tested on every backend")
def test_the_hypermodel_builds_and_trains_a_dense_seqgan():
    hypermodel = tuning.SeqGANHyperModel(
        vocabulary_size=V, sequence_length=T, embedding_dim=4, hidden_dim=4,
        discriminator_embedding_dim=4, objective="dense", seed=3,
        compile_kwargs={"run_eagerly": True},
    )  # fmt: skip
    hp = kt.HyperParameters()
    gan = hypermodel.build(hp)
    assert isinstance(gan.discriminator, PrefixDiscriminator) and gan.objective == DenseReward()
    assert gan.discriminator.seed == 5  # seed + 2: every trial's dropout stream alike
    real = ks.data.OracleLSTM(vocabulary_size=V, sequence_length=T, seed=1).sample(B, seed=2)
    history = hypermodel.fit(hp, gan, real, batch_size=B, epochs=1, verbose=0).history
    assert history["g_skipped"][-1] == 0 and np.isfinite(history["g_loss"][-1])
    with pytest.raises(ValueError, match="filter_sizes.*objective='dense'"):
        tuning.SeqGANHyperModel(
            vocabulary_size=V, sequence_length=T, filter_sizes=(2,), num_filters=(4,),
            objective="dense",
        )  # fmt: skip
    with pytest.raises(ValueError, match="objective"):
        tuning.SeqGANHyperModel(vocabulary_size=V, sequence_length=T, objective="wgan")


@pytest.mark.slow  # ~20 s on 2 busy cores: a tiny from-scratch run, then two arms of 2 steps
def test_the_rate_drop_diagnostic_continues_the_saved_run_at_each_rate(
    oracle_benchmark, tiny_oracle_file, tmp_path
):
    run = tmp_path / "run"
    oracle_benchmark.main(tiny_scratch_argv(tiny_oracle_file, run, "--steps", "2"))
    rate_drop = load_benchmark("scratch_rate_drop")
    record = rate_drop.main(
        ["--run", str(run), "--oracle", str(tiny_oracle_file), "--rates", "0.05", "1e-6",
         "--steps", "2", "--eval-every", "1", "--verbose", "0"]
    )  # fmt: skip
    saved = json.loads((run / "results.json").read_text())["config"]["dense"]["g_learning_rate"]
    assert record["status"] == "complete" and record["run_steps"] == 2
    fast, slow = record["arms"]
    assert [p["step"] for p in fast["points"]] == [0, 1, 2]
    assert (fast["g_learning_rate"], slow["g_learning_rate"]) == (0.05, 1e-6)
    assert fast["saved_g_learning_rate"] == pytest.approx(saved)
    # Both arms start from the same saved state; the rate is what differs after it.
    assert fast["points"][0]["nll_oracle"] == slow["points"][0]["nll_oracle"]
    assert fast["points"][-1]["nll_gen"] != slow["points"][-1]["nll_gen"]
    assert all(p.get("g_skipped", 0) == 0 for p in fast["points"] + slow["points"])
    assert json.loads((run / "rate_drop" / "results.json").read_text()) == record
    with pytest.raises(SystemExit):
        rate_drop.main(["--run", str(tmp_path / "nowhere"), "--oracle", str(tiny_oracle_file)])


@pytest.mark.slow  # ~10 s: 4 steps of a tiny generator against the oracle as its critic
def test_the_oracle_reward_diagnostic_trains_against_a_fixed_oracle_critic(tmp_path):
    from keras import ops

    diagnostic = load_benchmark("scratch_oracle_reward")
    oracle = ks.data.OracleLSTM(vocabulary_size=30, embedding_dim=4, hidden_dim=4, seed=1)
    # The critic's logits are the oracle's per-token log-probabilities plus log V.
    critic = diagnostic.oracle_critic(oracle)
    tokens = oracle.sample(8, seed=2)
    logits = ops.convert_to_numpy(critic(tokens))
    np.testing.assert_allclose(logits, oracle.log_prob(tokens) + np.log(30), rtol=1e-5, atol=1e-5)
    oracle_file = tmp_path / "oracle.npz"
    oracle.save_npz(oracle_file)
    record = diagnostic.main(
        ["--oracle", str(oracle_file), "--steps", "4", "--eval-every", "2", "--batch-size",
         "16", "--num-train", "64", "--num-eval", "64", "--output", str(tmp_path / "out"),
         "--verbose", "0"]
    )  # fmt: skip
    assert [p["step"] for p in record["points"]] == [0, 2, 4]
    # The critic is fixed: no discriminator update, none skipped; the generator moved.
    assert all(p["d_loss"] == 0.0 and p["g_skipped"] == 0 for p in record["points"][1:])
    assert record["points"][-1]["nll_gen"] != record["points"][0]["nll_gen"]
    loaded = keras.saving.load_model(tmp_path / "out" / "generator.keras")
    assert loaded.vocabulary_size == 30
