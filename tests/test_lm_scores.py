"""`keras_seqgan.evaluation`: LM score, reverse LM score (`LMScorer`), `frechet_distance` and
`mauve_score`, on a tiny corpus with a grammar."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import keras_seqgan as ks

VOCABULARY_SIZE, LENGTH, EOS = 12, 8, 1
NUMPY_ONLY = pytest.mark.backend_independent("NumPy and scipy alone: no Keras backend runs")


def grammar_rows(count: int, seed: int) -> np.ndarray:
    """`subject verb object [object] <eos> <pad>...`: subjects 2-4, verbs 5-7, objects 8-11."""
    rng = np.random.default_rng(seed)
    rows = np.zeros((count, LENGTH), dtype="int32")
    for row in rows:
        words = [rng.integers(2, 5), rng.integers(5, 8), *rng.integers(8, 12, rng.integers(1, 3))]
        row[: len(words) + 1] = [*words, EOS]
    return rows


@pytest.fixture(scope="module")
def scorer():
    return ks.evaluation.LMScorer(
        grammar_rows(320, seed=0), vocabulary_size=VOCABULARY_SIZE, eos_id=EOS,
        held_out_fraction=0.25, embedding_dim=8, hidden_dim=16, epochs=6, batch_size=32,
        learning_rate=2e-2, seed=3,
    )  # fmt: skip


def test_lm_score_of_real_held_out_text_is_lower_than_of_random_tokens(scorer):
    random = np.random.default_rng(1).integers(2, VOCABULARY_SIZE, size=(80, LENGTH))
    assert scorer.lm_score(scorer.held_out) == pytest.approx(scorer.real_lm_score)
    assert scorer.real_lm_score < scorer.lm_score(random) - 0.5
    # Padding after `<eos>` is not scored: the same lines padded with anything score the same.
    other_padding = scorer.held_out.copy()
    after = np.cumsum(other_padding == EOS, axis=1) - (other_padding == EOS) > 0
    other_padding[after] = 5
    assert scorer.lm_score(other_padding) == pytest.approx(scorer.real_lm_score, rel=1e-5)
    assert scorer.settings["num_held_out_rows"] == 80 and scorer.settings["num_train_rows"] == 240
    assert scorer.settings["hidden_dim"] == 16 and scorer.settings["seed"] == 3


def test_reverse_lm_score_is_worse_for_a_collapsed_set(scorer):
    real = scorer.train_tokens[:120]
    collapsed = np.repeat(real[:1], 120, axis=0)  # one sentence, 120 times
    real_score = scorer.reverse_lm_score(real)
    scores = scorer.scores(collapsed)
    assert set(scores) == {"lm_score", "reverse_lm_score", "frechet"}
    assert scores["reverse_lm_score"] > real_score + 0.5
    # The collapsed set is also far from the real one in the LM's feature space.
    reference = scorer.reference_scores(120)
    assert scores["frechet"] > 5 * reference["frechet"]
    # Each reverse LM starts afresh: the same rows and seed give the same score, after
    # another set was scored in between.
    assert reference["reverse_lm_score"] == pytest.approx(real_score, rel=1e-5)
    assert reference["lm_score"] == scorer.real_lm_score


def test_default_features_are_the_real_lm_states(scorer):
    features = scorer.features(scorer.held_out)
    assert features.shape == (80, 16) and features.dtype == np.float64
    assert ks.evaluation.frechet_distance(
        scorer.held_out, scorer.held_out, encoder=scorer.features
    ) == pytest.approx(0.0, abs=1e-8)


SMALL = {"hidden_dim": 4, "embedding_dim": 4, "epochs": 1, "batch_size": 16, "seed": 7}


def test_lm_score_function_records_its_settings():
    real, generated = grammar_rows(60, seed=4), grammar_rows(20, seed=5)
    result = ks.evaluation.lm_score(
        generated, real, vocabulary_size=VOCABULARY_SIZE, eos_id=EOS, **SMALL
    )
    assert set(result) == {"lm_score", "real_lm_score", "settings"}
    assert np.isfinite(result["lm_score"]) and np.isfinite(result["real_lm_score"])
    assert result["settings"]["epochs"] == 1 and result["settings"]["seed"] == 7


def test_reverse_lm_score_function_records_its_settings():
    real, generated = grammar_rows(60, seed=4), grammar_rows(20, seed=5)
    result = ks.evaluation.reverse_lm_score(
        generated, real, vocabulary_size=VOCABULARY_SIZE, eos_id=EOS, **SMALL
    )
    assert set(result) == {"reverse_lm_score", "settings"}
    assert np.isfinite(result["reverse_lm_score"]) and result["settings"]["hidden_dim"] == 4


@pytest.mark.parametrize(
    ("arguments", "name"),
    [
        ({"held_out_fraction": 1.0}, "held_out_fraction"),
        ({"held_out_fraction": 0.0}, "held_out_fraction"),
        ({"eos_id": VOCABULARY_SIZE}, "eos_id"),
        ({"epochs": 0}, "epochs"),
        ({"hidden_dim": -1}, "hidden_dim"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"max_rows": 0}, "max_rows"),
        ({"vocabulary_size": 1}, "vocabulary_size"),
        ({"real_tokens": np.full((10, LENGTH), VOCABULARY_SIZE)}, "real_tokens"),
    ],
)
def test_bad_scorer_arguments_name_the_argument(arguments, name):
    kwargs = {"real_tokens": grammar_rows(10, seed=0), "vocabulary_size": VOCABULARY_SIZE,
              **arguments}  # fmt: skip
    with pytest.raises(ValueError, match=name):
        ks.evaluation.LMScorer(kwargs.pop("real_tokens"), **kwargs)


def test_bad_generated_sets_name_the_argument(scorer):
    with pytest.raises(ValueError, match="generated"):
        scorer.lm_score(np.zeros((4, LENGTH + 1), dtype="int32"))
    with pytest.raises(ValueError, match="num_rows"):
        scorer.reference_scores(10_000)
    with pytest.raises(TypeError, match="progress"):
        ks.evaluation.LMScorer(grammar_rows(10, 0), vocabulary_size=12, progress="print")


def reference_frechet(real, generated):
    """FD with the trace of the square root from eigenvalues: sqrt(S_r) S_g sqrt(S_r) is
    symmetric and has the eigenvalues of S_r S_g."""
    mean_r, mean_g = real.mean(0), generated.mean(0)
    cov_r, cov_g = np.cov(real, rowvar=False), np.cov(generated, rowvar=False)
    values, vectors = np.linalg.eigh(cov_r)
    root_r = vectors @ np.diag(np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = np.linalg.eigvalsh(root_r @ cov_g @ root_r)
    trace_root = np.sum(np.sqrt(np.clip(middle, 0, None)))
    return np.sum((mean_r - mean_g) ** 2) + np.trace(cov_r) + np.trace(cov_g) - 2 * trace_root


@NUMPY_ONLY
def test_frechet_distance_matches_the_formula_on_gaussians():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(400, 5)) @ rng.normal(size=(5, 5))
    generated = rng.normal(0.3, 1.5, size=(300, 5)) @ rng.normal(size=(5, 5))
    distance = ks.evaluation.frechet_distance(real, generated)
    assert distance == pytest.approx(reference_frechet(real, generated), rel=1e-6)
    assert ks.evaluation.frechet_distance(generated, real) == pytest.approx(distance, rel=1e-6)
    assert ks.evaluation.frechet_distance(real, real) == pytest.approx(0.0, abs=1e-8)
    # A shift by v adds |v|^2 and nothing else; a larger shift is farther.
    shift = np.array([1.0, -2.0, 0.5, 0.0, 0.0])
    assert ks.evaluation.frechet_distance(real, real + shift) == pytest.approx(5.25, rel=1e-6)
    assert ks.evaluation.frechet_distance(real, real + 2 * shift) > 5.25
    # By hand in one dimension: (m1 - m2)^2 + (s1 - s2)^2.
    one, two = np.array([[0.0], [2.0]]), np.array([[1.0], [5.0]])  # means 1, 3; var 2, 8
    assert ks.evaluation.frechet_distance(one, two) == pytest.approx(4 + (2**0.5 - 8**0.5) ** 2)
    # A set of one repeated sentence (zero covariance) has a distance, not a NaN.
    assert ks.evaluation.frechet_distance(real, np.repeat(real[:1], 50, axis=0)) > 0


@NUMPY_ONLY
def test_frechet_distance_takes_an_encoder():
    texts = ["a b", "a b c", "c", "b b b"]

    def encoder(lines):
        return [[len(line), line.count("b")] for line in lines]

    assert ks.evaluation.frechet_distance(texts, texts, encoder=encoder) == pytest.approx(0.0)
    expected = reference_frechet(
        np.array(encoder(texts), float), np.array(encoder(texts[::-1][:3]), float)
    )
    assert ks.evaluation.frechet_distance(texts, texts[::-1][:3], encoder=encoder) == pytest.approx(
        expected
    )


@NUMPY_ONLY
@pytest.mark.parametrize(
    ("real", "generated", "kwargs", "error", "match"),
    [
        (np.zeros((5, 3)), np.zeros((5, 4)), {}, ValueError, "one width"),
        (np.zeros((1, 3)), np.zeros((5, 3)), {}, ValueError, "`real`"),
        (np.zeros((5, 3)), np.full((5, 3), np.nan), {}, ValueError, "`generated`"),
        (np.zeros((5, 3)), np.zeros(5), {}, ValueError, "`generated`"),
        (np.zeros((5, 3)), np.zeros((5, 3)), {"encoder": "bert"}, TypeError, "encoder"),
        (["a"] * 3, ["b"] * 3, {"encoder": lambda lines: [1.0] * len(lines)}, ValueError,
         r"encoder\(real\)"),
    ],
)  # fmt: skip
def test_bad_features_name_the_argument(real, generated, kwargs, error, match):
    with pytest.raises(error, match=match):
        ks.evaluation.frechet_distance(real, generated, **kwargs)


@NUMPY_ONLY
def test_mauve_is_high_for_one_distribution_and_low_for_two():
    pytest.importorskip("mauve", reason='mauve-text is optional: pip install "keras-seqgan[mauve]"')
    rng = np.random.default_rng(0)
    real = rng.normal(size=(200, 4))
    same = ks.evaluation.mauve_score(real, rng.normal(size=(200, 4)), num_buckets=8)
    apart = ks.evaluation.mauve_score(real, rng.normal(4.0, size=(200, 4)), num_buckets=8)
    assert 0.9 < same <= 1.0 and apart < 0.2


@NUMPY_ONLY
def test_mauve_without_the_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "mauve", None)  # `import mauve` raises ImportError
    with pytest.raises(ImportError, match=r"keras-seqgan\[mauve\]"):
        ks.evaluation.mauve_score(np.zeros((5, 2)), np.zeros((5, 2)))
