"""`keras-seqgan tune` (`keras_seqgan.cli.tune`): a search end to end and resumed, its help
and its argument errors. The library's tuning is tested in test_tuning.py."""

import contextlib
import csv
import io
import json
import os

import pytest

from keras_seqgan import cli
from keras_seqgan.cli import tune
from keras_seqgan.saving import load_model

pytestmark = pytest.mark.backend_independent(
    "KerasTuner's search machinery; the SeqGAN step it trains is tested on every backend"
)

V, T = 20, 6

# The tiny preset, smaller still: the command line runs in graph mode, whose tracing of
# each new model's training step is most of its time.
MICRO = dict(
    tune.PRESETS["tiny"],
    vocabulary_size=V,
    sequence_length=T,
    num_samples=256,
    num_eval=128,
    mle_epochs=1,
    num_rollouts=2,
)


def tune_argv(output, *extra):
    argv = ["tune", "--preset", "micro", "--max-trials", "1", "--epochs", "1"]
    return argv + ["--steps-per-epoch", "1", "--output", str(output), "--quiet", *extra]


def run_cli(argv):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = cli.main(argv)
    return code, printed.getvalue()


# Slow (~50 s on 2 cores): the default suite is at its 10-minute budget.
@pytest.mark.slow
def test_cli_tune_end_to_end_and_resume(tmp_path, monkeypatch):
    monkeypatch.setitem(tune.PRESETS, "micro", MICRO)
    output = tmp_path / "tune"
    code, printed = run_cli(tune_argv(output))
    assert code == 0
    for name in ("best.keras", "trials.csv", "trials.json", "pretrained_generator.keras"):
        assert (output / name).is_file(), name
    assert not [name for name in os.listdir(output) if name.startswith(".")]  # no temp files
    lines = printed.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:1] == ["trial"])
    assert {"temperature_start", "d_steps", "nll_sum"} <= set(lines[header].split())
    table = [line.split()[0] for line in lines[header + 1 : header + 3]]
    assert sorted(table) == ["0", "defaults"]
    assert "library defaults: nll_sum" in printed
    with open(output / "trials.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(row["trial"] for row in rows) == ["0", "defaults"]
    scores = [float(row["nll_sum"]) for row in rows]
    assert scores == sorted(scores)
    defaults = next(row for row in rows if row["trial"] == "defaults")
    assert (defaults["temperature_start"], defaults["temperature_decay"]) == ("2.0", "0.95")
    record = json.loads((output / "trials.json").read_text())
    assert record["objective"] == {"name": "nll_sum", "direction": "min"}
    assert record["best_trial"] == "0" and record["defaults"]["trial"] == "defaults"
    best = load_model(output / "best.keras")
    assert best.generate(3, seed=1).shape == (3, T)
    # The same command again resumes: nothing is trained, the same table is printed.
    code, again = run_cli(tune_argv(output))
    assert code == 0 and "Reusing the pre-trained networks" in again
    assert "MLE pre-training" not in again
    assert again.splitlines()[-8:-1] == printed.splitlines()[-8:-1]
    # A resume with other settings is refused before any work.
    with pytest.raises(SystemExit) as exit_info:
        cli.main(tune_argv(output, "--objective", "nll_oracle"))
    assert exit_info.value.code == 2


def test_cli_tune_help_documents_every_option_with_its_default(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["tune", "--help"])
    assert exit_info.value.code == 0
    printed = " ".join(capsys.readouterr().out.split())
    for option in ("--tuner", "--max-trials", "--epochs", "--steps-per-epoch", "--objective"):
        assert option in printed
    assert "(default: the preset's; small: 25, tiny: 2)" in printed  # --epochs
    subcommands = cli.build_parser()._subparsers._group_actions[0]
    for action in subcommands.choices["tune"]._actions:
        if action.dest != "help":
            assert "default" in (action.help or ""), action.option_strings


@pytest.mark.parametrize(
    "argv",
    [
        ["--max-trials", "0"],
        ["--tuner", "grid"],
        ["--objective", "d_loss"],
        ["--epochs", "-1"],
    ],
)
def test_cli_tune_bad_arguments(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["tune", *argv])
    assert exit_info.value.code == 2
    assert argv[0] in capsys.readouterr().err
