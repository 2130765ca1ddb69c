"""BLEU and self-BLEU as Texygen defines them (smoothing, orders, leave-one-out).

NLL on held-out real text needs nothing new here: `keras_seqgan.evaluation.nll_gen` is the
generator's mean per-token NLL of held-out token sequences (Texygen's NLL-test).
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Sequence
from numbers import Integral

import numpy as np

from keras_seqgan._validation import check_int, check_seed


def _as_sentences(sentences, name: str) -> list[tuple]:
    """Token tuples from a list of strings (split on whitespace) or of token sequences."""
    if (
        isinstance(sentences, (str, bytes))
        or not isinstance(sentences, (Sequence, np.ndarray))
        or (isinstance(sentences, np.ndarray) and sentences.ndim == 0)
    ):
        raise TypeError(
            f"`{name}` must be a list of strings or a list of token lists. "
            f"Received: {name} of type {type(sentences).__name__}"
        )
    if len(sentences) == 0:
        raise ValueError(f"`{name}` must hold at least one sentence. Received: {name}=[]")
    result = []
    for index, sentence in enumerate(sentences):
        if isinstance(sentence, str):
            result.append(tuple(sentence.split()))
            continue
        if isinstance(sentence, np.ndarray) and sentence.ndim == 1:
            sentence = sentence.tolist()
        if isinstance(sentence, (bytes, np.ndarray)) or not isinstance(sentence, Sequence):
            raise TypeError(
                f"Every entry of `{name}` must be a string or a list of tokens (str or int). "
                f"Received: {name}[{index}]={sentence!r} (of type {type(sentence).__name__})"
            )
        for token in sentence:
            if isinstance(token, bool) or not isinstance(token, (str, Integral)):
                raise TypeError(
                    f"Tokens must be str or int. Received: {name}[{index}] holds {token!r} "
                    f"(of type {type(token).__name__})"
                )
        result.append(tuple(int(t) if isinstance(t, Integral) else t for t in sentence))
    return result


def _token_kinds(sentences: list[tuple]) -> set[str]:
    return {
        "str" if isinstance(token, str) else "int" for sentence in sentences for token in sentence
    }


def check_same_token_kinds(hypotheses: list[tuple], references: list[tuple]) -> None:
    """Generated and reference sentences must both be text or both be ids."""
    generated_kinds, reference_kinds = _token_kinds(hypotheses), _token_kinds(references)
    if generated_kinds and reference_kinds and not generated_kinds & reference_kinds:
        raise ValueError(
            f"`generated` and `references` must hold the same kind of tokens. Received "
            f"{sorted(generated_kinds)} tokens in `generated` and {sorted(reference_kinds)} "
            "tokens in `references`: decode both to text, or pass ids for both."
        )


def _check_orders(min_n, max_n) -> tuple[int, int]:
    max_n = check_int("max_n", max_n, 1)
    min_n = check_int("min_n", min_n, 1)
    if min_n > max_n:
        raise ValueError(f"`min_n` must be at most `max_n`. Received: min_n={min_n}, max_n={max_n}")
    return min_n, max_n


def _check_smoothing(smoothing) -> bool:
    if not isinstance(smoothing, (bool, np.bool_)):
        raise TypeError(
            f"`smoothing` must be True (nltk's method1, as Texygen) or False (none). "
            f"Received: smoothing={smoothing!r}"
        )
    return bool(smoothing)


def _pick(count: int, num_samples, seed) -> list[int]:
    """Indices of the hypotheses to score: all, or a seeded subset (sorted)."""
    if num_samples is None:
        return list(range(count))
    num_samples = check_int("num_samples", num_samples, 1)
    seed = check_seed(seed)
    if num_samples >= count:
        return list(range(count))
    chosen = np.random.default_rng(seed).choice(count, size=num_samples, replace=False)
    return sorted(int(index) for index in chosen)


def _ngram_counts(sentence: tuple, n: int) -> Counter:
    if len(sentence) < n:
        return Counter()
    return Counter(zip(*(sentence[offset:] for offset in range(n)), strict=False))


class _ReferenceTable:
    """Per n-gram, the two highest counts over all references, and the reference lengths.

    Clipping a hypothesis against many references only needs, per n-gram, the maximum
    count over the references; leaving one reference out (self-BLEU) needs the second
    highest too. The brevity penalty needs only the multiset of reference lengths.
    """

    def __init__(self, references: list[tuple], max_n: int):
        self.top = [{} for _ in range(max_n)]
        for sentence in references:
            for order in range(max_n):
                table = self.top[order]
                for ngram, count in _ngram_counts(sentence, order + 1).items():
                    first, second = table.get(ngram, (0, 0))
                    if count > first:
                        table[ngram] = (count, first)
                    elif count > second:
                        table[ngram] = (first, count)
        self.lengths = Counter(len(sentence) for sentence in references)

    def clipped(self, counts: Counter, order: int, leave_out: bool) -> int:
        table = self.top[order]
        total = 0
        for ngram, count in counts.items():
            first, second = table.get(ngram, (0, 0))
            # Leaving out the hypothesis itself: if it holds the top count, the best of
            # the others is the second count (equal to the first when two share it).
            best = second if leave_out and count == first else first
            total += min(count, best)
        return total

    def closest_length(self, length: int, leave_out: bool) -> int:
        candidates = [
            reference
            for reference, number in self.lengths.items()
            if number - (leave_out and reference == length) > 0
        ]
        return min(candidates, key=lambda reference: (abs(reference - length), reference))


def _sentence_scores(hypothesis, table: _ReferenceTable, orders, leave_out, smoothing, nltk_bleu):
    """nltk's `sentence_bleu` for each order in `orders`, from the precomputed table."""
    max_n = orders[-1]
    precisions = []
    for order in range(max_n):
        counts = _ngram_counts(hypothesis, order + 1)
        numerator = table.clipped(counts, order, leave_out)
        denominator = max(1, sum(counts.values()))
        precisions.append(nltk_bleu.Fraction(numerator, denominator, _normalize=False))
    if precisions[0].numerator == 0:  # nltk: no matching unigram gives 0, smoothed or not.
        return [0.0] * len(orders)
    length = len(hypothesis)
    penalty = nltk_bleu.brevity_penalty(table.closest_length(length, leave_out), length)
    if smoothing:
        precisions = nltk_bleu.SmoothingFunction().method1(precisions)
    else:  # nltk's method0, without its warning per zero precision.
        precisions = [p if p.numerator != 0 else sys.float_info.min for p in precisions]
    scores = []
    for order in orders:
        weights = tuple(1.0 / order for _ in range(order))
        total = math.fsum(
            w * math.log(p) for w, p in zip(weights, precisions, strict=False) if p > 0
        )
        scores.append(float(penalty * math.exp(total)))
    return scores


def _average(hypotheses, indices, table, orders, leave_out, smoothing) -> list[float]:
    # nltk's own Fraction (it keeps the unreduced denominator that method1 divides by),
    # smoothing and brevity penalty; imported here so `import keras_seqgan` stays light.
    from nltk.translate import bleu_score

    per_order = [[] for _ in orders]
    for index in indices:
        scores = _sentence_scores(
            hypotheses[index], table, orders, leave_out, smoothing, bleu_score
        )
        for bucket, score in zip(per_order, scores, strict=True):
            bucket.append(score)
    return [math.fsum(bucket) / len(bucket) for bucket in per_order]


def bleu(
    generated,
    references,
    *,
    max_n: int = 5,
    min_n: int = 2,
    smoothing: bool = True,
    num_samples: int | None = None,
    seed: int | None = None,
) -> dict[str, float]:
    """BLEU-n of generated text against a reference corpus, as Texygen defines it.

    For every generated sentence, nltk's
    `sentence_bleu(references, hypothesis, weights=(1/n,) * n,
    smoothing_function=SmoothingFunction().method1)` with *all* reference sentences as its
    references, averaged over the generated sentences: the quality figure of Texygen,
    LeakGAN and RelGAN on real text. The result equals that nltk call (a test checks it to
    1e-9), but each reference is read once: per n-gram only the highest count over the
    references and the reference lengths matter, so scoring is linear in the number of
    generated sentences instead of generated x references.

    Texygen's own default (`is_fast=True`) kept only the first 500 references; pass
    `references[:500]` to reproduce its figures. Texygen tokenised with
    `nltk.word_tokenize`, which needs downloaded data: strings here are split on whitespace
    (the same on pre-tokenised corpora such as Texygen's `image_coco.txt`); pass token
    lists to use another tokeniser. Nothing is downloaded.

    Args:
        generated: list of str (split on whitespace) or of token lists (str or int tokens,
            padding removed), the generated sentences.
        references: list of str or of token lists, the real sentences.
        max_n: int >= 1. Highest n-gram order. Defaults to `5`.
        min_n: int in `[1, max_n]`. Lowest order reported. Defaults to `2` (BLEU-2 to
            BLEU-5, as the papers report).
        smoothing: bool. `True` for nltk's `method1` (0.1 added to zero n-gram matches),
            as Texygen; `False` for none (a sentence missing any order scores about 0).
            Defaults to `True`.
        num_samples: int or `None`. Score a random subset of this many generated
            sentences (all references are still used). Defaults to `None` (all).
        seed: int or `None`. Seed of the subset drawn for `num_samples`. Defaults to `None`.

    Returns:
        A dict `{"bleu_2": float, ..., "bleu_5": float}` (keys `min_n` to `max_n`), each
        in `[0, 1]`.

    Example:

    ```python
    generated = ["a man riding a horse on a beach", "a cat sitting on a sofa"]
    references = ["a man rides a horse on the beach", "a dog sitting on a sofa"]
    print(keras_seqgan.evaluation.bleu(generated, references))
    ```

    Reference:
    - [Papineni et al., 2002](https://aclanthology.org/P02-1040/): BLEU.
    - [Zhu et al., 2018](https://arxiv.org/abs/1802.01886): Texygen
      (`utils/metrics/Bleu.py`).
    """
    min_n, max_n = _check_orders(min_n, max_n)
    smoothing = _check_smoothing(smoothing)
    hypotheses = _as_sentences(generated, "generated")
    reference_sentences = _as_sentences(references, "references")
    check_same_token_kinds(hypotheses, reference_sentences)
    indices = _pick(len(hypotheses), num_samples, seed)
    orders = list(range(min_n, max_n + 1))
    table = _ReferenceTable(reference_sentences, max_n)
    scores = _average(hypotheses, indices, table, orders, False, smoothing)
    return {f"bleu_{order}": score for order, score in zip(orders, scores, strict=True)}


def self_bleu(
    generated,
    *,
    max_n: int = 5,
    min_n: int = 2,
    smoothing: bool = True,
    num_samples: int | None = None,
    seed: int | None = None,
) -> dict[str, float]:
    """Self-BLEU-n of generated text: each sentence against all the others (diversity).

    Texygen's definition: for every generated sentence, nltk's `sentence_bleu` (uniform
    weights over 1..n, `SmoothingFunction().method1`) with all *other* generated sentences
    (by position, so a duplicate counts) as references, averaged. Higher means less
    diverse; a set of identical sentences scores 1. Computed like `bleu`, linear in the
    number of sentences.

    The figure grows with the number of sentences (more references match more), so
    compare sets of equal size. `num_samples` scores a random subset of the sentences,
    each still against all the others, an unbiased estimate of the full figure. Texygen's
    default (`is_fast=True`) used the first 500 sentences only (`generated[:500]`).

    Args:
        generated: list of str (split on whitespace) or of token lists (str or int
            tokens), at least two sentences.
        max_n: int >= 1. Highest n-gram order. Defaults to `5`.
        min_n: int in `[1, max_n]`. Lowest order reported. Defaults to `2`.
        smoothing: bool. `True` for nltk's `method1`, as Texygen; `False` for none.
            Defaults to `True`.
        num_samples: int or `None`. Score a random subset of this many sentences.
            Defaults to `None` (all).
        seed: int or `None`. Seed of the subset drawn for `num_samples`. Defaults to `None`.

    Returns:
        A dict `{"self_bleu_2": float, ..., "self_bleu_5": float}` (keys `min_n` to
        `max_n`), each in `[0, 1]`.

    Example:

    ```python
    generated = ["a man riding a horse", "a man riding a bike", "a cat on a sofa"]
    print(keras_seqgan.evaluation.self_bleu(generated))
    ```

    Reference:
    - [Zhu et al., 2018](https://arxiv.org/abs/1802.01886): Texygen
      (`utils/metrics/SelfBleu.py`).
    """
    min_n, max_n = _check_orders(min_n, max_n)
    smoothing = _check_smoothing(smoothing)
    sentences = _as_sentences(generated, "generated")
    if len(sentences) < 2:
        raise ValueError(
            "`generated` must hold at least two sentences (each is scored against the "
            f"others). Received {len(sentences)} sentence."
        )
    indices = _pick(len(sentences), num_samples, seed)
    orders = list(range(min_n, max_n + 1))
    table = _ReferenceTable(sentences, max_n)
    scores = _average(sentences, indices, table, orders, True, smoothing)
    return {f"self_bleu_{order}": score for order, score in zip(orders, scores, strict=True)}
