"""benchmarks/demo_seeds.py: the whole demo per seed and discriminator pre-training."""

from __future__ import annotations

import json

import pytest
from _benchmarks import load_benchmark

pytestmark = pytest.mark.backend_independent(
    "runs `keras-seqgan demo`, whose step, saving and data are tested on every backend"
)


def test_demo_seeds_records_each_run_once(tmp_path, capsys):
    demo_seeds = load_benchmark("demo_seeds")
    argv = ["--preset", "tiny", "--seeds", "5", "--d-rounds", "2", "--adversarial-steps", "2"]
    argv += ["--output", str(tmp_path)]
    assert demo_seeds.main(argv) == 0
    record = json.loads((tmp_path / "results.json").read_text())
    [row] = record["rows"]
    assert (row["seed"], row["d_rounds"], row["adversarial_steps"]) == (5, 2, 2)
    assert row["command"].endswith(
        f"--seed 5 --d-rounds 2 --adversarial-steps 2 --output {tmp_path}/seed5_rounds2_steps2 "
        "--quiet"
    )
    log = (tmp_path / "seed5_rounds2_steps2" / "demo.log").read_text()
    assert "(2 rounds of fresh negatives)" in log
    # The row holds the run's own table: results.txt's adversarial line.
    table = (tmp_path / "seed5_rounds2_steps2" / "results.txt").read_text()
    adversarial = next(line for line in table.splitlines() if line.startswith("after adversarial"))
    assert adversarial.split()[2:4] == [
        f"{row['adversarial']['nll_oracle']:.3f}",
        f"{row['adversarial']['nll_gen']:.3f}",
    ]
    assert row["margin"] is None or isinstance(row["margin"], float)
    assert 0.0 <= row["d_acc_pretrained"] <= 1.0
    assert (tmp_path / "seed5_rounds2_steps2" / "generator.keras").is_file()
    # Run again: the row is there, so nothing runs; the command is recorded.
    capsys.readouterr()
    assert demo_seeds.main(argv) == 0
    assert capsys.readouterr().out == ""
    record = json.loads((tmp_path / "results.json").read_text())
    assert len(record["rows"]) == 1 and len(record["commands"]) == 2
    overlap = row["training_overlap"]
    assert set(overlap) == {"adversarial", "held_out"}
    assert set(overlap["adversarial"]) == {"rows", "3_grams", "5_grams"}


def test_training_shares_count_rows_and_ngrams_found_in_training():
    import numpy as np

    demo_seeds = load_benchmark("demo_seeds")
    train = np.array([[1, 2, 3, 4, 5], [6, 7, 8, 9, 0]])
    rows = np.array([[1, 2, 3, 4, 5], [9, 2, 3, 4, 7]])
    shares = demo_seeds.training_shares(rows, train)
    # Row 0 is a training row; 3-grams: row 0's three all known, row 1's (2,3,4) of three.
    assert shares == {"rows": 0.5, "3_grams": round(4 / 6, 4), "5_grams": 0.5}
