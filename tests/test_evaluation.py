"""Tests for `keras_seqgan.evaluation` (NLL-oracle and NLL-gen)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from keras import ops

from keras_seqgan.data import OracleLSTM
from keras_seqgan.evaluation import frontier_margin, nll_gen, nll_oracle, temperature_frontier


class UniformGenerator:
    """A stand-in generator that gives every token probability 1 / vocabulary_size."""

    def __init__(self, vocabulary_size: int = 10, sequence_length: int = 5):
        self.vocabulary_size = vocabulary_size
        self.sequence_length = sequence_length
        self.batch_shapes = []

    def log_prob(self, tokens):
        self.batch_shapes.append(tuple(tokens.shape))
        return ops.full(ops.shape(tokens), -math.log(self.vocabulary_size), dtype="float32")


class OracleAsGenerator:
    """A stand-in generator whose log-probabilities are the oracle's."""

    def __init__(self, oracle: OracleLSTM):
        self.oracle = oracle
        self.vocabulary_size = oracle.vocabulary_size
        self.sequence_length = oracle.sequence_length

    def log_prob(self, tokens):
        return ops.convert_to_tensor(self.oracle.log_prob(ops.convert_to_numpy(tokens)))


@pytest.fixture(scope="module")
def oracle() -> OracleLSTM:
    sizes = {"vocabulary_size": 10, "sequence_length": 5, "embedding_dim": 4, "hidden_dim": 4}
    return OracleLSTM(**sizes, seed=3, jit_compile=False)


def test_nll_oracle_equals_oracle_nll(oracle):
    samples = oracle.sample(300, seed=1)
    assert nll_oracle(oracle, samples) == pytest.approx(oracle.nll(samples), abs=1e-9)
    uniform = np.random.default_rng(1).integers(0, 10, (300, 5))
    assert nll_oracle(oracle, samples) < nll_oracle(oracle, uniform)


def test_nll_oracle_accepts_lists(oracle):
    samples = oracle.sample(4, seed=1)
    assert nll_oracle(oracle, samples.tolist()) == pytest.approx(oracle.nll(samples), abs=1e-9)


@pytest.mark.parametrize(
    "samples, error, match",
    [
        (np.zeros((4, 6), "int32"), ValueError, r"`samples`.*sequence length 5"),
        (np.full((4, 5), 10), ValueError, r"`samples`.*vocabulary_size=10"),
        (np.zeros((4, 5), "float32"), TypeError, r"`samples`.*integer"),
    ],
)
def test_nll_oracle_rejects_bad_samples(oracle, samples, error, match):
    with pytest.raises(error, match=match):
        nll_oracle(oracle, samples)


def test_nll_oracle_rejects_non_oracle():
    with pytest.raises(TypeError, match=r"`oracle`.*object"):
        nll_oracle(object(), np.zeros((2, 5), "int32"))


def test_nll_gen_of_uniform_generator_is_log_vocabulary():
    generator = UniformGenerator()
    tokens = np.random.default_rng(0).integers(0, 10, (23, 5))
    assert nll_gen(generator, tokens, batch_size=8) == pytest.approx(math.log(10), abs=1e-6)
    # Every batch has the same shape (the last one padded), so a compiled log_prob traces once.
    assert set(generator.batch_shapes) == {(8, 5)} and len(generator.batch_shapes) == 3


def test_nll_gen_small_input_uses_one_batch():
    generator = UniformGenerator()
    assert nll_gen(generator, np.zeros((3, 5), "int32")) == pytest.approx(math.log(10), abs=1e-6)
    assert generator.batch_shapes == [(3, 5)]


def test_nll_gen_with_oracle_log_probs_matches_oracle_nll(oracle):
    held_out = oracle.sample(50, seed=2)
    value = nll_gen(OracleAsGenerator(oracle), held_out, batch_size=16)
    assert value == pytest.approx(oracle.nll(held_out), abs=1e-5)


@pytest.mark.parametrize(
    "tokens, error, match",
    [
        (np.zeros((4, 6), "int32"), ValueError, r"`tokens`.*sequence length 5"),
        (np.full((4, 5), 10), ValueError, r"`tokens`.*vocabulary_size=10"),
        (np.zeros((4, 5), "float64"), TypeError, r"`tokens`.*integer"),
        (np.zeros((0, 5), "int32"), ValueError, r"`tokens`.*empty"),
    ],
)
def test_nll_gen_rejects_bad_tokens(tokens, error, match):
    with pytest.raises(error, match=match):
        nll_gen(UniformGenerator(), tokens)


def test_nll_gen_rejects_bad_batch_size():
    with pytest.raises(ValueError, match="`batch_size` must be an int >= 1"):
        nll_gen(UniformGenerator(), np.zeros((2, 5), "int32"), batch_size=0)


def test_nll_gen_rejects_object_without_log_prob():
    class NoLogProb:
        vocabulary_size, sequence_length = 10, 5

    with pytest.raises(TypeError, match=r"`generator`.*log_prob.*NoLogProb"):
        nll_gen(NoLogProb(), np.zeros((2, 5), "int32"))


def test_nll_gen_rejects_wrong_log_prob_shape():
    class Summed(UniformGenerator):
        def log_prob(self, tokens):
            return ops.sum(super().log_prob(tokens), axis=1)

    with pytest.raises(ValueError, match=r"log_prob.*\(2, 5\).*\(2,\)"):
        nll_gen(Summed(), np.zeros((2, 5), "int32"))


def test_nll_gen_compiled_matches_eager_log_prob_at_each_temperature():
    from keras_seqgan.models import Generator

    generator = Generator(vocabulary_size=13, sequence_length=5, seed=4)
    tokens = np.random.default_rng(0).integers(0, 13, size=(37, 5)).astype("int32")
    for temperature in (0.5, 1.0, 1.7):
        eager = ops.convert_to_numpy(generator.log_prob(tokens, temperature=temperature))
        expected = -float(np.mean(eager, dtype="float64"))
        got = nll_gen(generator, tokens, batch_size=16, temperature=temperature)
        assert got == pytest.approx(expected, rel=1e-5)
    sharp = nll_gen(generator, tokens, temperature=0.5)
    flat = nll_gen(generator, tokens, temperature=1.7)
    assert sharp != pytest.approx(flat)


@pytest.mark.parametrize("temperature", [0, -1.0, float("nan"), "1"])
def test_nll_gen_rejects_bad_temperature(temperature):
    from keras_seqgan.models import Generator

    generator = Generator(vocabulary_size=5, sequence_length=3)
    with pytest.raises((ValueError, TypeError), match="temperature"):
        nll_gen(generator, np.zeros((2, 3), "int32"), temperature=temperature)


# ------------------------------------------------------------- the temperature frontier
def test_frontier_margin_interpolates_the_frontier():
    frontier = [
        {"nll_gen": 8.0, "nll_oracle": 9.2},
        {"nll_gen": 10.0, "nll_oracle": 8.6},  # colder sampling: better quality, less diversity
        {"nll_gen": 9.0, "nll_oracle": 8.8},
    ]
    assert frontier_margin(frontier, {"nll_gen": 8.5, "nll_oracle": 8.9}) == pytest.approx(0.1)
    assert frontier_margin(frontier, {"nll_gen": 9.5, "nll_oracle": 8.8}) == pytest.approx(-0.1)
    assert frontier_margin(frontier, {"nll_gen": 9.0, "nll_oracle": 8.8}) == pytest.approx(0.0)
    assert (
        frontier_margin(frontier, {"nll_gen": 7.9, "nll_oracle": 5.0}) is None
    )  # no extrapolation
    assert frontier_margin(frontier, {"nll_gen": 10.5, "nll_oracle": 5.0}) is None
    with pytest.raises(ValueError, match="at least 2"):
        frontier_margin(frontier[:1], {"nll_gen": 8.0, "nll_oracle": 9.0})


def test_frontier_margin_takes_the_better_branch_where_a_sweep_turns_back():
    # The unigram's sweep of oracle_ngram.py (rounded): NLL-gen is lowest at T=1 and rises
    # on both sides of it, so two branches of the curve pass NLL-gen 7.85-7.89.
    sweep = [(0.7, 7.953, 9.899), (0.8, 7.878, 10.051), (0.9, 7.847, 10.199),
             (1.0, 7.840, 10.308), (1.1, 7.845, 10.410), (1.4, 7.895, 10.624)]  # fmt: skip
    frontier = [{"temperature": t, "nll_gen": g, "nll_oracle": o} for t, g, o in sweep]
    # Between T=0.7 and 0.8 (the colder branch, 9.985 at 7.9105), not between 0.8 and 1.4.
    point = {"nll_gen": 7.9105, "nll_oracle": 10.006}
    assert frontier_margin(frontier, point) == pytest.approx(9.985 - 10.006, abs=1e-3)
    # Where both branches pass, the colder (better) one counts, in any row order.
    point = {"nll_gen": 7.86, "nll_oracle": 10.2}
    on_cold = 10.051 + (7.86 - 7.878) / (7.847 - 7.878) * (10.199 - 10.051)
    assert frontier_margin(frontier[::-1], point) == pytest.approx(on_cold - 10.2, abs=1e-5)
    # Higher is better (BLEU against Self-BLEU): the higher branch counts.
    bleu = [{"temperature": t, "self_bleu_2": g, "bleu_2": -o} for t, g, o in sweep]
    point = {"self_bleu_2": 7.86, "bleu_2": -10.2}
    margin = frontier_margin(bleu, point, x="self_bleu_2", y="bleu_2", higher_is_better=True)
    assert margin == pytest.approx(on_cold - 10.2, abs=1e-5)


def test_temperature_frontier_is_oracle_nll_at_each_temperature(oracle):
    import keras_seqgan as ks

    generator = ks.models.Generator(
        vocabulary_size=oracle.vocabulary_size, sequence_length=oracle.sequence_length,
        embedding_dim=8, hidden_dim=8, seed=1,
    )  # fmt: skip
    held_out = oracle.sample(64, seed=5)
    points = temperature_frontier(generator, oracle, held_out, (0.5, 1.0), num_samples=64, seed=9)
    assert [p["temperature"] for p in points] == [0.5, 1.0]
    for point in points:
        expected = ks.callbacks.OracleNLL(
            oracle, num_samples=64, temperature=point["temperature"], held_out=held_out, seed=9
        ).evaluate(generator)
        assert point["nll_oracle"] == pytest.approx(expected["nll_oracle"], rel=1e-6)
        assert point["nll_gen"] == pytest.approx(expected["nll_gen"], rel=1e-6)
    # Sharper sampling: the generator's NLL of the oracle's samples changes with T.
    assert points[0]["nll_gen"] != pytest.approx(points[1]["nll_gen"])


@pytest.mark.parametrize("temperatures", [(), (0.5, 0), "1.0", (True,)])
def test_temperature_frontier_rejects_bad_temperatures(oracle, temperatures):
    import keras_seqgan as ks

    generator = ks.models.Generator(vocabulary_size=oracle.vocabulary_size,
                                    sequence_length=oracle.sequence_length)  # fmt: skip
    with pytest.raises(ValueError, match="temperatures"):
        temperature_frontier(generator, oracle, None, temperatures)
