"""Condition accuracy: does a generated line carry its condition (e.g. its speaker)?

A small classifier (`ConditionClassifier`), trained on real lines by
`train_condition_classifier`, predicts each line's condition; `condition_accuracy` is the
share of generated lines it assigns to the condition they were generated for.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from keras_seqgan._validation import check_float, check_int, check_seed, check_verbose
from keras_seqgan.data.datasets import validate_tokens


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
