"""TensorFlow gradient plumbing for the SeqGAN step."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import tensorflow as tf


def value_and_gradients(loss_fn: Callable, variables: Sequence):
    """Runs `loss_fn()` -> `(loss, aux)` and returns `(loss, aux, dense gradients)`.

    Gradients are dense tensors (embedding gradients arrive as `IndexedSlices`), with
    zeros in place of `None` for variables the loss does not depend on, so that
    clipping and the finiteness check see every variable.
    """
    with tf.GradientTape() as tape:
        loss, aux = loss_fn()
    grads = tape.gradient(loss, list(variables))
    dense = []
    for grad, variable in zip(grads, variables, strict=True):
        if grad is None:
            dense.append(tf.zeros(variable.shape, dtype=variable.dtype))
        else:
            dense.append(tf.convert_to_tensor(grad))
    return loss, aux, dense


def compile_function(fn: Callable, jit_compile: bool = False) -> Callable:
    """Compiles `fn` into one graph (optionally with XLA)."""
    return tf.function(fn, jit_compile=bool(jit_compile), reduce_retracing=True)


def scan(fn: Callable, init, xs):
    """`fn(carry, x) -> carry` over the leading axis of `xs`; returns the stacked carries.

    `tf.scan` bounds its loop (`maximum_iterations`), which XLA needs to differentiate
    through it; `keras.ops.scan` on TensorFlow does not.
    """
    return tf.scan(fn, xs, initializer=init)


def map_sequential(fn: Callable, elements, dtype="float32"):
    """`fn` over the leading axis of `elements` (a nest), one slice at a time.

    One slice after another (`parallel_iterations=1`), so that the peak memory is one
    slice's, not the whole batch's. `fn` returns one tensor of `dtype`.
    """
    return tf.map_fn(fn, elements, parallel_iterations=1, fn_output_signature=tf.as_dtype(dtype))


def has_accelerator() -> bool:
    """Whether TensorFlow sees a GPU (or TPU) to run on."""
    return bool(tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("TPU"))


def _mix32(x):
    """A 32-bit integer finalizer with full avalanche (the "lowbias32" constants)."""
    x = tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, 16))
    x = x * tf.constant(0x7FEB352D, tf.uint32)
    x = tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, 15))
    x = x * tf.constant(0x846CA68B, tf.uint32)
    return tf.bitwise.bitwise_xor(x, tf.bitwise.right_shift(x, 16))


def uniform(shape, seed, minval=0.0, maxval=1.0, dtype="float32"):
    """Counter-based uniform numbers, bit-identical eagerly, in graphs and under XLA.

    TensorFlow's stateless generators (Philox included) give different numbers under
    XLA than in graph mode, which would make `jit_compile=True` and `False` train
    differently from one seed. Here element `i` of a draw is a hash of `(i, seed)`:
    three rounds of a full-avalanche 32-bit mixer keyed by both seed words, keeping 24
    bits. Plain uint32 arithmetic compiles identically everywhere. `seed` is an int
    or a `keras.random.SeedGenerator` (which advances by one per draw). A draw holds
    at most 2**32 numbers.
    """
    import keras

    if isinstance(seed, keras.random.SeedGenerator):
        seed_tensor = seed.next()
    elif isinstance(seed, int):
        seed_tensor = tf.constant([seed, 0], dtype="int64")
    else:
        raise TypeError(
            f"`seed` must be an int or a keras.random.SeedGenerator. Received: {seed!r}"
        )
    seed_tensor = tf.cast(seed_tensor, "int64")
    low = tf.cast(tf.bitwise.bitwise_and(seed_tensor, 0xFFFFFFFF), tf.uint32)
    high = tf.cast(tf.bitwise.right_shift(seed_tensor, 32), tf.uint32)
    key1 = _mix32(low[0] ^ tf.constant(0x9E3779B9, tf.uint32) ^ _mix32(high[0]))
    key2 = _mix32(low[1] + tf.constant(0x85EBCA6B, tf.uint32) ^ _mix32(high[1] + key1))
    size = tf.reduce_prod(tf.cast(shape, "int64"))
    counter = tf.cast(tf.range(size, dtype="int64"), tf.uint32)
    bits = _mix32(_mix32(_mix32(counter ^ key1) + key2) ^ key1)
    unit = tf.cast(tf.bitwise.right_shift(bits, 8), "float32") * (1.0 / (1 << 24))
    values = tf.reshape(unit, shape)
    if minval != 0.0 or maxval != 1.0:
        values = minval + values * (maxval - minval)
    return tf.cast(values, dtype)
