"""benchmarks/oracle_ngram.py: the count models against hand computations, and a tiny run."""

from __future__ import annotations

import json

import numpy as np
import pytest
from _benchmarks import load_benchmark

import keras_seqgan as ks

pytestmark = pytest.mark.backend_independent(
    "count models in NumPy; the evaluator's Keras parts are tested on every backend elsewhere"
)

# 3 tokens; rows of length 3.
ROWS = np.array([[0, 1, 1], [0, 1, 2], [2, 1, 0]])


@pytest.fixture(scope="module")
def ngram():
    return load_benchmark("oracle_ngram")


def test_the_bigram_interpolates_its_counts_with_the_smoothed_unigram(ngram):
    model = ngram.NGram.fit(ROWS, 3, order=2, alpha=1.0, weight=0.25)
    # Unigram counts 3, 4, 2 of 9 tokens, add-one: 4/12, 5/12, 3/12.
    unigram = np.array([4, 5, 3]) / 12
    # First tokens 0, 0, 2.
    np.testing.assert_allclose(np.exp(model.first), 0.25 * np.array([2, 0, 1]) / 3 + 0.75 * unigram)
    # After 1: 1 -> 1, 1 -> 2, 1 -> 0 once each; after 0: 0 -> 1 twice; 2 is followed by 1.
    expected = {0: [0, 1, 0], 1: [1 / 3, 1 / 3, 1 / 3], 2: [0, 1, 0]}
    for previous, own in expected.items():
        np.testing.assert_allclose(
            np.exp(model.table[previous]), 0.25 * np.array(own) + 0.75 * unigram
        )
    # log_prob: row [0, 1, 2] is first(0), p(1 | 0), p(2 | 1).
    want = np.log([np.exp(model.first[0]), 0.25 + 0.75 * 5 / 12, 0.25 / 3 + 0.75 * 3 / 12])
    np.testing.assert_allclose(model.log_prob(ROWS[1:2])[0], want)


def test_a_token_never_seen_before_another_falls_back_to_the_unigram(ngram):
    rows = np.array([[0, 1], [0, 1]])  # token 2 is never a previous token
    model = ngram.NGram.fit(rows, 3, order=2, alpha=0.5, weight=0.9)
    unigram = (np.array([2, 2, 0]) + 0.5) / 5.5
    np.testing.assert_allclose(np.exp(model.table[2]), unigram)


@pytest.mark.parametrize("order", [1, 2])
def test_temperature_rescales_every_distribution_and_samples_follow_it(ngram, order):
    model = ngram.NGram.fit(ROWS, 3, order=order, alpha=0.5, weight=0.5)
    temperature = 0.5
    sharpened = np.exp(model.first * 2) / np.exp(model.first * 2).sum()
    first = model.log_prob(ROWS, temperature=temperature)[:, 0]
    np.testing.assert_allclose(np.exp(first), sharpened[ROWS[:, 0]])
    samples = model.generate(20_000, temperature=temperature, seed=3)
    assert samples.shape == (20_000, 3) and samples.dtype == np.int32
    np.testing.assert_allclose(
        np.bincount(samples[:, 0], minlength=3) / 20_000, sharpened, atol=0.02
    )
    np.testing.assert_array_equal(samples, model.generate(20_000, temperature=temperature, seed=3))
    if order == 2:
        after = samples[samples[:, 1] == 1, 2]
        scaled = np.exp(2 * model.table[1]) / np.exp(2 * model.table[1]).sum()
        np.testing.assert_allclose(np.bincount(after, minlength=3) / len(after), scaled, atol=0.02)


def test_the_smoothing_of_lowest_validation_nll_is_picked(ngram):
    model, tried = ngram.pick(ROWS, ROWS[:2], 3, order=2)
    assert len(tried) == len(ngram.ALPHAS) * len(ngram.WEIGHTS)
    assert ngram.validation_nll(model, ROWS[:2]) == pytest.approx(min(tried.values()), abs=1e-5)


def test_a_tiny_run_scores_both_frontiers_and_places_the_compared_runs(ngram, tmp_path):
    oracle_file = tmp_path / "oracle.npz"
    ks.data.OracleLSTM(vocabulary_size=30, embedding_dim=4, hidden_dim=4, seed=1).save_npz(
        oracle_file
    )
    run = tmp_path / "run"
    run.mkdir()
    frontier = [
        {"model": "dense", "temperature": 1.0, "nll_oracle": 2.0, "nll_gen": 3.3},
        {"model": "mle (120 epochs)", "temperature": 1.0, "nll_oracle": 3.0, "nll_gen": 3.3},
    ]
    points = [  # the learning curve: placed at T=1, by step; the MLE curve is not
        {"stage": "mle", "step": 1, "nll_oracle": 2.9, "nll_gen": 3.4},
        {"stage": "adversarial-dense", "step": 5, "nll_oracle": 2.5, "nll_gen": 3.4},
    ]
    record = {"seed": 88, "config": {"num_eval": 64}, "frontier": frontier, "points": points}
    (run / "results.json").write_text(json.dumps(record))
    output = tmp_path / "out"
    argv = ["--oracle", str(oracle_file), "--num-train", "200", "--num-eval", "64",
            "--temperatures", "0.7", "1.0", "1.5", "--compare", str(run),
            "--output", str(output)]  # fmt: skip
    result = ngram.main(argv)
    assert [(r["model"], r["temperature"]) for r in result["frontier"]] == [
        (name, t) for name in ("unigram", "bigram") for t in (0.7, 1.0, 1.5)
    ]
    # Counted rows of the tiny oracle: colder samples are likelier under it.
    unigram = [r["nll_oracle"] for r in result["frontier"] if r["model"] == "unigram"]
    assert unigram == sorted(unigram)
    assert set(result["margins"]["bigram"]) == {
        "run: dense T=1",
        "mle (120 epochs) T=1",
        "run: adversarial-dense step 5 T=1",
    }
    assert json.loads((output / "results.json").read_text()) == result
    with np.load(output / "ngram.npz") as saved:
        assert saved["bigram_counts"].sum() == 200 * 19
    # A run scored on other held-out rows is refused.
    (run / "results.json").write_text(json.dumps({**record, "seed": 1}))
    with pytest.raises(SystemExit, match="--seed 1"):
        ngram.main(argv)


@pytest.mark.slow  # ~10 s: two tiny arms of fresh PrefixDiscriminators
def test_the_discriminator_diagnostic_trains_one_fresh_discriminator_per_arm(tmp_path):
    diagnostic = load_benchmark("ngram_discriminator")
    oracle_file = tmp_path / "oracle.npz"
    ks.data.OracleLSTM(vocabulary_size=30, embedding_dim=4, hidden_dim=4, seed=1).save_npz(
        oracle_file
    )
    argv = ["--oracle", str(oracle_file), "--num-train", "10000", "300", "--models", "unigram",
            "--rounds", "2", "--eval-every", "1", "--round-rows", "200", "--num-eval", "100",
            "--batch-size", "64", "--output", str(tmp_path / "out")]  # fmt: skip
    record = diagnostic.main(argv)
    assert record["status"] == "complete"
    assert [(arm["model"], arm["num_train"]) for arm in record["arms"]] == [
        ("unigram", 10000),
        ("unigram", 300),
    ]
    for arm in record["arms"]:
        assert [p["round"] for p in arm["points"]] == [1, 2]
        assert [p["real_rows_seen"] for p in arm["points"]] == [200, 400]
        for point in arm["points"]:
            assert 0.0 <= point["train_accuracy"] <= 1.0
            assert 0.0 <= point["held_out_accuracy"] <= 1.0
    # Each arm starts from the same fresh discriminator; the real rows differ.
    first, second = record["arms"]
    assert first["points"] != second["points"]
    assert json.loads((tmp_path / "out" / "results.json").read_text()) == record
    with pytest.raises(SystemExit):
        diagnostic.main([*argv[:2], "--rounds", "3", "--eval-every", "2"])
