import os

import pytest

from keras_seqgan import cli


def test_demo_tiny_runs_end_to_end(tmp_path, capsys):
    output = tmp_path / "demo"
    assert cli.main(["demo", "--preset", "tiny", "--output", str(output), "--quiet"]) == 0
    printed = capsys.readouterr().out
    for name in ("seqgan.keras", "log.csv", "results.txt"):
        assert (output / name).is_file(), name
    assert not [n for n in os.listdir(output) if n.startswith(".")]  # no temporary files left
    assert "after MLE" in printed and "after adversarial" in printed
    rows = {
        line.split("  ")[0].strip(): line.split()[-2:]
        for line in (output / "results.txt").read_text().splitlines()[1:]
    }
    untrained, after_mle = float(rows["untrained"][0]), float(rows["after MLE"][0])
    assert after_mle < untrained  # MLE pre-training moved the generator toward the oracle
    header = (output / "log.csv").read_text().splitlines()[0]
    for key in ("d_loss", "g_loss", "reward_mean", "temperature"):
        assert key in header


def test_demo_help_and_bad_arguments(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["demo", "--help"])
    assert exit_info.value.code == 0
    assert "--preset" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["demo", "--num-rollouts", "0"])
    assert exit_info.value.code == 2
