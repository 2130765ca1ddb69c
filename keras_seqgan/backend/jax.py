"""JAX plumbing for the SeqGAN step.

On JAX, Keras runs a step as a pure function of the model's state: inside it, Keras
Variables read and write their values through a `keras.StatelessScope`. The helpers
here keep that true for what the step does besides one forward pass: gradients of a
loss that also advances a seed stream, branches whose sides update different
variables, and compiled calls made outside `fit` (`generate`, scoring). Each takes the
variables it may read or write (`state`) and threads their values explicitly, so that
no value is baked into a trace as a constant.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import keras

from keras_seqgan._optimizer_pair import OptimizerPair


def _values(variables):
    return [variable.value for variable in variables]


def _run_in_scope(fn, variables, values):
    """Runs `fn()` with `variables` bound to `values`; returns `(out, new values)`."""
    # `collect_losses`: layers' `add_loss` terms stay readable in `model.losses`.
    mapping = list(zip(variables, values, strict=True))
    with keras.StatelessScope(state_mapping=mapping, collect_losses=True) as scope:
        out = fn()
    return out, [scope.get_current_value(variable) for variable in variables]


def _unique(variables):
    seen, unique = set(), []
    for variable in variables:
        if id(variable) not in seen:
            seen.add(id(variable))
            unique.append(variable)
    return unique


def value_and_gradients(loss_fn: Callable, variables: Sequence, state: Sequence = ()):
    """Runs `loss_fn()` -> `(loss, aux)` and returns `(loss, aux, gradients)`.

    `state`: every other variable `loss_fn` may read or write (a seed stream, the rollout
    copy). Their updates (a seed stream advancing) are assigned after the gradient, in
    the caller's scope.
    """
    variables = list(variables)
    ids = {id(variable) for variable in variables}
    others = [variable for variable in _unique(state) if id(variable) not in ids]
    other_values = _values(others)

    def pure(values):
        (loss, aux), new_others = _run_in_scope(
            loss_fn, variables + others, list(values) + other_values
        )
        return loss, (aux, new_others[len(variables) :])

    (loss, (aux, new_others)), grads = jax.value_and_grad(pure, has_aux=True)(_values(variables))
    for variable, value in zip(others, new_others, strict=True):
        variable.assign(value)
    return loss, aux, list(grads)


def cond(pred, true_fn: Callable, false_fn: Callable, state: Sequence = ()):
    """`true_fn()` if `pred` else `false_fn()`, where either may assign to `state`.

    Both sides see the same values of `state` and return outputs of the same structure;
    the chosen side's updates are assigned afterwards.
    """
    state = _unique(state)

    def side(fn):
        return lambda values: _run_in_scope(fn, state, values)

    out, new_values = jax.lax.cond(pred, side(true_fn), side(false_fn), _values(state))
    for variable, value in zip(state, new_values, strict=True):
        variable.assign(value)
    return out


def num_replicas() -> int:
    """1: JAX's data parallelism is one program over the global batch (SPMD)."""
    return 1


def replica_mean(values):
    """`values`: under `keras.distribution`, means over the batch are already global."""
    return values


def apply_gradients(optimizer, grads, variables) -> None:
    """`optimizer.apply(grads, variables)`."""
    optimizer.apply(grads, variables)


def step_logs(logs: dict) -> dict:
    """`logs`, unchanged (the TensorFlow backend reshapes them for multi-worker runs)."""
    return logs


def trainer_optimizer(
    generator_optimizer, discriminator_optimizer, jit_compile, run_eagerly, iterations=None
):
    """What `model.optimizer` must be for Keras's JAX trainer: an `OptimizerPair`.

    Keras's JAX trainer passes `model.optimizer.variables` into each compiled step and
    takes their new values out; a GAN has two optimizers. The pair's `variables` are both
    optimizers' (generator first), and the step applies each optimizer itself (see
    `keras_seqgan._optimizer_pair`).

    Warns when `jit_compile=False` (not eager): Keras's JAX trainer compiles only with
    `True` or `"auto"`, so the step would run op by op.
    """
    if jit_compile is False and not run_eagerly:
        warnings.warn(
            "On JAX, `jit_compile=False` runs the whole step op by op (Keras's JAX "
            "trainer compiles only with True or 'auto'): pass `jit_compile='auto'`.",
            stacklevel=3,
        )
    return OptimizerPair(generator_optimizer, discriminator_optimizer, iterations)


def export_generation(generator, filepath, *, max_batch_size: int = 1024, verbose=True):
    """Not on JAX: a `NotImplementedError` that says why and what to do instead."""
    raise NotImplementedError(
        "`SeqGAN.export` writes a TensorFlow SavedModel whose endpoint runs the whole "
        "seeded generation (a loop over batches, the sampling scan and the counter-based "
        "random numbers) as one TensorFlow graph; on the JAX backend that graph would "
        "have to come from jax2tf, which this version does not do. A `.keras` file is the "
        "same on both backends: load it with KERAS_BACKEND=tensorflow and export there."
    )


def run_step(step: Callable, args: tuple, groups: Callable[[], Sequence]):
    """Runs a stateful `step(data)` as Keras's JAX trainer calls it: `(logs, new_state)`.

    Keras calls `train_step(state, data)` (and `test_step`) with the values of the
    variable lists `groups()` (trainable, non-trainable, optimizer, metrics: Keras's
    order); the step reads and assigns them in a `keras.StatelessScope`, and their new
    values come back in the same structure.
    """
    state, data = args
    groups = groups()
    mapping = [
        (variable, value)
        for variables, values in zip(groups, state, strict=True)
        for variable, value in zip(variables, values, strict=True)
    ]
    with keras.StatelessScope(state_mapping=mapping) as scope:
        logs = step(data)
    new_state = tuple(
        [scope.get_current_value(variable) for variable in variables] for variables in groups
    )
    return logs, new_state


def _is_traced(tree) -> bool:
    return any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree_util.tree_leaves(tree))


def compile_function(fn: Callable, jit_compile: bool = False, state: Sequence = ()) -> Callable:
    """Compiles `fn` with XLA (`jax.jit`; JAX always compiles, so `jit_compile` is unused).

    `state`: the variables `fn` reads or writes; their values go in and their updates come
    out of the compiled program, then are assigned. Keyword arguments are static (Python
    values such as a block size). Called inside another trace (a compiled step), `fn`
    runs inline.
    """
    del jit_compile
    state = _unique(state)
    cache = {}

    def compiled(*args, **kwargs):
        if _is_traced(args):
            return fn(*args, **kwargs)
        key = tuple(sorted(kwargs.items()))
        if key not in cache:

            def pure(values, *args):
                return _run_in_scope(lambda: fn(*args, **kwargs), state, values)

            cache[key] = jax.jit(pure)
        out, new_values = cache[key](_values(state), *args)
        for variable, value in zip(state, new_values, strict=True):
            variable.assign(value)
        return out

    return compiled


def scan(fn: Callable, init, xs):
    """`fn(carry, x) -> carry` over the leading axis of `xs`; returns the stacked carries."""

    def body(carry, x):
        carry = fn(carry, x)
        return carry, carry

    return jax.lax.scan(body, init, xs)[1]


def map_sequential(fn: Callable, elements, dtype="float32"):
    """`fn` over the leading axis of `elements` (a nest), one slice at a time."""
    del dtype
    return jax.lax.map(fn, elements)


def token_cross_entropy(labels, logits, jit_compile: bool = True):
    """Per-token cross-entropy `logsumexp(logits) - logits[label]` of integer `labels`
    (`[...]`, or `[..., 1]`) under `logits` `[..., V]` (compiled with the step)."""
    del jit_compile
    logits = jnp.asarray(logits)
    labels = jnp.asarray(labels).astype("int32")
    if labels.ndim == logits.ndim:
        labels = labels[..., 0]
    picked = jnp.take_along_axis(logits, labels[..., None], axis=-1)[..., 0]
    return jax.nn.logsumexp(logits, axis=-1) - picked


def auto_jit_compile(compute_dtype="float32"):
    """What the generator's `jit_compile="auto"` asks for: Keras's `"auto"`, which on
    JAX compiles every step with XLA already (as `compile_function` always does)."""
    del compute_dtype
    return "auto"


def has_accelerator() -> bool:
    """Whether JAX's default backend is a GPU or TPU."""
    return jax.default_backend() in ("gpu", "tpu")


def _mix32(x):
    """The same 32-bit finalizer as the TensorFlow backend's (bit for bit)."""
    x = x ^ (x >> 16)
    x = x * jnp.uint32(0x7FEB352D)
    x = x ^ (x >> 15)
    x = x * jnp.uint32(0x846CA68B)
    return x ^ (x >> 16)


def uniform(shape, seed, minval=0.0, maxval=1.0, dtype="float32", batch_rows=False):
    """Counter-based uniform numbers; the same bits as the TensorFlow backend's.

    Element `i` of a draw is a hash of `(i, seed)` (see `backend.tensorflow.uniform`), so
    one seed gives the same numbers on both backends. `seed` is an int or a
    `keras.random.SeedGenerator` (which advances by one per draw). `batch_rows` has
    no effect here: a JAX step sees global (possibly sharded) arrays, so its draws are
    one device's whatever the distribution.
    """
    del batch_rows
    if isinstance(seed, keras.random.SeedGenerator):
        seed_array = jnp.asarray(seed.next()).astype(jnp.uint32)
        low, high = seed_array, jnp.zeros((2,), jnp.uint32)
    elif isinstance(seed, int):
        low = jnp.asarray([seed & 0xFFFFFFFF, 0], dtype=jnp.uint32)
        high = jnp.asarray([(seed >> 32) & 0xFFFFFFFF, 0], dtype=jnp.uint32)
    else:
        raise TypeError(
            f"`seed` must be an int or a keras.random.SeedGenerator. Received: {seed!r}"
        )
    key1 = _mix32(low[0] ^ jnp.uint32(0x9E3779B9) ^ _mix32(high[0]))
    key2 = _mix32((low[1] + jnp.uint32(0x85EBCA6B)) ^ _mix32(high[1] + key1))
    size = functools.reduce(lambda a, b: a * b, [int(d) for d in shape], 1)
    counter = jnp.arange(size, dtype=jnp.uint32)
    bits = _mix32(_mix32(_mix32(counter ^ key1) + key2) ^ key1)
    unit = (bits >> 8).astype(jnp.float32) * (1.0 / (1 << 24))
    values = jnp.reshape(unit, tuple(int(d) for d in shape))
    if minval != 0.0 or maxval != 1.0:
        values = minval + values * (maxval - minval)
    return values.astype(dtype)
