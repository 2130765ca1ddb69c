"""Evaluation on real text: BLEU and self-BLEU as Texygen defines them, and condition accuracy.

NLL on held-out real text needs nothing new here: `keras_seqgan.evaluation.nll_gen` is the
generator's mean per-token NLL of held-out token sequences (Texygen's NLL-test).
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Sequence
from numbers import Integral
from typing import Any

import keras
import numpy as np

from keras_seqgan._validation import check_float, check_int, check_seed, check_verbose
from keras_seqgan.data.datasets import validate_tokens

# ---------------------------------------------------------------------------------------------
# BLEU and self-BLEU
# ---------------------------------------------------------------------------------------------


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
    generated_kinds, reference_kinds = _token_kinds(hypotheses), _token_kinds(reference_sentences)
    if generated_kinds and reference_kinds and not generated_kinds & reference_kinds:
        raise ValueError(
            f"`generated` and `references` must hold the same kind of tokens. Received "
            f"{sorted(generated_kinds)} tokens in `generated` and {sorted(reference_kinds)} "
            "tokens in `references`: decode both to text, or pass ids for both."
        )
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


# ---------------------------------------------------------------------------------------------
# Condition accuracy
# ---------------------------------------------------------------------------------------------


def _validate_labels(labels, *, num_classes: int, count: int, name: str) -> np.ndarray:
    array = keras.ops.convert_to_numpy(labels) if keras.ops.is_tensor(labels) else labels
    try:
        array = np.asarray(array)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"`{name}` must be a 1-D integer array of class ids. Received: {name}={labels!r}"
        ) from error
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise TypeError(
            f"`{name}` must hold integer class ids. Received dtype {array.dtype}: {name}={labels!r}"
        )
    if array.ndim != 1 or len(array) != count:
        raise ValueError(
            f"`{name}` must have shape [{count}] (one label per sequence). "
            f"Received shape {array.shape}."
        )
    bad = (array < 0) | (array >= num_classes)
    if bad.any():
        raise ValueError(
            f"`{name}` must hold class ids in [0, num_classes={num_classes}). "
            f"Received {array[bad][:5].tolist()} at positions {np.flatnonzero(bad)[:5].tolist()}."
        )
    return array.astype("int32")


@keras.saving.register_keras_serializable(package="keras_seqgan")
class ConditionClassifier(keras.Model):
    """A small CNN that tells which condition (class) a token sequence was written for.

    Embeds the tokens, runs one 1-D convolution (ReLU, 'same' padding), max-pools over
    time and maps the pooled features to `num_classes` logits. Train it once on real
    `(tokens, label)` pairs with `train_condition_classifier`, then score any number of
    generators with `accuracy(generated_tokens, requested_labels)`: a conditional
    generator that follows its condition scores near the classifier's accuracy on real
    held-out lines; one that ignores it scores near chance. Padding (id 0) is an ordinary
    token to it.

    Args:
        vocabulary_size: int >= 2. Number of distinct token ids.
        num_classes: int >= 2. Number of conditions.
        embedding_dim: int. Size of the token embeddings. Defaults to `32`.
        filters: int. Number of convolution filters. Defaults to `64`.
        kernel_size: int. Width of the convolution. Defaults to `3`.
        seed: int or `None`. Seeds the initializers (each layer its own offset), so
            a seeded classifier starts from the same weights without touching global
            random state. Defaults to `None`.
        **kwargs: Standard `keras.Model` arguments (`name`, `trainable`, `dtype`).

    Example:

    ```python
    import numpy as np
    import keras_seqgan

    labels = np.random.randint(0, 2, size=500)  # class 1 writes the upper half of the ids
    tokens = np.random.randint(1, 50, size=(500, 12)) + 49 * labels[:, None]
    classifier = keras_seqgan.evaluation.train_condition_classifier(
        tokens, labels, num_classes=2, vocabulary_size=100, seed=1
    )
    print(classifier.validation_accuracy, classifier.chance)
    print(classifier.accuracy(tokens[:50], labels[:50]))  # a generator's lines instead
    ```
    """

    def __init__(
        self,
        vocabulary_size: int,
        num_classes: int,
        embedding_dim: int = 32,
        filters: int = 64,
        kernel_size: int = 3,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        vocabulary_size = check_int("vocabulary_size", vocabulary_size, 2)
        num_classes = check_int("num_classes", num_classes, 2)
        embedding_dim = check_int("embedding_dim", embedding_dim, 1)
        filters = check_int("filters", filters, 1)
        kernel_size = check_int("kernel_size", kernel_size, 1)
        seed = check_seed(seed)
        super().__init__(**kwargs)
        self.vocabulary_size = vocabulary_size
        self.num_classes = num_classes
        self.embedding_dim = embedding_dim
        self.filters = filters
        self.kernel_size = kernel_size
        self.seed = seed
        # Set by `train_condition_classifier`; not saved with the model.
        self.validation_accuracy: float | None = None
        self.chance: float | None = None

        def seeded(initializer, offset):
            return initializer(seed=None if seed is None else (seed + offset) % 2**31)

        self.embedding = keras.layers.Embedding(
            vocabulary_size,
            embedding_dim,
            embeddings_initializer=seeded(keras.initializers.RandomUniform, 0),
            dtype=self.dtype_policy,
            name="embedding",
        )
        self.convolution = keras.layers.Conv1D(
            filters,
            kernel_size,
            padding="same",
            activation="relu",
            kernel_initializer=seeded(keras.initializers.GlorotUniform, 1),
            dtype=self.dtype_policy,
            name="convolution",
        )
        self.pooling = keras.layers.GlobalMaxPooling1D(dtype=self.dtype_policy, name="pooling")
        self.output_dense = keras.layers.Dense(
            num_classes,
            kernel_initializer=seeded(keras.initializers.GlorotUniform, 2),
            dtype=self.dtype_policy,
            name="logits",
        )
        self.build((None, None))

    def build(self, input_shape: tuple | None = None) -> None:
        if not self.embedding.built:
            self.embedding.build((None, None))
        if not self.convolution.built:
            self.convolution.build((None, None, self.embedding_dim))
        if not self.output_dense.built:
            self.output_dense.build((None, self.filters))
        self.built = True

    def call(self, inputs):
        features = self.pooling(self.convolution(self.embedding(inputs)))
        return keras.ops.cast(self.output_dense(features), "float32")

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], self.num_classes)

    def classify(self, tokens, *, batch_size: int = 256) -> np.ndarray:
        """The most likely class of each sequence.

        Args:
            tokens: int array-like `[N, T]` of token ids below `vocabulary_size`.
            batch_size: int. Sequences per prediction batch. Defaults to `256`.

        Returns:
            int32 NumPy array `[N]` of class ids.
        """
        tokens = validate_tokens(tokens, vocabulary_size=self.vocabulary_size)
        batch_size = check_int("batch_size", batch_size, 1)
        logits = self.predict(tokens, batch_size=batch_size, verbose=0)
        return np.argmax(logits, axis=-1).astype("int32")

    def accuracy(self, tokens, labels, *, batch_size: int = 256) -> float:
        """The fraction of sequences classified as their label (their requested condition).

        Args:
            tokens: int array-like `[N, T]` of token ids, e.g. a generator's samples.
            labels: int array-like `[N]` of class ids, e.g. the conditions requested.
            batch_size: int. Sequences per prediction batch. Defaults to `256`.

        Returns:
            The accuracy, a Python float in `[0, 1]`.
        """
        tokens = validate_tokens(tokens, vocabulary_size=self.vocabulary_size)
        labels = _validate_labels(
            labels, num_classes=self.num_classes, count=len(tokens), name="labels"
        )
        return float(np.mean(self.classify(tokens, batch_size=batch_size) == labels))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "vocabulary_size": self.vocabulary_size,
                "num_classes": self.num_classes,
                "embedding_dim": self.embedding_dim,
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "seed": self.seed,
            }
        )
        return config


def train_condition_classifier(
    real_tokens,
    real_labels,
    *,
    num_classes: int,
    vocabulary_size: int,
    epochs: int = 5,
    batch_size: int = 64,
    embedding_dim: int = 32,
    learning_rate: float = 1e-3,
    seed: int | None = None,
    validation_fraction: float = 0.1,
    verbose: int = 0,
) -> ConditionClassifier:
    """Trains a `ConditionClassifier` on real `(tokens, label)` pairs, to score generators.

    Holds out a random `validation_fraction` of the real pairs, trains with Adam and
    sparse cross-entropy on the rest, and records `classifier.validation_accuracy` (on the
    held-out real lines: the ceiling a generator can hope for) and `classifier.chance`
    (the frequency of the most common class among all real labels). With a `seed`, the
    run is reproducible without global side effects: the seed goes to the layers'
    initializers and to a NumPy generator that draws the split and each epoch's shuffle
    (`keras.utils.set_random_seed` is not called).

    Args:
        real_tokens: int array-like `[N, T]` of real token ids below `vocabulary_size`.
        real_labels: int array-like `[N]` of their classes in `[0, num_classes)`.
        num_classes: int >= 2. Number of conditions.
        vocabulary_size: int >= 2. Number of distinct token ids.
        epochs: int. Passes over the training pairs. Defaults to `5`.
        batch_size: int. Pairs per step. Defaults to `64`.
        embedding_dim: int. Size of the token embeddings. Defaults to `32`.
        learning_rate: float > 0. Adam's learning rate. Defaults to `1e-3`.
        seed: int or `None`. Seeds the initializers, split and shuffles. Defaults to `None`.
        validation_fraction: float in `[0, 1)`. Share of the real pairs held out;
            `0` holds none out (then `validation_accuracy` is `None`). Defaults to `0.1`.
        verbose: int, 0 or 1. Keras's progress output. Defaults to `0`.

    Returns:
        The trained `ConditionClassifier`, with `validation_accuracy` and `chance` set.

    Example:

    ```python
    import numpy as np
    import keras_seqgan

    # Real lines of 2 speakers: speaker 1 writes the upper half of the token ids.
    rng = np.random.default_rng(0)
    real_labels = rng.integers(0, 2, size=500)
    real_tokens = rng.integers(1, 50, size=(500, 12)) + 49 * real_labels[:, None]
    classifier = keras_seqgan.evaluation.train_condition_classifier(
        real_tokens, real_labels, num_classes=2, vocabulary_size=100, seed=1
    )
    # One classifier scores every model: lines generated for `requested` speakers.
    requested = rng.integers(0, 2, size=100)
    samples = {
        "ignores the speaker": rng.integers(1, 99, size=(100, 12)),
        "follows the speaker": rng.integers(1, 50, size=(100, 12)) + 49 * requested[:, None],
    }
    for name, tokens in samples.items():
        print(name, classifier.accuracy(tokens, requested))
    ```
    """
    vocabulary_size = check_int("vocabulary_size", vocabulary_size, 2)
    num_classes = check_int("num_classes", num_classes, 2)
    tokens = validate_tokens(real_tokens, vocabulary_size=vocabulary_size, name="real_tokens")
    labels = _validate_labels(
        real_labels, num_classes=num_classes, count=len(tokens), name="real_labels"
    )
    epochs = check_int("epochs", epochs, 1)
    batch_size = check_int("batch_size", batch_size, 1)
    learning_rate = check_float("learning_rate", learning_rate, low=0.0, low_inclusive=False)
    validation_fraction = check_float(
        "validation_fraction", validation_fraction, low=0.0, high=1.0, high_inclusive=False
    )
    verbose = check_verbose(verbose)
    seed = check_seed(seed)

    rng = np.random.default_rng(seed)
    order = rng.permutation(len(tokens))
    held_out = 0 if validation_fraction == 0 else max(1, round(validation_fraction * len(tokens)))
    if held_out >= len(tokens):
        raise ValueError(
            f"`validation_fraction`={validation_fraction} of {len(tokens)} real sequences "
            "leaves none to train on. Pass more sequences or a smaller fraction."
        )
    train_tokens, train_labels = tokens[order[held_out:]], labels[order[held_out:]]

    classifier = ConditionClassifier(
        vocabulary_size, num_classes, embedding_dim=embedding_dim, seed=seed
    )
    classifier.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
    )
    for epoch in range(epochs):
        shuffle = rng.permutation(len(train_tokens))
        classifier.fit(
            train_tokens[shuffle],
            train_labels[shuffle],
            batch_size=batch_size,
            initial_epoch=epoch,
            epochs=epoch + 1,
            shuffle=False,
            verbose=verbose,
        )
    if held_out:
        validation = order[:held_out]
        classifier.validation_accuracy = classifier.accuracy(tokens[validation], labels[validation])
    classifier.chance = float(np.bincount(labels, minlength=num_classes).max() / len(labels))
    return classifier


def condition_accuracy(
    real_tokens,
    real_labels,
    generated_tokens,
    generated_labels,
    *,
    num_classes: int,
    vocabulary_size: int,
    epochs: int = 5,
    batch_size: int = 64,
    embedding_dim: int = 32,
    seed: int | None = None,
    validation_fraction: float = 0.1,
    verbose: int = 0,
) -> dict[str, Any]:
    """How often generated lines are classified as the condition they were generated for.

    Trains a `ConditionClassifier` on the real pairs (`train_condition_classifier`), then
    scores the generated lines against their requested labels. To compare several
    generators against one classifier, reuse `result["classifier"].accuracy(tokens,
    labels)` (or call `train_condition_classifier` once yourself). For an unconditional
    generator, `classifier.classify(tokens)` gives the class of each line.

    Args:
        real_tokens: int array-like `[N, T]` of real token ids below `vocabulary_size`.
        real_labels: int array-like `[N]` of their classes in `[0, num_classes)`.
        generated_tokens: int array-like `[M, T']` of generated token ids.
        generated_labels: int array-like `[M]`, the class each line was generated for.
        num_classes: int >= 2. Number of conditions.
        vocabulary_size: int >= 2. Number of distinct token ids.
        epochs: int. Training passes. Defaults to `5`.
        batch_size: int. Pairs per training step. Defaults to `64`.
        embedding_dim: int. Size of the token embeddings. Defaults to `32`.
        seed: int or `None`. Seeds initializers, split and shuffles. Defaults to `None`.
        validation_fraction: float in `[0, 1)`. Share of the real pairs held out.
            Defaults to `0.1`.
        verbose: int, 0 or 1. Keras's progress output. Defaults to `0`.

    Returns:
        A dict: `"accuracy_generated"` (float), `"accuracy_real_validation"` (float, or
        `None` when nothing is held out), `"chance"` (frequency of the most common real
        class) and `"classifier"` (the trained `ConditionClassifier`).

    Example:

    ```python
    import numpy as np
    import keras_seqgan

    rng = np.random.default_rng(0)
    real_labels = rng.integers(0, 2, size=500)  # speaker 1 writes the upper half of the ids
    real_tokens = rng.integers(1, 50, size=(500, 12)) + 49 * real_labels[:, None]
    requested_labels = rng.integers(0, 2, size=100)
    generated_tokens = rng.integers(1, 99, size=(100, 12))  # a model that ignores them
    result = keras_seqgan.evaluation.condition_accuracy(
        real_tokens, real_labels, generated_tokens, requested_labels,
        num_classes=2, vocabulary_size=100, seed=1,
    )
    print(result["accuracy_generated"], result["accuracy_real_validation"], result["chance"])
    ```
    """
    vocabulary_size = check_int("vocabulary_size", vocabulary_size, 2)
    num_classes = check_int("num_classes", num_classes, 2)
    generated = validate_tokens(
        generated_tokens, vocabulary_size=vocabulary_size, name="generated_tokens"
    )
    requested = _validate_labels(
        generated_labels, num_classes=num_classes, count=len(generated), name="generated_labels"
    )
    classifier = train_condition_classifier(
        real_tokens,
        real_labels,
        num_classes=num_classes,
        vocabulary_size=vocabulary_size,
        epochs=epochs,
        batch_size=batch_size,
        embedding_dim=embedding_dim,
        seed=seed,
        validation_fraction=validation_fraction,
        verbose=verbose,
    )
    return {
        "accuracy_generated": classifier.accuracy(generated, requested),
        "accuracy_real_validation": classifier.validation_accuracy,
        "chance": classifier.chance,
        "classifier": classifier,
    }
