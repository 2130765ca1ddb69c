"""Token validation and `tf.data` pipelines for MLE pre-training, adversarial and D training."""

from __future__ import annotations

from numbers import Integral

import keras
import numpy as np
import tensorflow as tf

_INT32_MAX = np.iinfo("int32").max


def _describe(value) -> str:
    return f"a {type(value).__name__}"


def validate_tokens(
    tokens,
    *,
    vocabulary_size: int | None = None,
    sequence_length: int | None = None,
    name: str = "tokens",
) -> np.ndarray:
    """Checks a batch of token sequences and returns it as an int32 NumPy array.

    Accepts NumPy arrays, nested lists and tensors. The tokens must be integers (float
    arrays are refused even when their values are whole numbers: that is usually a bug
    upstream), of rank 2 `[num_sequences, sequence_length]`, not empty, and within
    `[0, vocabulary_size)`. Every error names the argument, what was received and what
    is expected.

    Args:
        tokens: array-like of int token ids, shape `[num_sequences, sequence_length]`.
        vocabulary_size: int or `None`. If given, every id must be below it. Defaults to
            `None` (ids must only fit in int32).
        sequence_length: int or `None`. If given, the second dimension must equal it.
            Defaults to `None` (any length).
        name: str. The argument's name, used in error messages. Defaults to `"tokens"`.

    Returns:
        int32 NumPy array `[num_sequences, sequence_length]`.

    Raises:
        TypeError: if the tokens are not integers.
        ValueError: if the rank, length, size or an id is wrong.

    Example:

    ```python
    tokens = keras_seqgan.data.validate_tokens([[1, 2, 3], [4, 5, 6]], vocabulary_size=10)
    ```
    """
    for argument, value, minimum in (
        ("vocabulary_size", vocabulary_size, 2),
        ("sequence_length", sequence_length, 1),
    ):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum
        ):
            raise ValueError(
                f"`{argument}` must be an int >= {minimum} or None. Received: {argument}={value!r}"
            )
    if isinstance(tokens, (str, bytes)) or isinstance(tokens, tf.RaggedTensor):
        raise TypeError(
            f"`{name}` must be an integer array of token ids [num_sequences, sequence_length]. "
            f"Received {_describe(tokens)}: {tokens!r}"
        )
    if isinstance(tokens, np.ndarray):
        array = tokens
    elif keras.ops.is_tensor(tokens) or isinstance(tokens, (tf.Tensor, tf.Variable)):
        array = keras.ops.convert_to_numpy(tokens)
    else:
        try:
            array = np.asarray(tokens)
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"`{name}` must be a rectangular integer array [num_sequences, sequence_length]; "
                f"could not convert {_describe(tokens)} to an array: {error}"
            ) from error
    if array.size == 0:
        raise ValueError(
            f"`{name}` must hold at least one sequence. Received an empty array of shape "
            f"{array.shape}."
        )
    if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer):
        raise TypeError(
            f"`{name}` must be an integer array of token ids. Received dtype {array.dtype} "
            f"(shape {array.shape}); convert with `.astype('int32')` if the values are ids."
        )
    if array.ndim != 2:
        raise ValueError(
            f"`{name}` must have rank 2 [num_sequences, sequence_length]. "
            f"Received shape {array.shape} (rank {array.ndim})."
        )
    if sequence_length is not None and array.shape[1] != sequence_length:
        raise ValueError(
            f"`{name}` must have sequence length {sequence_length} (shape [N, {sequence_length}]). "
            f"Received shape {array.shape}."
        )
    minimum, maximum = int(array.min()), int(array.max())
    if minimum < 0:
        raise ValueError(
            f"`{name}` must hold non-negative token ids. Received a minimum id of {minimum}."
        )
    upper = _INT32_MAX + 1 if vocabulary_size is None else vocabulary_size
    if maximum >= upper:
        expected = (
            "fit in int32"
            if vocabulary_size is None
            else f"be below vocabulary_size={vocabulary_size}"
        )
        raise ValueError(
            f"`{name}` ids must {expected}. Received a maximum id of {maximum} "
            f"(shape {array.shape})."
        )
    return np.ascontiguousarray(array, dtype="int32")


def _check_batch_size(batch_size) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, Integral) or batch_size < 1:
        raise ValueError(
            f"`batch_size` must be a positive integer. Received: batch_size={batch_size!r}"
        )
    return int(batch_size)


def _finish(
    dataset: tf.data.Dataset,
    num_examples: int,
    batch_size: int,
    shuffle: bool,
    seed: int | None,
    drop_remainder: bool,
    caller: str,
    transform=None,
) -> tf.data.Dataset:
    """Shuffles (whole set, reshuffled each epoch), batches, maps `transform`, prefetches."""
    if drop_remainder and num_examples < batch_size:
        raise ValueError(
            f"{caller}: with drop_remainder=True and batch_size={batch_size}, {num_examples} "
            "examples make no full batch: the dataset would be empty. Pass a smaller "
            "batch_size or drop_remainder=False."
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, Integral)):
        raise ValueError(f"`seed` must be None or an integer. Received: seed={seed!r}")
    if shuffle:
        dataset = dataset.shuffle(
            num_examples,
            seed=None if seed is None else int(seed),
            reshuffle_each_iteration=True,
        )
    dataset = dataset.batch(batch_size, drop_remainder=bool(drop_remainder))
    if transform is not None:
        dataset = dataset.map(transform, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def mle_dataset(
    tokens,
    batch_size: int = 64,
    *,
    shuffle: bool = True,
    seed: int | None = None,
    drop_remainder: bool = False,
    vocabulary_size: int | None = None,
) -> tf.data.Dataset:
    """A `tf.data.Dataset` of `(x, x)` token pairs for MLE pre-training with `fit`.

    The generator's `fit` learns to predict each token from the ones before it (teacher
    forcing), so inputs and targets are the same sequences; the shift happens inside
    the model.

    Args:
        tokens: int array-like `[N, T]` of token ids.
        batch_size: int. Sequences per batch. Defaults to `64`.
        shuffle: bool. Shuffle the whole set, anew each epoch. Defaults to `True`.
        seed: int or `None`. Shuffle seed: the same seed gives the same order, epoch by
            epoch. Defaults to `None`.
        drop_remainder: bool. Drop the last, smaller batch. Defaults to `False`.
        vocabulary_size: int or `None`. If given, ids are checked against it. Defaults
            to `None`.

    Returns:
        A `tf.data.Dataset` of `(x, x)`, both int32 `[B, T]`.

    Example:

    ```python
    oracle = keras_seqgan.data.OracleLSTM(vocabulary_size=10, sequence_length=5, seed=1)
    dataset = keras_seqgan.data.mle_dataset(oracle.sample(256, seed=2), batch_size=64, seed=3)
    ```
    """
    tokens = validate_tokens(tokens, vocabulary_size=vocabulary_size)
    batch_size = _check_batch_size(batch_size)
    dataset = tf.data.Dataset.from_tensor_slices(tokens)
    return _finish(
        dataset,
        len(tokens),
        batch_size,
        shuffle,
        seed,
        drop_remainder,
        "mle_dataset",
        transform=lambda x: (x, x),
    )


def sequence_dataset(
    tokens,
    batch_size: int = 64,
    *,
    shuffle: bool = True,
    seed: int | None = None,
    drop_remainder: bool = True,
    vocabulary_size: int | None = None,
) -> tf.data.Dataset:
    """A `tf.data.Dataset` of real token batches for adversarial `SeqGAN.fit`.

    Args:
        tokens: int array-like `[N, T]` of token ids.
        batch_size: int. Sequences per batch. Defaults to `64`.
        shuffle: bool. Shuffle the whole set, anew each epoch. Defaults to `True`.
        seed: int or `None`. Shuffle seed: the same seed gives the same order, epoch by
            epoch. Defaults to `None`.
        drop_remainder: bool. Drop the last, smaller batch, so every step sees the same
            batch shape. Defaults to `True`.
        vocabulary_size: int or `None`. If given, ids are checked against it. Defaults
            to `None`.

    Returns:
        A `tf.data.Dataset` of int32 `[B, T]` batches.

    Example:

    ```python
    oracle = keras_seqgan.data.OracleLSTM(vocabulary_size=10, sequence_length=5, seed=1)
    dataset = keras_seqgan.data.sequence_dataset(oracle.sample(256, seed=2), batch_size=64)
    ```
    """
    tokens = validate_tokens(tokens, vocabulary_size=vocabulary_size)
    batch_size = _check_batch_size(batch_size)
    dataset = tf.data.Dataset.from_tensor_slices(tokens)
    return _finish(
        dataset, len(tokens), batch_size, shuffle, seed, drop_remainder, "sequence_dataset"
    )


def discriminator_dataset(
    real,
    fake,
    batch_size: int = 64,
    *,
    shuffle: bool = True,
    seed: int | None = None,
    drop_remainder: bool = False,
    vocabulary_size: int | None = None,
) -> tf.data.Dataset:
    """A `tf.data.Dataset` of `(tokens, labels)` for training a discriminator with `fit`.

    Real sequences are labelled 1 and fake ones 0; the two sets are mixed (when
    shuffling) so that each batch holds both.

    Args:
        real: int array-like `[N, T]` of real token ids.
        fake: int array-like `[M, T]` of generated token ids, same `T` as `real`.
        batch_size: int. Sequences per batch. Defaults to `64`.
        shuffle: bool. Shuffle the combined set, anew each epoch. Without shuffling the
            real sequences come first. Defaults to `True`.
        seed: int or `None`. Shuffle seed: the same seed gives the same order, epoch by
            epoch. Defaults to `None`.
        drop_remainder: bool. Drop the last, smaller batch. Defaults to `False`.
        vocabulary_size: int or `None`. If given, ids are checked against it. Defaults
            to `None`.

    Returns:
        A `tf.data.Dataset` of `(tokens, labels)`: int32 `[B, T]` and float32 `[B, 1]`.

    Example:

    ```python
    oracle = keras_seqgan.data.OracleLSTM(vocabulary_size=10, sequence_length=5, seed=1)
    real, fake = oracle.sample(128, seed=2), oracle.sample(128, seed=3)
    dataset = keras_seqgan.data.discriminator_dataset(real, fake, batch_size=64, seed=4)
    ```
    """
    real = validate_tokens(real, vocabulary_size=vocabulary_size, name="real")
    fake = validate_tokens(fake, vocabulary_size=vocabulary_size, name="fake")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            "`real` and `fake` must have the same sequence length. "
            f"Received real.shape={real.shape} and fake.shape={fake.shape}."
        )
    batch_size = _check_batch_size(batch_size)
    tokens = np.concatenate([real, fake], axis=0)
    labels = np.concatenate(
        [np.ones((len(real), 1), dtype="float32"), np.zeros((len(fake), 1), dtype="float32")]
    )
    dataset = tf.data.Dataset.from_tensor_slices((tokens, labels))
    return _finish(
        dataset, len(tokens), batch_size, shuffle, seed, drop_remainder, "discriminator_dataset"
    )
