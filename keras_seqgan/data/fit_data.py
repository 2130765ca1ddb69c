"""Checks of the data given to `SeqGAN.fit`, and unpacking its batches in the step.

A batch is a token tensor `[B, T]` or, for a conditional model, a dict
`{"tokens": [B, T], name: ids [B], ...}`. Arrays are checked whole before training; a
`tf.data.Dataset` by its element spec and first batch, and every later batch by cheap
range checks that `clear_batch_errors` turns into a `ValueError`.
"""

from __future__ import annotations

import contextlib

import keras
import numpy as np
from keras import ops

from keras_seqgan import _tf
from keras_seqgan.conditions import TOKENS_KEY, condition_ids
from keras_seqgan.data.datasets import ArrayBatches, validate_tokens


def validate_training_data(x, vocabulary_size, sequence_length, conditions, name):
    """`SeqGAN.fit`'s data, checked before training: arrays whole, a dict of arrays key by
    key, a `tf.data.Dataset` by its spec and first batch (and every later batch as it
    runs, see `check_every_batch`). Returns the checked arrays or the checking dataset."""
    if x is None:
        raise ValueError(f"`{name}` is required: real token sequences [N, T]. Received None.")
    if isinstance(x, dict):
        if conditions is None:
            raise TypeError(
                f"`{name}` must be token sequences [N, T] (an int array or a dataset of "
                f"them): a dict is for conditional models. Received a dict with keys "
                f"{sorted(x)}."
            )
        check_batch_names(list(x), conditions, name)
        tokens = validate_tokens(
            x[TOKENS_KEY],
            vocabulary_size=vocabulary_size,
            sequence_length=sequence_length,
            name=f"{name}[{TOKENS_KEY!r}]",
        )
        return {
            TOKENS_KEY: tokens,
            **check_condition_arrays(x, conditions, len(tokens), name),
        }
    if isinstance(x, (np.ndarray, list)) or keras.ops.is_tensor(x):
        if conditions is not None:
            check_batch_names([TOKENS_KEY], conditions, name)
        return validate_tokens(
            x,
            vocabulary_size=vocabulary_size,
            sequence_length=sequence_length,
            name=name,
        )
    return validate_dataset(x, vocabulary_size, sequence_length, name, conditions=conditions)


def unpack_batch(data, conditions):
    """`(tokens int32 [B, T], condition ids dict or None)` from a batch, names checked.

    A batch is a token tensor, or, for a conditional model, a dict
    `{"tokens": [B, T], name: ids [B], ...}`; either may come wrapped as `(x,)` or
    `(x, y)` (the `y` is ignored).
    """
    if isinstance(data, (tuple, list)):
        if len(data) > 1 and isinstance(data[1], dict):
            raise ValueError(
                "Batches `(tokens, {condition: ids})` are not accepted: pass conditions in "
                f"one dict {{{TOKENS_KEY!r}: tokens, <name>: ids [B], ...}} (see "
                "`keras_seqgan.data.sequence_dataset(..., conditions=...)`)."
            )
        data = data[0]
    if isinstance(data, dict):
        given = list(data)
    else:
        given = [TOKENS_KEY]
    if conditions is None and given != [TOKENS_KEY]:
        raise ValueError(
            "This SeqGAN is unconditional (conditions=None): batches must be token tensors "
            f"[B, T]. Received a dict with keys {sorted(given)}."
        )
    if conditions is not None:
        check_batch_names(given, conditions, "x")
    tokens = ops.cast(data[TOKENS_KEY] if isinstance(data, dict) else data, "int32")
    if conditions is None:
        return tokens, None
    return tokens, {key: ops.cast(data[key], "int32") for key in conditions}


def check_batch_names(given, conditions, name):
    """A conditional model's batches hold `"tokens"` and exactly its condition names."""
    expected = [TOKENS_KEY, *conditions]
    if sorted(given) != sorted(expected):
        missing = [key for key in expected if key not in given]
        extra = [key for key in given if key not in expected]
        layout = ", ".join(f"{key!r}: ids [B]" for key in conditions)
        raise ValueError(
            f"This SeqGAN has conditions={dict(conditions)}, so `{name}` must give dicts "
            f"{{{TOKENS_KEY!r}: tokens [B, T], {layout}}}. Received keys {sorted(given)} "
            f"(missing: {missing}, unexpected: {extra})."
        )


def check_condition_arrays(batch, conditions, num_rows, name):
    """Host-side check of a dict batch's condition ids: int, `[num_rows]`, in range."""
    return {
        key: condition_ids(batch[key], key, num_rows, name, size=size)
        for key, size in conditions.items()
    }


def validate_dataset(dataset, vocabulary_size, sequence_length, name, conditions=None):
    """Checks a `tf.data.Dataset`'s spec and its first batch before training starts (an
    `ArrayBatches`, this package's pipeline without TensorFlow, its arrays whole)."""
    if isinstance(dataset, ArrayBatches):
        validate_training_data(
            dataset.data[0] if isinstance(dataset.data, tuple) else dataset.data,
            vocabulary_size,
            sequence_length,
            conditions,
            name,
        )
        return dataset
    tf = _tf.loaded()  # a tf.data.Dataset means TensorFlow is imported
    if tf is None or not isinstance(dataset, tf.data.Dataset):
        return dataset  # Python generators and PyDatasets are checked by Keras as they run.
    spec = dataset.element_spec
    x_spec = spec[0] if isinstance(spec, (tuple, list)) else spec
    if isinstance(spec, (tuple, list)) and len(spec) > 1 and isinstance(spec[1], dict):
        unpack_batch(tuple(spec), conditions)  # raises the error about this layout
    if isinstance(x_spec, dict):
        if conditions is None:
            raise TypeError(
                f"`{name}` must yield int token batches [B, T]: dict batches are for "
                f"conditional models. Received element_spec={spec}"
            )
        check_batch_names(list(x_spec), conditions, name)
        for key in conditions:
            item = x_spec[key]
            if not isinstance(item, tf.TensorSpec) or not item.dtype.is_integer:
                raise TypeError(
                    f"`{name}` must yield integer condition ids for {key!r}. Received "
                    f"element_spec[{key!r}]={item}"
                )
            if item.shape.rank is not None and item.shape.rank != 1:
                raise ValueError(
                    f"`{name}` must yield condition ids of shape [B] for {key!r}. Received "
                    f"shape {item.shape}."
                )
        token_spec = x_spec[TOKENS_KEY]
    else:
        if conditions is not None:
            check_batch_names([TOKENS_KEY], conditions, name)
        token_spec = x_spec
    if not isinstance(token_spec, tf.TensorSpec):
        raise TypeError(
            f"`{name}` must yield int token batches [B, T]. Received element_spec={spec}"
        )
    if not token_spec.dtype.is_integer:
        raise TypeError(
            f"`{name}` must yield integer token ids. Received dtype={token_spec.dtype.name} "
            f"(element_spec={token_spec}); expected int32 or int64."
        )
    shape = token_spec.shape
    if shape.rank is not None and shape.rank != 2:
        raise ValueError(
            f"`{name}` must yield batches of rank 2 [batch, sequence_length]. "
            f"Received shape {shape}."
        )
    if shape.rank == 2 and shape[1] is not None and shape[1] != sequence_length:
        raise ValueError(
            f"`{name}` yields sequences of length {shape[1]}, but the model's "
            f"sequence_length is {sequence_length}."
        )
    first = next(iter(dataset.take(1)), None)
    if first is None:
        raise ValueError(f"`{name}` is an empty dataset: it yields no batch.")
    first = first[0] if isinstance(first, (tuple, list)) else first
    tokens = np.asarray(first[TOKENS_KEY] if isinstance(first, dict) else first)
    if tokens.size and (tokens.min() < 0 or tokens.max() >= vocabulary_size):
        raise ValueError(
            f"`{name}` has token ids out of range: min {tokens.min()}, max {tokens.max()} in "
            f"its first batch; expected ids in [0, vocabulary_size={vocabulary_size})."
        )
    for key, size in (conditions or {}).items():
        ids = np.asarray(first[key])
        condition_ids(ids, key, len(ids), name, size=size, where=" in its first batch")
    return check_every_batch(dataset, vocabulary_size, sequence_length, name, conditions)


_BATCH_ERROR = "keras_seqgan batch check: "


def check_every_batch(dataset, vocabulary_size, sequence_length, name, conditions=None):
    """Adds range and length checks to every batch of `dataset` (cheap: a min and a max).

    The first batch is checked before training; a later bad batch stops `fit` with a
    `ValueError` (see `clear_batch_errors`) instead of training on negative ids, or
    failing with an unexplained gather error deep in the step.
    """
    import tensorflow as tf  # only for a tf.data.Dataset

    expected = f"expected ids in [0, vocabulary_size={vocabulary_size})"

    def check_conditions(x):
        checks = []
        for key, size in conditions.items():
            ids = x[key]
            condition_expected = f"expected ids in [0, {size}) for condition {key!r}"
            checks += [
                tf.debugging.assert_non_negative(
                    ids,
                    message=f"{_BATCH_ERROR}`{name}` has a negative condition id for "
                    f"{key!r}; {condition_expected}.",
                ),
                tf.debugging.assert_less(
                    ids,
                    tf.cast(size, ids.dtype),
                    message=f"{_BATCH_ERROR}`{name}` has a condition id >= {size} for "
                    f"{key!r}; {condition_expected}.",
                ),
            ]
        with tf.control_dependencies(checks):
            x = {key: tf.identity(value) for key, value in x.items()}
        return x

    def check(*element):
        if isinstance(element[0], dict):
            x = check_conditions(dict(element[0]))
            x[TOKENS_KEY] = check_tokens(x[TOKENS_KEY])
            return x if len(element) == 1 else (x, *element[1:])
        tokens = check_tokens(element[0])
        return tokens if len(element) == 1 else (tokens, *element[1:])

    def check_tokens(tokens):
        checks = [
            tf.debugging.assert_non_negative(
                tokens, message=f"{_BATCH_ERROR}`{name}` has a negative token id; {expected}."
            ),
            tf.debugging.assert_less(
                tokens,
                tf.cast(vocabulary_size, tokens.dtype),
                message=f"{_BATCH_ERROR}`{name}` has a token id >= {vocabulary_size}; {expected}.",
            ),
            tf.debugging.assert_equal(
                tf.shape(tokens)[-1],
                sequence_length,
                message=f"{_BATCH_ERROR}`{name}` has a batch of sequences whose length is not "
                f"the model's sequence_length={sequence_length}.",
            ),
        ]
        with tf.control_dependencies(checks):
            return tf.identity(tokens)

    return dataset.map(check)


@contextlib.contextmanager
def clear_batch_errors():
    """Turns a failed `check_every_batch` check into a `ValueError` with its message."""
    tf = _tf.loaded()
    if tf is None:  # no tf.data pipeline, so no checks of its batches
        yield
        return
    try:
        yield
    except tf.errors.InvalidArgumentError as error:
        text = str(error)
        if _BATCH_ERROR not in text:
            raise
        # TensorFlow prints "[<our message>] [Condition x < y ...] [x = ...]".
        # TensorFlow escapes the quotes of the message (condition names are quoted).
        message = text.split(_BATCH_ERROR, 1)[1].split("]", 1)[0].strip().replace("\\'", "'")
        raise ValueError(f"{message} (found in a batch after the first)") from None
