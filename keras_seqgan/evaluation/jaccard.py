"""MS-Jaccard: how alike the n-gram multisets of generated and real text are."""

from __future__ import annotations

import math
from collections import Counter

from keras_seqgan.evaluation.bleu import (
    _as_sentences,
    _check_orders,
    _ngram_counts,
    check_same_token_kinds,
)


def _per_sentence_counts(sentences: list[tuple], n: int) -> dict:
    """Each n-gram's count over `sentences`, divided by the number of sentences."""
    counts = Counter()
    for sentence in sentences:
        counts.update(_ngram_counts(sentence, n))
    return {gram: count / len(sentences) for gram, count in counts.items()}


def ms_jaccard(generated, references, *, max_n: int = 3, min_n: int = 1) -> dict[str, float]:
    """MS-Jaccard-n of generated text against real text (Montahaei et al., 2019).

    For each order `k`, the n-grams of each set are counted as a multiset and each count
    is divided by the number of sentences of its set, so that sets of different sizes
    compare; the order's score is the multiset Jaccard index `sum_g min(c_gen(g), c_ref(g))
    / sum_g max(c_gen(g), c_ref(g))` over all n-grams `g` of either set. `ms_jaccard_n` is
    the geometric mean of the scores of orders `1..n`. 1 when the two sets have the same
    n-gram frequencies; it drops both when generated n-grams are wrong (quality) and when
    real ones are missing or over-repeated (diversity), so one number sees both failures
    that BLEU and Self-BLEU see apart. Tokens only: no model, nothing downloaded.

    Strings are split on whitespace; pass token lists to use another tokeniser. The
    figure depends on both sets' sizes (a small set misses rare n-grams): compare models
    on equally many generated sentences against the same references, and state the sizes.

    Args:
        generated: list of str or of token lists (str or int tokens), generated sentences.
        references: list of str or of token lists, real sentences.
        max_n: int >= 1. Highest n-gram order. Defaults to `3`.
        min_n: int in `[1, max_n]`. Lowest order reported; the geometric means always
            start at order 1. Defaults to `1`.

    Returns:
        A dict `{"ms_jaccard_1": float, ..., "ms_jaccard_<max_n>": float}` (keys `min_n`
        to `max_n`), each in `[0, 1]`.

    Example:

    ```python
    generated = ["a man riding a horse", "a cat on a sofa"]
    references = ["a man riding a bike", "a dog on a sofa"]
    print(keras_seqgan.evaluation.ms_jaccard(generated, references, max_n=2))
    ```

    Reference:
        - [Montahaei et al., 2019](https://arxiv.org/abs/1904.03971), "Jointly Measuring
          Diversity and Quality in Text Generation Models".
    """
    min_n, max_n = _check_orders(min_n, max_n)
    hypotheses = _as_sentences(generated, "generated")
    reference_sentences = _as_sentences(references, "references")
    check_same_token_kinds(hypotheses, reference_sentences)
    jaccards, scores = [], {}
    for order in range(1, max_n + 1):
        ours = _per_sentence_counts(hypotheses, order)
        theirs = _per_sentence_counts(reference_sentences, order)
        grams = ours.keys() | theirs.keys()
        low = sum(min(ours.get(g, 0.0), theirs.get(g, 0.0)) for g in grams)
        high = sum(max(ours.get(g, 0.0), theirs.get(g, 0.0)) for g in grams)
        jaccards.append(low / high if high else 0.0)
        if order >= min_n:
            scores[f"ms_jaccard_{order}"] = _geometric_mean(jaccards)
    return scores


def _geometric_mean(values: list[float]) -> float:
    if min(values) <= 0.0:
        return 0.0
    return math.exp(sum(math.log(value) for value in values) / len(values))
