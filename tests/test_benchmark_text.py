"""The real-text benchmark (`benchmarks/text.py`): smoke runs of both experiments and of dense
rewards, bad arguments."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from _benchmarks import load_benchmark

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
COCO = ("coco_captions_train.txt", "coco_captions_test.txt")
SHAKESPEARE = ("shakespeare_dialogue.csv",)


def needs(files):
    missing = [name for name in files if not (DATA / name).exists()]
    return pytest.mark.skipif(
        bool(missing), reason=f"needs {', '.join(missing)} in {DATA} (see shared/data/README.md)"
    )


@pytest.fixture(scope="module")
def text_benchmark():
    return load_benchmark("text")


def smoke(module, experiment, output, *extra):
    argv = ["--experiment", experiment, "--preset", "smoke", "--data-dir", str(DATA), *extra]
    record = module.main(argv + ["--output", str(output), "--verbose", "0"])
    saved = json.loads((output / "results.json").read_text())
    assert saved["status"] == "complete" and saved["figures"] == record["figures"]
    assert saved["preset"] == "smoke" and "--preset smoke" in saved["command"]
    for key in ("date", "machine", "versions", "config", "seed", "data", "total_seconds"):
        assert key in saved, key
    assert all(seconds >= 0 for seconds in saved["stage_seconds"].values())
    return saved


def assert_figures(figures, keys):
    for name, values in figures.items():
        assert set(values) == set(keys), name
        for key, value in values.items():
            assert math.isfinite(value), (name, key, value)
            if key.startswith(("bleu", "self_bleu", "ms_jaccard", "condition_accuracy")):
                assert 0.0 <= value <= 1.0, (name, key, value)
            else:
                assert value > 0.0, (name, key, value)  # NLL


@pytest.mark.slow
@needs(COCO)
def test_coco_smoke_writes_every_output(text_benchmark, tmp_path):
    saved = smoke(text_benchmark, "coco", tmp_path)
    names = ["generator_mle.keras", "generator_mle_early_stopped.keras"]
    names += [f"{kind}_{objective}.keras" for kind in ("seqgan", "generator")
              for objective in ("reinforce", "gumbel")]  # fmt: skip
    for name in names:
        assert (tmp_path / name).stat().st_size > 0, name
    assert saved["data"]["train_lines"] <= 300 and saved["data"]["test_lines"] <= 200
    assert set(saved["stage_seconds"]) == {
        "data", "mle", "evaluate-mle", "evaluate-mle-early-stopped", "discriminator",
        "adversarial-reinforce", "evaluate-reinforce", "adversarial-gumbel", "evaluate-gumbel",
    }  # fmt: skip
    # One MLE epoch, evaluated: the early-stopped model is that epoch's.
    assert saved["mle_early_stopped_epoch"] == 1
    assert saved["figures"]["mle_early_stopped"] == saved["figures"]["mle"]
    keys = [f"{name}_{n}" for name in ("bleu", "self_bleu", "ms_jaccard") for n in range(2, 6)]
    assert set(saved["figures"]) == {"mle", "mle_early_stopped", "reinforce", "gumbel"}
    assert_figures(saved["figures"], keys + ["nll_test"])
    assert 0.0 <= saved["discriminator_pretrain_accuracy"] <= 1.0
    for lines in saved["samples"].values():
        assert len(lines) == saved["config"]["seed_lines"]
        assert all(isinstance(line, str) for line in lines)
    for objective in ("reinforce", "gumbel"):
        logs = saved["adversarial"][objective]
        assert len(logs["history"]["g_loss"]) == 2 and logs["step_time"]["first_batch_ms"] > 0
    # The sweep of those models against the run's test captions (text_sweep.py).
    sweep = tmp_path / "sweep"
    code = load_benchmark("text_sweep").main(
        ["--run", str(tmp_path), "--output", str(sweep), "--data-dir", str(DATA),
         "--temperatures", "0.8,1.0", "--num-samples", "16"]
    )  # fmt: skip
    assert code == 0
    rows = json.loads((sweep / "evaluate.json").read_text())["rows"]
    models = {"generator_mle_early_stopped", "generator_reinforce", "generator_gumbel"}
    assert {(row["model"], row["temperature"]) for row in rows} >= {
        (model, t) for model in models | {"generator_mle"} for t in (0.8, 1.0)
    }
    assert (sweep / "quality_diversity.png").stat().st_size > 0
    margins = json.loads((sweep / "margins.json").read_text())
    assert margins["mle_models"] == ["generator_mle", "generator_mle_early_stopped"]
    assert {(r["model"], r["temperature"]) for r in margins["rows"]} == {
        (model, t) for model in ("generator_reinforce", "generator_gumbel") for t in (0.8, 1.0)
    }
    for entry in margins["rows"]:
        values = entry["bleu_2_margin"]
        defined = [values[name] for name in margins["mle_models"] if values[name] is not None]
        assert values["best_mle"] == (min(defined) if defined else None)


@pytest.mark.slow
@needs(SHAKESPEARE)
def test_shakespeare_smoke_writes_every_output(text_benchmark, tmp_path):
    import keras

    saved = smoke(text_benchmark, "shakespeare", tmp_path)
    (objective,) = saved["config"]["objectives"]
    models = ["classifier_character.keras"]
    for kind in ("conditional", "unconditional"):
        models += [f"generator_mle_{kind}.keras", f"seqgan_{objective}_{kind}.keras"]
        models += [f"generator_mle_early_stopped_{kind}.keras"]
        models += [f"generator_{objective}_{kind}.keras"]
    for name in models:
        assert (tmp_path / name).stat().st_size > 0, name
    keys = ["condition_accuracy_character"] + [f"bleu_{n}" for n in range(2, 5)]
    keys += [f"{name}_{n}" for name in ("self_bleu", "ms_jaccard") for n in range(2, 5)]
    keys += ["nll_held_out"]
    names = {
        f"{stage}_{kind}"
        for stage in ("mle", "mle_early_stopped", objective)
        for kind in ("conditional", "unconditional")
    }
    assert set(saved["figures"]) == names
    assert_figures(saved["figures"], keys)
    # Every model at every temperature of the sweep; the figures are its T=1 point.
    assert set(saved["temperature_sweep"]) == names
    for name, sweep in saved["temperature_sweep"].items():
        assert set(sweep) == {"0.9", "1"}, name
        assert_figures(sweep, keys)
        assert sweep["1"] == saved["figures"][name]
    for kind in ("conditional", "unconditional"):
        versus = saved["versus_mle_frontier"][f"{objective}_{kind}"]
        assert set(versus) == {f"mle_bleu_{n}_at_equal_self_bleu_{n}" for n in range(2, 5)} | {
            f"bleu_{n}_margin" for n in range(2, 5)
        }
    # The conditional discriminators, before and after the adversarial stage, judged on
    # real lines under their own and another speaker.
    assert set(saved["speaker_judgement"]) == {"pretrained_conditional", f"{objective}_conditional"}
    for judgement in saved["speaker_judgement"].values():
        assert judgement["rows"] == saved["data"]["validation_lines"]
        assert 0 < judgement["rows_with_another_speaker"] <= judgement["rows"]
        for key in ("own_speaker_judged_real", "wrong_speaker_judged_fake", "prefers_own_speaker"):
            assert 0.0 <= judgement[key] <= 1.0, key
    classifier = saved["classifier"]
    assert 0.0 <= classifier["accuracy_real_held_out"] <= 1.0 and 0.0 < classifier["chance"] <= 1
    assert saved["data"]["rows"] <= 400 and saved["data"]["conditions"]["character"] <= 30
    count = saved["config"]["seed_lines"]
    for stage in ("mle", objective):
        shown = saved["samples"][f"{stage}_conditional"]
        assert len(shown) == 2  # HAMLET and FALSTAFF, or the commonest speakers of the rows read
        for character, entry in shown.items():
            assert character in saved["data"]["characters"] and entry["play"]
            assert len(entry["lines"]) == count
        assert len(saved["samples"][f"{stage}_unconditional"]) == count
    # Every saved generator scored again from its file, with the run's classifier and
    # data: the same figures, to the digit.
    again = text_benchmark.main(
        ["--experiment", "shakespeare", "--rescore", str(tmp_path), "--data-dir", str(DATA)]
    )
    assert again["temperature_sweep"] == saved["temperature_sweep"]
    assert again["versus_mle_frontier"] == saved["versus_mle_frontier"]
    assert json.loads((tmp_path / "rescore.json").read_text())["temperatures"] == [0.9, 1.0]
    # The tokenizer, with its speakers, travels inside the saved generator.
    generator = keras.saving.load_model(tmp_path / "generator_mle_conditional.keras")
    character, entry = next(iter(saved["samples"]["mle_conditional"].items()))
    lines = generator.generate_text(2, conditions={"character": character, "play": entry["play"]})
    assert len(lines) == 2


@pytest.mark.slow
@needs(SHAKESPEARE)
def test_shakespeare_dense_smoke_trains_a_conditional_prefix_discriminator(
    text_benchmark, tmp_path
):
    import keras
    import numpy as np

    import keras_seqgan as ks

    first, second = tmp_path / "first", tmp_path / "second"
    arms = '["dense","dense_mismatched"]'
    saved = smoke(
        text_benchmark, "shakespeare", first,
        "--set", 'kinds=["conditional"]', "--set", f"objectives={arms}",
    )  # fmt: skip
    # Only the prefix discriminator is pre-trained: no arm needs the CNN one.
    assert set(saved["stage_seconds"]) == {
        "data", "classifier", "mle-conditional", "evaluate-mle-conditional",
        "evaluate-mle-early-stopped-conditional", "prefix-discriminator-conditional",
        "adversarial-dense_conditional",
        "evaluate-dense_conditional", "adversarial-dense_mismatched_conditional",
        "evaluate-dense_mismatched_conditional",
    }  # fmt: skip
    assert 0.0 <= saved["prefix_discriminator_pretrain_accuracy_conditional"] <= 1.0
    assert saved["config"]["g_learning_rate"]["dense"] == 1e-3
    mle = keras.saving.load_model(first / "generator_mle_conditional.keras")
    for arm in ("dense", "dense_mismatched"):
        name = f"{arm}_conditional"
        gan = keras.saving.load_model(first / f"seqgan_{name}.keras")
        assert isinstance(gan.objective, ks.objectives.DenseReward)
        assert gan.objective.get_config() == ks.objectives.DenseReward().get_config()
        assert isinstance(gan.discriminator, ks.models.PrefixDiscriminator)
        assert gan.discriminator.conditions == saved["data"]["conditions"]
        # Trained: the generator saved beside the SeqGAN moved away from the MLE start.
        trained = keras.saving.load_model(first / f"generator_{name}.keras")
        moved = [
            not np.array_equal(a, b)
            for a, b in zip(trained.get_weights(), mle.get_weights(), strict=True)
        ]
        assert any(moved), name
        logs = saved["adversarial"][name]["history"]
        assert len(logs["g_loss"]) == 2 and 0.0 < logs["reward_mean"][-1] < 1.0
        # The same scores as the other objectives', against the same MLE frontier.
        assert set(saved["figures"][name]) == set(saved["figures"]["mle_conditional"])
        assert_figures({name: saved["figures"][name]}, list(saved["figures"][name]))
        assert set(saved["temperature_sweep"][name]) == {"0.9", "1"}
        assert set(saved["versus_mle_frontier"][name]) == {
            f"mle_bleu_{n}_at_equal_self_bleu_{n}" for n in range(2, 5)
        } | {f"bleu_{n}_margin" for n in range(2, 5)}
    assert gan.mismatched_conditions == 0.5  # dense_mismatched
    judged = saved["speaker_judgement"]
    assert set(judged) == {"pretrained_prefix_conditional", "dense_conditional",
                           "dense_mismatched_conditional"}  # fmt: skip
    for judgement in judged.values():
        assert 0.0 <= judgement["prefers_own_speaker"] <= 1.0
    # Again from the first run's MLE model (--mle-from): no MLE training, the same start.
    again = smoke(
        text_benchmark, "shakespeare", second, "--mle-from", str(first),
        "--set", 'kinds=["conditional"]', "--set", 'objectives=["dense"]',
    )  # fmt: skip
    assert "mle-conditional" not in again["stage_seconds"]
    assert "load-mle-conditional" in again["stage_seconds"]
    assert again["mle_from"]["folder"] == str(first.resolve())
    assert again["mle_history_conditional"] == saved["mle_history_conditional"]
    assert again["figures"]["mle_conditional"] == saved["figures"]["mle_conditional"]
    # The early-stopped model (1 MLE epoch: that epoch's) comes along from the first run.
    assert again["mle_early_stopped_epoch_conditional"] == 1
    assert (
        again["figures"]["mle_early_stopped_conditional"]
        == saved["figures"]["mle_early_stopped_conditional"]
    )
    assert again["figures"]["dense_conditional"] == saved["figures"]["dense_conditional"]


@pytest.mark.parametrize(
    "argv",
    [
        [],  # --experiment is required
        ["--experiment", "poetry"],
        ["--experiment", "coco", "--preset", "huge"],
        ["--experiment", "coco", "--seed", "one"],
    ],
)
def test_bad_arguments_exit(text_benchmark, argv):
    with pytest.raises(SystemExit) as error:
        text_benchmark.parse_args(argv)
    assert error.value.code == 2


def test_bad_set_and_missing_data_exit_with_a_message(text_benchmark, tmp_path):
    with pytest.raises(SystemExit, match="nonsense=1"):
        text_benchmark.main(["--experiment", "coco", "--set", "nonsense=1"])
    with pytest.raises(SystemExit, match="unknown \\['sarsa'\\]"):
        text_benchmark.main(["--experiment", "coco", "--set", 'objectives=["sarsa"]'])
    with pytest.raises(SystemExit, match="unknown \\['both'\\]"):
        text_benchmark.main(["--experiment", "shakespeare", "--set", 'kinds=["both"]'])
    with pytest.raises(SystemExit, match="not JSON"):
        text_benchmark.main(["--experiment", "coco", "--set", "mle_epochs=two"])
    with pytest.raises(SystemExit, match="results.json not found"):
        text_benchmark.main(["--experiment", "shakespeare", "--rescore", str(tmp_path)])
    with pytest.raises(SystemExit, match="--mle-from: .*results.json not found"):
        text_benchmark.main(["--experiment", "shakespeare", "--mle-from", str(tmp_path)])
    earlier = {"experiment": "shakespeare", "seed": 88, "config": {"max_rows": 400}}
    (tmp_path / "results.json").write_text(json.dumps(earlier))
    with pytest.raises(SystemExit, match="seed 88 \\(here 1\\); max_rows 400 \\(here None\\)"):
        text_benchmark.main(
            ["--experiment", "shakespeare", "--mle-from", str(tmp_path), "--seed", "1"]
        )
    with pytest.raises(SystemExit, match="experiment 'shakespeare', not 'coco'"):
        text_benchmark.main(["--experiment", "coco", "--mle-from", str(tmp_path)])
    (tmp_path / "results.json").unlink()
    for experiment, files in (("coco", COCO), ("shakespeare", SHAKESPEARE)):
        with pytest.raises(SystemExit, match=files[0]):
            text_benchmark.main(["--experiment", experiment, "--data-dir", str(tmp_path)])
    assert not (tmp_path / "results.json").exists()
