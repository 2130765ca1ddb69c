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
    for grad, variable in zip(grads, variables):
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
