"""MS-Jaccard against hand-computed values and a plain reference implementation."""

import math
from collections import Counter

import numpy as np
import pytest

from keras_seqgan.evaluation import ms_jaccard

pytestmark = pytest.mark.backend_independent("pure Python on token lists")


def reference_ms_jaccard(generated, references, n):
    """The definition, written out: per-sentence n-gram frequencies, multiset Jaccard per
    order, geometric mean over orders 1..n."""

    def frequencies(sentences, k):
        grams = Counter()
        for sentence in sentences:
            words = sentence.split()
            grams.update(tuple(words[i : i + k]) for i in range(len(words) - k + 1))
        return {gram: count / len(sentences) for gram, count in grams.items()}

    product = 1.0
    for k in range(1, n + 1):
        a, b = frequencies(generated, k), frequencies(references, k)
        keys = set(a) | set(b)
        low = sum(min(a.get(g, 0), b.get(g, 0)) for g in keys)
        high = sum(max(a.get(g, 0), b.get(g, 0)) for g in keys)
        product *= low / high
    return product ** (1 / n)


def test_hand_computed_value():
    # Unigrams: generated a 1, b .5, c .5 per sentence; real a 1, b 1 -> 1.5 / 2.5 = 0.6.
    # Bigrams: generated (a b) .5, (a c) .5; real (a b) 1 -> 0.5 / 1.5 = 1/3.
    scores = ms_jaccard(["a b", "a c"], ["a b"], max_n=2)
    assert scores == pytest.approx({"ms_jaccard_1": 0.6, "ms_jaccard_2": math.sqrt(0.2)})


def test_equal_frequencies_score_one_and_disjoint_sets_zero():
    real = ["a man rides a horse", "a dog on a sofa"]
    assert ms_jaccard(real * 3, real)["ms_jaccard_3"] == pytest.approx(1.0)
    assert ms_jaccard(["x y z"], real) == {"ms_jaccard_1": 0.0, "ms_jaccard_2": 0.0,
                                            "ms_jaccard_3": 0.0}  # fmt: skip


def test_matches_the_reference_on_random_text_and_sees_repetition():
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(5)]

    def corpus(count):
        return [" ".join(rng.choice(words, size=rng.integers(3, 9))) for _ in range(count)]

    generated, references = corpus(40), corpus(60)
    scores = ms_jaccard(generated, references, max_n=4, min_n=2)
    assert list(scores) == ["ms_jaccard_2", "ms_jaccard_3", "ms_jaccard_4"]
    for n in (2, 3, 4):
        assert scores[f"ms_jaccard_{n}"] == pytest.approx(
            reference_ms_jaccard(generated, references, n), rel=1e-12
        )
    # One sentence repeated (mode collapse) scores lower than varied text, though every
    # n-gram it has is real.
    collapsed = ms_jaccard(references[:1] * 40, references, max_n=2)["ms_jaccard_2"]
    assert 0 < collapsed < scores["ms_jaccard_2"]


def test_token_ids_and_bad_arguments():
    assert ms_jaccard([[1, 2, 3]], [[1, 2, 3]])["ms_jaccard_3"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="same kind of tokens"):
        ms_jaccard([[1, 2]], ["a b"])
    with pytest.raises(ValueError, match=r"min_n.*at most.*max_n"):
        ms_jaccard(["a"], ["a"], max_n=2, min_n=3)
    with pytest.raises(TypeError, match="generated"):
        ms_jaccard("a b", ["a b"])
    with pytest.raises(ValueError, match="references.*at least one"):
        ms_jaccard(["a"], [])
