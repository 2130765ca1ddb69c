"""Token validation and the input pipelines of MLE pre-training, adversarial and D training.

With TensorFlow installed the pipelines are `tf.data.Dataset`s (on either backend); on the
JAX backend without TensorFlow they are `keras.utils.PyDataset`s of NumPy batches with the
same options and the same per-epoch ordering rule (`DataPosition`), though not the same
permutations: a seed orders rows differently in the two.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import keras
import numpy as np

from keras_seqgan import _tf
from keras_seqgan._validation import check_int, check_optional_int, check_seed
from keras_seqgan.conditions import (
    TOKENS_KEY,
    check_condition_name,
    condition_ids,
    with_conditions,
)

if TYPE_CHECKING:
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
    vocabulary_size = check_optional_int("vocabulary_size", vocabulary_size, 2)
    sequence_length = check_optional_int("sequence_length", sequence_length, 1)
    tf = _tf.loaded()  # a TensorFlow object means TensorFlow is imported
    if isinstance(tokens, (str, bytes)) or (tf is not None and isinstance(tokens, tf.RaggedTensor)):
        raise TypeError(
            f"`{name}` must be an integer array of token ids [num_sequences, sequence_length]. "
            f"Received {_describe(tokens)}: {tokens!r}"
        )
    if isinstance(tokens, np.ndarray):
        array = tokens
    elif keras.ops.is_tensor(tokens) or (
        tf is not None and isinstance(tokens, (tf.Tensor, tf.Variable))
    ):
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


def validate_conditions(
    conditions, num_sequences: int, *, name: str = "conditions"
) -> dict[str, np.ndarray] | None:
    """Checks the condition ids of `num_sequences` sequences; returns int32 NumPy arrays.

    `conditions` is `None` or a non-empty dict `{name: ids}`: each name a str identifier
    other than `"tokens"` (the key of the sequences in a dict batch), each `ids` an
    integer array-like of shape `[num_sequences]` with non-negative ids (their upper
    bound is the model's: `keras_seqgan.SeqGAN.fit` checks it batch by batch).

    Args:
        conditions: dict or `None`. Condition name -> int ids `[num_sequences]`.
        num_sequences: int. The number of token sequences the ids belong to.
        name: str. The argument's name, used in error messages. Defaults to
            `"conditions"`.

    Returns:
        `None`, or a dict of int32 arrays `[num_sequences]` in the given order.

    Raises:
        TypeError: if `conditions` is not a dict or ids are not integers.
        ValueError: if a name is invalid, or ids have the wrong shape or are negative.

    Example:

    ```python
    conditions = keras_seqgan.data.validate_conditions({"character": [0, 2, 1]}, 3)
    ```
    """
    if conditions is None or (isinstance(conditions, dict) and not conditions):
        return None  # {} (what an unconditional corpus tokenizes to) means no conditions
    if not isinstance(conditions, dict):
        raise TypeError(
            f"`{name}` must be None or a dict {{condition_name: int ids "
            f"[{num_sequences}]}}. Received {_describe(conditions)}: {conditions!r}"
        )
    for key in conditions:
        check_condition_name(key, conditions, name)
    return {key: condition_ids(ids, key, num_sequences, name) for key, ids in conditions.items()}


class DataPosition:
    """Where a dataset of this module starts its next iteration: which epoch's order.

    A shuffled `mle_dataset`, `sequence_dataset` or `discriminator_dataset` orders each
    epoch by a permutation keyed by `(seed, key)`. While `epoch` is set (>= 0) the key is
    that epoch, so the order depends on the epoch alone, not on how many times this
    process has iterated the dataset: `SeqGAN.fit` and `Generator.fit` set it at the
    start of every epoch, and `fit(initial_epoch=k)` in a fresh process sees epoch k's
    order. While it is `-1` (the default, and after those fits), each iteration draws a
    fresh key from the seed, so a plain Keras `fit` gets a new order every epoch, the
    same sequence of orders for the same seed.

    A dataset made with `repeat=True` is one endless stream of passes over the data
    (pass `p` in the order keyed by `p`). Keras keeps iterating it from epoch to epoch
    (with `fit(steps_per_epoch=S)`); an iteration that begins at epoch `e` starts at
    batch `e * S` of the stream, where an uninterrupted run is at that epoch. Reach the
    position as `dataset.data_position`.
    """

    def __init__(self) -> None:
        if _tf.installed():  # read inside the tf.data graph: variables
            tf = _tf.require("DataPosition")
            with tf.init_scope():
                self.epoch = tf.Variable(-1, dtype=tf.int64, trainable=False, name="data_epoch")
                self.batch = tf.Variable(0, dtype=tf.int64, trainable=False, name="data_batch")
        else:  # read by a `PyDataset` in Python
            self.epoch = _HostValue(-1)
            self.batch = _HostValue(0)

    def set(self, epoch: int, steps_per_epoch: int | None = None) -> None:
        """Serves epoch `epoch` from the next iteration on; `-1` lets go.

        `steps_per_epoch`: the batches of an epoch, for a `repeat=True` stream (whose
        next iteration then starts at batch `epoch * steps_per_epoch`).
        """
        self.epoch.assign(int(epoch))
        self.batch.assign(max(int(epoch), 0) * int(steps_per_epoch or 0))


class _HostValue:
    """An int with the part of `tf.Variable`'s interface `DataPosition` uses."""

    def __init__(self, value: int) -> None:
        self.value = int(value)

    def assign(self, value) -> None:
        self.value = int(value)

    def read_value(self) -> int:
        return self.value

    def numpy(self) -> int:
        return self.value


class EpochOrder(keras.callbacks.Callback):
    """Sets a dataset's `DataPosition` at the start of every epoch of a `fit`.

    `SeqGAN.fit` and `Generator.fit` add it themselves when given a dataset of this
    module; add it to another Keras model's `fit` for the same per-epoch order:
    `model.fit(dataset, callbacks=[EpochOrder(dataset.data_position)])`.

    Args:
        position: `DataPosition` (a dataset's `data_position`) or `None` (does nothing).
    """

    def __init__(self, position: DataPosition | None) -> None:
        super().__init__()
        self.position = position

    def on_epoch_begin(self, epoch, logs=None):
        if self.position is not None:
            self.position.set(epoch, (self.params or {}).get("steps"))

    def on_train_end(self, logs=None):
        if self.position is not None:
            self.position.set(-1)


def check_fit_data(x, steps_per_epoch) -> None:
    """Raises for a `repeat=True` dataset given to `fit` without `steps_per_epoch`."""
    if getattr(x, "repeats", False) and steps_per_epoch is None:
        raise ValueError(
            "`x` is a dataset made with repeat=True: it never ends, so `fit` needs "
            "`steps_per_epoch` (the batches of an epoch). Received: steps_per_epoch=None."
        )


def _untuned_options():
    """`tf.data.Options` without tf.data's autotuning, for the pipelines of this module.

    The autotuning thread sleeps in doubling periods (10 ms, 20 ms, ... up to a minute),
    and deleting an iterator (Keras does at the end of every epoch of `fit`) can wait for
    the current period to end: measured, MLE epochs with 4.1 s of work returned from `fit`
    after 5.12 s, and ones with ~6 s after 10.24 s (the periods end at 5.11 s and 10.23 s
    after the iterator starts). In-memory batches need no tuning: fixed buffers (a
    prefetch of 2 batches) do.
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return options


def _finish(
    data,
    num_examples: int,
    batch_size: int,
    shuffle: bool,
    seed: int | None,
    drop_remainder: bool,
    caller: str,
    transform=None,
    repeat: bool = False,
) -> tf.data.Dataset | keras.utils.PyDataset:
    """Batches `data` (a nest of arrays `[N, ...]`), shuffled per epoch, maps `transform`.

    Shuffled, each epoch's order is a permutation keyed by the seed and the epoch (see
    `DataPosition`); `seed=None` draws the seed once, here. `repeat`: one endless stream
    of passes, every batch full. A `tf.data.Dataset` where TensorFlow is installed, else
    an `ArrayBatches` (a `keras.utils.PyDataset`).
    """
    if not isinstance(repeat, bool):
        raise TypeError(f"`repeat` must be a bool. Received: repeat={repeat!r}")
    if drop_remainder and num_examples < batch_size and not repeat:
        raise ValueError(
            f"{caller}: with drop_remainder=True and batch_size={batch_size}, {num_examples} "
            "examples make no full batch: the dataset would be empty. Pass a smaller "
            "batch_size or drop_remainder=False."
        )
    seed = check_seed(seed)
    drop_remainder = bool(drop_remainder)
    position = None
    if shuffle and seed is None:
        seed = int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0] >> 1)
    if not _tf.installed():
        return ArrayBatches(
            data,
            batch_size,
            seed=seed if shuffle else None,
            drop_remainder=drop_remainder,
            transform=transform,
            repeat=repeat,
        )
    import tensorflow as tf

    if repeat:
        position = DataPosition()
        dataset = _endless(data, num_examples, seed if shuffle else None, batch_size, position)
        dataset = dataset.batch(batch_size, drop_remainder=True)
    else:
        if not shuffle:
            dataset = tf.data.Dataset.from_tensor_slices(data)
        else:
            position = DataPosition()
            dataset = _shuffled(data, num_examples, int(seed), position)
        dataset = dataset.batch(batch_size, drop_remainder=drop_remainder)
    if transform is not None:
        dataset = dataset.map(transform, num_parallel_calls=2)
    dataset = dataset.prefetch(2).with_options(_untuned_options())
    if position is not None and not repeat:
        num_batches = num_examples // batch_size
        if not drop_remainder and num_examples % batch_size:
            num_batches += 1
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(num_batches))
    dataset.data_position = position  # None unshuffled: every epoch's order is the same
    dataset.repeats = repeat
    return dataset


class ArrayBatches(keras.utils.PyDataset):
    """The pipelines of this module as a `keras.utils.PyDataset`, for JAX without TensorFlow.

    Batches of NumPy arrays from `data` (a nest of arrays `[N, ...]`), each epoch in the
    order `DataPosition` says (reach it as `data_position`): shuffled with a seed, pass
    (epoch) `k` is the permutation keyed by `(seed, k)`; while the position is `-1`, each
    iteration takes a fresh key from the seed. `repeat=True`: one endless stream of
    passes, every batch full, starting at batch `data_position.batch`.

    Args:
        data: a nest (array, dict, tuple) of arrays with the same first dimension.
        batch_size: int. Rows per batch.
        seed: int or `None`. Shuffles with this seed; `None` keeps the rows in order.
        drop_remainder: bool. Drops the last, smaller batch of an epoch.
        transform: callable or `None`. Applied to each batch's nest.
        repeat: bool. One endless stream of passes.
    """

    def __init__(self, data, batch_size, *, seed, drop_remainder, transform=None, repeat=False):
        super().__init__()
        self.data = keras.tree.map_structure(np.asarray, data)
        self.num_examples = len(keras.tree.flatten(self.data)[0])
        self.batch_size = int(batch_size)
        self.seed = seed
        self.drop_remainder = bool(drop_remainder) or repeat
        self.transform = transform
        self.repeats = repeat
        self.data_position = DataPosition() if (seed is not None or repeat) else None
        self._iterations = 0  # finished iterations: the fresh keys' counter
        self._key = None
        self._order = None
        self._start = 0  # a stream's first batch in this iteration

    @property
    def num_batches(self):
        if self.repeats:
            return None
        full, rest = divmod(self.num_examples, self.batch_size)
        return full + (1 if rest and not self.drop_remainder else 0)

    def __len__(self):
        if self.repeats:
            raise TypeError("A repeat=True dataset never ends: it has no length.")
        return self.num_batches

    def _pass_order(self, key):
        """The row order of pass `key` (an epoch, or `("fresh", i)`); `None` in order."""
        if self.seed is None:
            return None
        if key != self._key:
            entropy = [self.seed, 1, key[1]] if isinstance(key, tuple) else [self.seed, 0, key]
            self._key = key
            self._order = np.random.default_rng(entropy).permutation(self.num_examples)
        return self._order

    def _rows(self, rows):
        batch = keras.tree.map_structure(lambda array: array[rows], self.data)
        return batch if self.transform is None else self.transform(batch)

    def __getitem__(self, index):
        position = self.data_position
        if self.repeats:
            if index == 0:
                self._start = int(position.batch.read_value())
            first = (self._start + index) * self.batch_size
            passes, offsets = np.divmod(
                np.arange(first, first + self.batch_size), self.num_examples
            )
            rows = np.empty(self.batch_size, dtype="int64")
            for p in np.unique(passes):
                order = self._pass_order(int(p))
                chosen = passes == p
                rows[chosen] = offsets[chosen] if order is None else order[offsets[chosen]]
            return self._rows(rows)
        if index >= self.num_batches:
            raise IndexError(f"Batch {index} of {self.num_batches}.")
        rows = np.arange(
            index * self.batch_size, min((index + 1) * self.batch_size, self.num_examples)
        )
        if position is not None:
            epoch = int(position.epoch.read_value())
            order = self._pass_order(epoch if epoch >= 0 else ("fresh", self._iterations))
            rows = order[rows]
        return self._rows(rows)

    def on_epoch_end(self):
        self._iterations += 1


def _permutation(num_examples, seed, key):
    """The order of pass (epoch) `key`: a permutation of `num_examples` keyed by `(seed, key)`."""
    import tensorflow as tf

    keys = tf.random.stateless_uniform(
        [num_examples],
        seed=tf.stack([tf.constant(seed, tf.int64), key]),
        minval=None,
        maxval=None,
        dtype=tf.int64,
    )
    return tf.argsort(keys, stable=True)


def _shuffled(data, num_examples, seed, position):
    """The rows of `data` in one permutation per iteration, keyed as `DataPosition` says."""
    import tensorflow as tf

    tensors = tf.nest.map_structure(tf.convert_to_tensor, data)

    def permuted(fresh_key):
        epoch = position.epoch.read_value()
        order = _permutation(num_examples, seed, tf.where(epoch >= 0, epoch, fresh_key))
        return tf.data.Dataset.from_tensor_slices(
            tf.nest.map_structure(lambda t: tf.gather(t, order), tensors)
        )

    # One fresh key per iteration, from the seed: the same sequence of keys each process.
    fresh = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(1)
    return fresh.flat_map(permuted)


def _endless(data, num_examples, seed, batch_size, position):
    """The rows of pass 0, 1, 2, ... of `data` without end (pass `p` shuffled by
    `(seed, p)`, or in order with `seed=None`), from batch `position.batch` on."""
    import tensorflow as tf

    tensors = tf.nest.map_structure(tf.convert_to_tensor, data)

    def one_pass(index):
        if seed is None:
            return tf.data.Dataset.from_tensor_slices(tensors)
        order = _permutation(num_examples, seed, index)
        return tf.data.Dataset.from_tensor_slices(
            tf.nest.map_structure(lambda t: tf.gather(t, order), tensors)
        )

    def rows_from(_):
        row = position.batch.read_value() * batch_size
        first = row // num_examples
        passes = tf.data.Dataset.range(first, tf.int64.max).flat_map(one_pass)
        return passes.skip(row - first * num_examples)

    return tf.data.Dataset.from_tensors(0).flat_map(rows_from)


def mle_dataset(
    tokens,
    batch_size: int = 64,
    *,
    shuffle: bool = True,
    seed: int | None = None,
    drop_remainder: bool = False,
    vocabulary_size: int | None = None,
    conditions: dict | None = None,
    repeat: bool = False,
) -> tf.data.Dataset:
    """A `tf.data.Dataset` of `(x, x)` token pairs for MLE pre-training with `fit`.

    The generator's `fit` learns to predict each token from the ones before it (teacher
    forcing), so inputs and targets are the same sequences; the shift happens inside
    the model. With `conditions`, for a conditional generator, the inputs are the dict
    `{"tokens": x, name: ids, ...}` and the targets still `x`.

    Args:
        tokens: int array-like `[N, T]` of token ids.
        batch_size: int. Sequences per batch. Defaults to `64`.
        shuffle: bool. Shuffle the whole set, anew each epoch. Defaults to `True`.
        seed: int or `None`. Shuffle seed: the same seed gives the same order, epoch by
            epoch. Defaults to `None`.
        drop_remainder: bool. Drop the last, smaller batch. Defaults to `False`.
        vocabulary_size: int or `None`. If given, ids are checked against it. Defaults
            to `None`.
        conditions: dict or `None`. Condition name -> int ids `[N]`, one per sequence
            (see `validate_conditions`). Defaults to `None` (unconditional).
        repeat: bool. Serve pass after pass over the data without end (every batch
            full), for `fit(steps_per_epoch=...)`; a resumed `fit` continues the
            stream at its epoch (see `DataPosition`). Defaults to `False`.

    Returns:
        A `tf.data.Dataset` of `(x, x)`, both int32 `[B, T]`; with `conditions`, of
        `({"tokens": x, name: ids [B], ...}, x)`.

    Example:

    ```python
    oracle = keras_seqgan.data.OracleLSTM(vocabulary_size=10, sequence_length=5, seed=1)
    dataset = keras_seqgan.data.mle_dataset(oracle.sample(256, seed=2), batch_size=64, seed=3)
    ```
    """
    tokens = validate_tokens(tokens, vocabulary_size=vocabulary_size)
    conditions = validate_conditions(conditions, len(tokens))
    batch_size = check_int("batch_size", batch_size)

    def transform(x):
        return (x, x) if conditions is None else (x, x[TOKENS_KEY])

    return _finish(
        with_conditions(tokens, conditions),
        len(tokens),
        batch_size,
        shuffle,
        seed,
        drop_remainder,
        "mle_dataset",
        transform=transform,
        repeat=repeat,
    )


def sequence_dataset(
    tokens,
    batch_size: int = 64,
    *,
    shuffle: bool = True,
    seed: int | None = None,
    drop_remainder: bool = True,
    vocabulary_size: int | None = None,
    conditions: dict | None = None,
    repeat: bool = False,
) -> tf.data.Dataset:
    """A `tf.data.Dataset` of real token batches for adversarial `SeqGAN.fit`.

    With `conditions`, for a conditional `SeqGAN`, each batch is the dict
    `{"tokens": [B, T], name: ids [B], ...}`: the fakes of a step are generated for
    the batch's conditions.

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
        conditions: dict or `None`. Condition name -> int ids `[N]`, one per sequence
            (see `validate_conditions`). Defaults to `None` (unconditional).
        repeat: bool. Serve pass after pass over the data without end (every batch
            full), for `fit(steps_per_epoch=...)`; a resumed `fit` continues the
            stream at its epoch (see `DataPosition`). Defaults to `False`.

    Returns:
        A `tf.data.Dataset` of int32 `[B, T]` batches; with `conditions`, of dicts
        `{"tokens": [B, T], name: ids [B], ...}` (int32 throughout).

    Example:

    ```python
    oracle = keras_seqgan.data.OracleLSTM(vocabulary_size=10, sequence_length=5, seed=1)
    dataset = keras_seqgan.data.sequence_dataset(oracle.sample(256, seed=2), batch_size=64)
    ```
    """
    tokens = validate_tokens(tokens, vocabulary_size=vocabulary_size)
    conditions = validate_conditions(conditions, len(tokens))
    batch_size = check_int("batch_size", batch_size)
    return _finish(
        with_conditions(tokens, conditions),
        len(tokens),
        batch_size,
        shuffle,
        seed,
        drop_remainder,
        "sequence_dataset",
        repeat=repeat,
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
    real_conditions: dict | None = None,
    fake_conditions: dict | None = None,
) -> tf.data.Dataset:
    """A `tf.data.Dataset` of `(tokens, labels)` for training a discriminator with `fit`.

    Real sequences are labelled 1 and fake ones 0; the two sets are mixed (when
    shuffling) so that each batch holds both. For a conditional discriminator, give the
    conditions of both sets (typically the fakes are generated for the real set's
    conditions, `generator.generate(len(real), conditions=real_conditions)`, so
    `fake_conditions=real_conditions`); the inputs are then the dicts
    `{"tokens": [B, T], name: ids [B], ...}`.

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
        real_conditions: dict or `None`. Condition name -> int ids `[N]` of the real
            sequences. Defaults to `None` (unconditional).
        fake_conditions: dict or `None`. Condition name -> int ids `[M]` of the fake
            sequences, with the same names as `real_conditions`; given if and only if
            `real_conditions` is. Defaults to `None`.

    Returns:
        A `tf.data.Dataset` of `(tokens, labels)`: int32 `[B, T]` and float32 `[B, 1]`;
        with conditions, of `({"tokens": [B, T], name: ids [B], ...}, labels)`.

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
    real_conditions = validate_conditions(real_conditions, len(real), name="real_conditions")
    fake_conditions = validate_conditions(fake_conditions, len(fake), name="fake_conditions")
    if (real_conditions is None) != (fake_conditions is None) or (
        real_conditions is not None and sorted(real_conditions) != sorted(fake_conditions)
    ):
        raise ValueError(
            "`real_conditions` and `fake_conditions` must both be None or both be dicts with "
            "the same condition names. Received names "
            f"{None if real_conditions is None else list(real_conditions)} and "
            f"{None if fake_conditions is None else list(fake_conditions)}."
        )
    batch_size = check_int("batch_size", batch_size)
    tokens = np.concatenate([real, fake], axis=0)
    labels = np.concatenate(
        [np.ones((len(real), 1), dtype="float32"), np.zeros((len(fake), 1), dtype="float32")]
    )
    conditions = None
    if real_conditions is not None:
        conditions = {
            key: np.concatenate([real_conditions[key], fake_conditions[key]])
            for key in real_conditions
        }
    return _finish(
        (with_conditions(tokens, conditions), labels),
        len(tokens),
        batch_size,
        shuffle,
        seed,
        drop_remainder,
        "discriminator_dataset",
    )
