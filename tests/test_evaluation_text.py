"""Tests for `keras_seqgan.evaluation.text`: BLEU, self-BLEU and condition accuracy."""

from __future__ import annotations

import random
import warnings

import keras
import numpy as np
import pytest
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

from keras_seqgan.evaluation import (
    ConditionClassifier,
    bleu,
    condition_accuracy,
    self_bleu,
    train_condition_classifier,
)

pytestmark = pytest.mark.backend_independent(
    "BLEU and the text metrics are Python over token lists; the models they score "
    "are tested on both backends"
)


def nltk_mean(references, hypotheses, order, smoothing=True):
    """Texygen's loop, straight through nltk: mean sentence_bleu over the hypotheses.

    `references` is one list of reference sentences for all hypotheses, or `None` for
    self-BLEU (each hypothesis against the others).
    """
    weights = tuple(1.0 / order for _ in range(order))
    function = SmoothingFunction().method1 if smoothing else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # method0 warns about zero counts.
        scores = [
            sentence_bleu(
                hypotheses[:index] + hypotheses[index + 1 :] if references is None else references,
                hypothesis,
                weights,
                smoothing_function=function,
            )
            for index, hypothesis in enumerate(hypotheses)
        ]
    return sum(scores) / len(scores)


# ----------------------------------------------------------------------------------------------
# BLEU
# ----------------------------------------------------------------------------------------------


def test_bleu_of_a_sentence_against_itself_is_one():
    sentence = "a man riding a wave on top of a surfboard"
    result = bleu([sentence], [sentence])
    assert set(result) == {"bleu_2", "bleu_3", "bleu_4", "bleu_5"}
    for value in result.values():
        assert value == pytest.approx(1.0, abs=1e-12)


def test_bleu_of_disjoint_sentences_is_zero():
    result = bleu(["red green blue yellow"], ["one two three four five"])
    assert all(value == 0.0 for value in result.values())


def test_bleu_matches_nltk_on_a_small_example():
    generated = ["a cat sits on the mat", "the dog runs in the park today", "a bird"]
    references = ["the cat sat on the mat", "a dog runs in a park", "there is a bird here"]
    tokenized = [sentence.split() for sentence in references]
    result = bleu(generated, references, min_n=1)
    for order in range(1, 6):
        expected = nltk_mean(tokenized, [g.split() for g in generated], order)
        assert result[f"bleu_{order}"] == pytest.approx(expected, abs=1e-12)


def test_bleu_uses_every_reference():
    generated = ["a b c d"]
    one = bleu(generated, ["a b x y"])
    both = bleu(generated, ["a b x y", "x y c d"])
    assert both["bleu_2"] > one["bleu_2"]
    expected = nltk_mean([list("abxy"), list("xycd")], [list("abcd")], 2)
    assert both["bleu_2"] == pytest.approx(expected, abs=1e-12)


def test_fast_path_equals_nltk_on_random_small_inputs():
    rng = random.Random(0)
    for _ in range(60):
        vocabulary = rng.choice([3, 5, 8])
        references, generated = (
            [
                [rng.randrange(vocabulary) for _ in range(rng.randint(0, 9))]
                for _ in range(rng.randint(low, high))
            ]
            for low, high in ((1, 6), (2, 4))
        )
        for smoothing in (True, False):
            result = bleu(generated, references, min_n=1, smoothing=smoothing)
            itself = self_bleu(generated, min_n=1, smoothing=smoothing)
            for order in range(1, 6):
                expected = nltk_mean(references, generated, order, smoothing)
                assert abs(result[f"bleu_{order}"] - expected) < 1e-9
                expected = nltk_mean(None, generated, order, smoothing)
                assert abs(itself[f"self_bleu_{order}"] - expected) < 1e-9


def test_bleu_accepts_token_lists_and_arrays_like_strings():
    text = bleu(["a b c a b"], ["a b c", "c a b"])
    tokens = bleu([["a", "b", "c", "a", "b"]], [("a", "b", "c"), ["c", "a", "b"]])
    ids = bleu(np.array([[1, 2, 3, 1, 2]]), [np.array([1, 2, 3]), [3, 1, 2]])
    assert text == tokens == ids


def test_num_samples_is_seeded():
    rng = np.random.default_rng(0)
    generated = [list(rng.integers(0, 6, size=6)) for _ in range(40)]
    references = [list(rng.integers(0, 6, size=6)) for _ in range(30)]
    first = bleu(generated, references, num_samples=10, seed=3)
    assert first == bleu(generated, references, num_samples=10, seed=3)
    assert first != bleu(generated, references, num_samples=10, seed=4)
    assert bleu(generated, references, num_samples=100) == bleu(generated, references)
    assert self_bleu(generated, num_samples=5, seed=1) == self_bleu(
        generated, num_samples=5, seed=1
    )


def test_bleu_downloads_nothing(monkeypatch):
    import nltk

    def refuse(*args, **kwargs):
        raise AssertionError("nltk data was requested")

    monkeypatch.setattr(nltk, "download", refuse)
    monkeypatch.setattr(nltk.data, "load", refuse)
    monkeypatch.setattr(nltk.data, "find", refuse)
    assert bleu(["a b c"], ["a b d"])["bleu_2"] > 0
    assert self_bleu(["a b c", "a b d"])["self_bleu_2"] > 0


# ----------------------------------------------------------------------------------------------
# Self-BLEU
# ----------------------------------------------------------------------------------------------


def test_self_bleu_of_identical_sentences_is_one_and_distinct_ones_lower():
    same = self_bleu(["a man on a horse"] * 4, max_n=4)
    assert set(same) == {"self_bleu_2", "self_bleu_3", "self_bleu_4"}
    assert all(value == pytest.approx(1.0, abs=1e-12) for value in same.values())
    distinct = self_bleu(
        ["a man on a horse", "two dogs play in snow", "a red bus parked outside", "a man eats"],
        max_n=4,
    )
    assert all(distinct[key] < 0.5 for key in distinct)


def test_self_bleu_leaves_the_sentence_itself_out():
    # Without leaving itself out, every sentence would match itself and score 1.
    result = self_bleu(["a b c d", "e f g h"])
    assert all(value == 0.0 for value in result.values())


# ----------------------------------------------------------------------------------------------
# BLEU errors
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: bleu([], ["a b"]), ValueError, "`generated` must hold at least one"),
        (lambda: bleu(["a b"], []), ValueError, "`references` must hold at least one"),
        (lambda: bleu("a b", ["a b"]), TypeError, "`generated` must be a list"),
        (lambda: bleu(["a b"], None), TypeError, "Received: references of type NoneType"),
        (lambda: bleu(np.array(3), ["a b"]), TypeError, "generated of type ndarray"),
        (lambda: bleu(["a b", 3], ["a b"]), TypeError, r"generated\[1\]=3"),
        (lambda: bleu([["a", None]], ["a b"]), TypeError, "Tokens must be str or int"),
        (lambda: bleu(["a b"], ["a b"], max_n=0), ValueError, "max_n"),
        (lambda: bleu(["a b"], ["a b"], max_n=2.0), TypeError, "max_n"),
        (lambda: bleu(["a b"], ["a b"], max_n=3, min_n=4), ValueError, "min_n=4, max_n=3"),
        (lambda: bleu(["a b"], ["a b"], smoothing="yes"), TypeError, "smoothing"),
        (lambda: bleu(["a b"], ["a b"], num_samples=0), ValueError, "num_samples"),
        (lambda: bleu(["a b"], ["a b"], num_samples=1, seed=-1), ValueError, "seed"),
        (lambda: bleu([[1, 2]], ["a b"]), ValueError, "same kind of tokens"),
        (lambda: self_bleu(["a b"]), ValueError, "at least two sentences"),
        (lambda: self_bleu([]), ValueError, "at least one"),
        (lambda: self_bleu(["a b", "c d"], max_n=-1), ValueError, "max_n"),
    ],
)
def test_bleu_bad_inputs_raise(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ----------------------------------------------------------------------------------------------
# Condition accuracy
# ----------------------------------------------------------------------------------------------

VOCABULARY, CLASSES, LENGTH = 20, 2, 6


def synthetic(count, seed):
    """Class 0 writes tokens 1-9, class 1 tokens 10-19; some padding (0) at the end."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, CLASSES, size=count).astype("int32")
    low = np.where(labels == 0, 1, 10)[:, None]
    tokens = (low + rng.integers(0, 9, size=(count, LENGTH))).astype("int32")
    tokens[:, -1] = np.where(rng.random(count) < 0.5, 0, tokens[:, -1])
    return tokens, labels


@pytest.fixture(scope="module")
def trained():
    tokens, labels = synthetic(400, seed=0)
    return train_condition_classifier(
        tokens, labels, num_classes=CLASSES, vocabulary_size=VOCABULARY, epochs=4, seed=1
    )


def test_classifier_learns_the_condition_and_catches_wrong_labels(trained):
    assert trained.validation_accuracy > 0.9
    assert 0.4 < trained.chance < 0.6
    generated, requested = synthetic(100, seed=5)
    assert trained.accuracy(generated, requested) > 0.9
    assert trained.accuracy(generated, 1 - requested) < 0.1
    assert trained.classify(generated).shape == (100,)


def test_condition_accuracy_is_reproducible_and_reports_everything():
    tokens, labels = synthetic(200, seed=0)
    generated, requested = synthetic(50, seed=7)
    arguments = dict(num_classes=CLASSES, vocabulary_size=VOCABULARY, epochs=2, seed=3)
    first = condition_accuracy(tokens, labels, generated, requested, **arguments)
    second = condition_accuracy(tokens, labels, generated, requested, **arguments)
    assert set(first) == {"accuracy_generated", "accuracy_real_validation", "chance", "classifier"}
    assert isinstance(first["classifier"], ConditionClassifier)
    for key in ("accuracy_generated", "accuracy_real_validation", "chance"):
        assert first[key] == second[key]
    for a, b in zip(
        first["classifier"].get_weights(), second["classifier"].get_weights(), strict=True
    ):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)
    assert first["chance"] == pytest.approx(np.bincount(labels).max() / len(labels))


def test_no_validation_split_gives_none():
    tokens, labels = synthetic(50, seed=0)
    classifier = train_condition_classifier(
        tokens,
        labels,
        num_classes=CLASSES,
        vocabulary_size=VOCABULARY,
        epochs=1,
        validation_fraction=0.0,
        seed=0,
    )
    assert classifier.validation_accuracy is None


def test_classifier_config_round_trip_and_keras_save(trained, tmp_path):
    config = trained.get_config()
    clone = ConditionClassifier.from_config(config)
    assert clone.get_config() == config
    assert (clone.vocabulary_size, clone.num_classes, clone.seed) == (VOCABULARY, CLASSES, 1)
    path = str(tmp_path / "classifier.keras")
    trained.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded, ConditionClassifier)
    tokens, _ = synthetic(20, seed=9)
    np.testing.assert_allclose(
        loaded.predict(tokens, verbose=0), trained.predict(tokens, verbose=0)
    )


def test_seeded_classifiers_start_from_the_same_weights():
    first, second = ConditionClassifier(10, 3, seed=4), ConditionClassifier(10, 3, seed=4)
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "overrides, error, match",
    [
        (dict(real_tokens=np.zeros((4, 3), "float32")), TypeError, "real_tokens"),
        (dict(real_tokens=np.full((4, 3), 20)), ValueError, "real_tokens"),
        (dict(real_labels=np.array([0, 1, 0])), ValueError, r"real_labels.*shape \[4\]"),
        (dict(real_labels=np.array([0, 1, 2, 0])), ValueError, r"\[0, num_classes=2\)"),
        (dict(real_labels=np.array([0.0, 1, 0, 1])), TypeError, "integer class ids"),
        (dict(num_classes=1), ValueError, "num_classes"),
        (dict(vocabulary_size=1), ValueError, "vocabulary_size"),
        (dict(epochs=0), ValueError, "epochs"),
        (dict(validation_fraction=1.0), ValueError, "validation_fraction"),
        (dict(validation_fraction=0.9), ValueError, "leaves none to train on"),
        (dict(seed="a"), TypeError, "seed"),
        (dict(verbose=2), ValueError, "verbose"),
    ],
)
def test_train_condition_classifier_bad_inputs_raise(overrides, error, match):
    arguments = dict(
        real_tokens=np.ones((4, 3), "int32"),
        real_labels=np.array([0, 1, 0, 1]),
        num_classes=2,
        vocabulary_size=VOCABULARY,
        epochs=1,
    )
    arguments.update(overrides)
    with pytest.raises(error, match=match):
        train_condition_classifier(
            arguments.pop("real_tokens"), arguments.pop("real_labels"), **arguments
        )


def test_accuracy_and_condition_accuracy_bad_inputs_raise(trained):
    tokens, labels = synthetic(10, seed=0)
    with pytest.raises(ValueError, match=r"labels.*shape \[10\]"):
        trained.accuracy(tokens, labels[:5])
    with pytest.raises(ValueError, match="tokens"):
        trained.accuracy(tokens + VOCABULARY, labels)
    with pytest.raises(ValueError, match="generated_labels"):
        condition_accuracy(
            tokens, labels, tokens, labels + 5, num_classes=2, vocabulary_size=VOCABULARY
        )
    with pytest.raises(ValueError, match="kernel_size"):
        ConditionClassifier(10, 2, kernel_size=0)
