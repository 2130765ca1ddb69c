"""TensorFlow gradient plumbing for the SeqGAN step."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Sequence

import tensorflow as tf

from keras_seqgan._optimizer_pair import OptimizerPair


def value_and_gradients(loss_fn: Callable, variables: Sequence, state: Sequence = ()):
    """Runs `loss_fn()` -> `(loss, aux)` and returns `(loss, aux, dense gradients)`.

    `state` (the other variables `loss_fn` reads or writes) is for the JAX backend;
    TensorFlow tracks variables itself.

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


def compile_function(fn: Callable, jit_compile: bool = False, state: Sequence = ()) -> Callable:
    """Compiles `fn` into one graph (optionally with XLA).

    `state` (the variables `fn` reads or writes) is for the JAX backend; a `tf.function`
    captures variables by reference.
    """
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


def _replica_context():
    """The replica context of a `tf.distribute` strategy with several replicas, or `None`.

    `None` outside `strategy.run` (cross-replica context), without a strategy, and for a
    single replica: then the step runs exactly as it does on one device.
    """
    if not tf.distribute.has_strategy():
        return None
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return None
    return context


def num_replicas() -> int:
    """Replicas that run the step in sync (1 without a `tf.distribute` strategy)."""
    context = _replica_context()
    return 1 if context is None else context.num_replicas_in_sync


def replica_mean(values):
    """The mean of `values` (a nest of tensors) over the replicas; `values` on one device.

    Each replica computes means over its own share of the global batch, and every
    replica gets the same share, so the mean over replicas is the mean over the global
    batch (up to float summation order).
    """
    context = _replica_context()
    if context is None:
        return values
    return context.all_reduce(tf.distribute.ReduceOp.MEAN, values)


def apply_gradients(optimizer, grads, variables) -> None:
    """`optimizer.apply` of gradients that are already the same on every replica.

    A Keras optimizer under `tf.distribute` sums the replicas' gradients itself, so each
    replica hands it `1 / num_replicas` of the (all-reduced) gradient: the sum is that
    gradient again (exactly when the number of replicas is a power of two).
    """
    replicas = num_replicas()
    if replicas > 1:
        grads = [g * tf.cast(1.0 / replicas, g.dtype) for g in grads]
    optimizer.apply(grads, variables)


def cond(pred, true_fn: Callable, false_fn: Callable, state: Sequence = ()):
    """`true_fn()` if `pred` else `false_fn()`, where either side may assign variables and
    synchronize the replicas (apply an optimizer).

    `state` (the variables either side may read or write) is for the JAX backend; in a
    TensorFlow graph each side's assignments run only on its side.

    `tf.distribute` cannot build a replica-context `cond` whose branch synchronizes (a
    `merge_call`, as in `optimizer.apply`). Under a strategy that needs `merge_call`,
    the `cond` runs in cross-replica context on the first replica's `pred` and each
    replica runs its own branch functions (passed through `merge_call`, so that each
    sees its own tensors), as Keras's `LossScaleOptimizer` does. `pred` and the
    branches' outputs must be the same on every replica (e.g. all-reduced): the first
    replica's outputs are returned to all of them.
    """
    import keras

    # Any strategy, one replica included (a MirroredStrategy over one GPU): its
    # optimizer still synchronizes with `merge_call`.
    context = tf.distribute.get_replica_context() if tf.distribute.has_strategy() else None
    if context is None or tf.__internal__.distribute.strategy_supports_no_merge_call():
        return keras.ops.cond(pred, true_fn, false_fn)

    def cross_replica(strategy, pred, true_fns, false_fns):
        def branch(fns):
            def run():
                outputs = strategy.extended.call_for_each_replica(lambda fn: fn(), args=(fns,))
                return tf.nest.map_structure(
                    lambda value: strategy.experimental_local_results(value)[0], outputs
                )

            return run

        first = strategy.experimental_local_results(pred)[0]
        return tf.cond(first, branch(true_fns), branch(false_fns))

    return context.merge_call(cross_replica, args=(pred, true_fn, false_fn))


def step_logs(logs: dict) -> dict:
    """The logs a step returns, shaped for Keras's reduction across replicas.

    Under a `MultiWorkerMirroredStrategy` with several workers, Keras 3 reduces every
    log with `strategy.reduce("MEAN", value, axis=0)`, which fails on scalars
    (tensorflow/tensorflow#72388). There each log becomes float32 `[1]`: the reduction
    gives back the scalar (the logs are the same on every replica). Elsewhere `logs`.
    """
    strategy = tf.distribute.get_strategy()
    multi_worker = (
        isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
        and getattr(strategy.extended, "_in_multi_worker_mode", lambda: False)()
    )
    if not multi_worker:
        return logs
    return {key: tf.reshape(tf.cast(value, "float32"), [1]) for key, value in logs.items()}


def trainer_optimizer(
    generator_optimizer, discriminator_optimizer, jit_compile, run_eagerly, iterations=None
):
    """`model.optimizer`: an `OptimizerPair` of both optimizers.

    Keras's TensorFlow trainer needs none (the step applies both); Keras's learning-rate
    callbacks and `TensorBoard` read it (see `keras_seqgan._optimizer_pair`).
    """
    return OptimizerPair(generator_optimizer, discriminator_optimizer, iterations)


def run_step(step: Callable, args: tuple, groups: Callable[[], Sequence]):
    """Runs `step(data)`: on TensorFlow a step assigns its variables in place.

    Keras calls `train_step(data)`; `groups` (the variables the JAX backend threads) is
    not needed here.
    """
    (data,) = args
    return step(data)


def _token_cross_entropy(labels, logits):
    return tf.reduce_logsumexp(logits, axis=-1) - tf.gather(
        logits, labels, batch_dims=labels.shape.rank
    )


_token_cross_entropy_xla = tf.function(
    _token_cross_entropy, jit_compile=True, reduce_retracing=True
)


def token_cross_entropy(labels, logits, jit_compile: bool = True):
    """Per-token cross-entropy `logsumexp(logits) - logits[label]` of integer `labels`
    (`[...]`, or `[..., 1]`) under `logits` `[..., V]`; with XLA if `jit_compile`.

    The XLA form runs as one compiled call inside a graph-mode step (forward and
    backward), faster on a CPU than `tf.nn.sparse_softmax_cross_entropy_with_logits` and
    than the same ops uncompiled; inside an XLA program the ops are traced in directly.
    """
    logits = tf.convert_to_tensor(logits)
    labels = tf.cast(labels, "int32")
    if labels.shape.rank == logits.shape.rank:
        labels = tf.squeeze(labels, axis=-1)
    if jit_compile and not _in_xla_context():
        return _token_cross_entropy_xla(labels, logits)
    return _token_cross_entropy(labels, logits)


def _in_xla_context() -> bool:
    """Whether the graph being traced is compiled with XLA (a `jit_compile=True` step).

    An XLA function called from inside another XLA program is not inlined: measured,
    an MLE step of `Generator.compile(jit_compile=True)` took 1.5 s with it, 33 ms with
    the ops traced into the step directly.
    """
    from tensorflow.python.ops import control_flow_util  # no public equivalent

    return control_flow_util.GraphOrParentsInXlaContext(tf.compat.v1.get_default_graph())


def auto_jit_compile(compute_dtype="float32"):
    """What the generator's `jit_compile="auto"` means (in `Generator.compile`, asked of
    Keras, and in `generate`, where anything but `True` is TensorFlow's graph): XLA
    (`True`) on TensorFlow for a float32 generator, also on a CPU, where Keras's own
    `"auto"` would not; `"auto"` (Keras's choice) for a `mixed_bfloat16` or
    `mixed_float16` generator (on a CPU, its XLA step is no faster than the graph's,
    measured), under a `tf.distribute` strategy and with op determinism enabled, which
    Keras's `"auto"` excludes from XLA.
    """
    from tensorflow.python.framework import config  # no public determinism query

    if compute_dtype != "float32" or tf.distribute.has_strategy():
        return "auto"
    return "auto" if config.is_op_determinism_enabled() else True


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


def uniform(shape, seed, minval=0.0, maxval=1.0, dtype="float32", batch_rows=False):
    """Counter-based uniform numbers, bit-identical eagerly, in graphs and under XLA.

    TensorFlow's stateless generators (Philox included) give different numbers under
    XLA than in graph mode, which would make `jit_compile=True` and `False` train
    differently from one seed. Here element `i` of a draw is a hash of `(i, seed)`:
    three rounds of a full-avalanche 32-bit mixer keyed by both seed words, keeping 24
    bits. Plain uint32 arithmetic compiles identically everywhere. `seed` is an int
    or a `keras.random.SeedGenerator` (which advances by one per draw). A draw holds
    at most 2**32 numbers.

    Under `tf.distribute` each replica draws its own numbers. By default a replica's
    draw is keyed by its id as well (replica 0 draws what one device would). With
    `batch_rows=True` the draw's leading axis is a replica's share of the global batch:
    replica `r` of `R`, drawing `[n, ...]`, gets rows `r * n` to `(r + 1) * n - 1` of
    the `[R * n, ...]` draw one device would make for the whole batch, so each row of
    the global batch gets the numbers it gets on one device (for dropout masks).
    """
    import keras

    if isinstance(seed, keras.random.SeedGenerator):
        seed_tensor = seed.next()
    elif isinstance(seed, int):
        seed_tensor = tf.constant([seed, 0], dtype="int64")
    elif tf.is_tensor(seed) and seed.shape == (2,):
        seed_tensor = seed  # a seed state [seed, draw], as a SeedGenerator holds it
    else:
        raise TypeError(
            f"`seed` must be an int or a keras.random.SeedGenerator. Received: {seed!r}"
        )
    seed_tensor = tf.cast(seed_tensor, "int64")
    low = tf.cast(tf.bitwise.bitwise_and(seed_tensor, 0xFFFFFFFF), tf.uint32)
    high = tf.cast(tf.bitwise.right_shift(seed_tensor, 32), tf.uint32)
    context = _replica_context()
    size = tf.reduce_prod(tf.cast(shape, "int64"))
    offset = tf.zeros((), "int64")
    if context is not None:
        # Under tf.distribute every replica holds the same seed state, so replicas
        # must draw other numbers: either the rows of the global draw that are theirs,
        # or a draw keyed by the replica's id too (`_mix32(0) == 0`: replica 0 draws
        # what one device would).
        replica_id = context.replica_id_in_sync_group
        if batch_rows:
            offset = tf.cast(replica_id, "int64") * size
        else:
            replica = tf.cast(replica_id, tf.uint32)
            high = high ^ tf.stack([_mix32(replica), tf.zeros((), tf.uint32)])
    key1 = _mix32(low[0] ^ tf.constant(0x9E3779B9, tf.uint32) ^ _mix32(high[0]))
    key2 = _mix32(low[1] + tf.constant(0x85EBCA6B, tf.uint32) ^ _mix32(high[1] + key1))
    counter = tf.cast(tf.range(size, dtype="int64") + offset, tf.uint32)
    bits = _mix32(_mix32(_mix32(counter ^ key1) + key2) ^ key1)
    unit = tf.cast(tf.bitwise.right_shift(bits, 8), "float32") * (1.0 / (1 << 24))
    values = tf.reshape(unit, shape)
    if minval != 0.0 or maxval != 1.0:
        values = minval + values * (maxval - minval)
    return tf.cast(values, dtype)


# A seed's stream state when `generate` resets it: `[fold_seed(seed), draw]`, and
# `fold_seed` keeps seeds below 2**32 as they are (larger ones go through NumPy's
# `SeedSequence`, which a served graph cannot compute).
_SERVED_SEED_LIMIT = 2**32


@functools.cache
def _python_whitespace() -> str:
    """An RE2 class of the characters `str.strip()` removes (Unicode's, not only ASCII's)."""
    spaces = (chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace())
    return "[" + "".join(f"\\x{{{ord(char):x}}}" for char in spaces) + "]"


def _strip(text):
    """`str.strip()` on a string tensor."""
    spaces = _python_whitespace()
    return tf.strings.regex_replace(text, f"^{spaces}+|{spaces}+$", "")


def _text_decoder(tokenizer) -> Callable | None:
    """int32 tokens `[n, T]` -> string `[n]`, as `tokenizer.decode` gives them, in TF ops.

    The tokenizer describes its `decode` as per-id tables (`_decoding_table`); `None`
    (no text served) for a tokenizer that does not, so that no text differs from
    `generate_text`'s. Like `decode`, it keeps the tokens before a row's first
    `<eos>` that are not `<pad>`, moved to the front of the row in order, then joins
    them by the table's rule:

    - `"words"` (`Tokenizer`): a space before a word unless it attaches left or the one
      before attaches right; double quotes alternately open (attach right) and close.
    - `"pieces"` (WordPiece, Unigram): the first piece's `first` text, then each next
      one's `rest` text, stripped.
    - `"bytes"` (byte-level BPE): the pieces' bytes, decoded as UTF-8 with U+FFFD for
      each invalid sequence (ICU and Rust's `from_utf8_lossy` replace the same
      ones), stripped.
    """
    table = getattr(tokenizer, "_decoding_table", lambda: None)()
    if table is None:
        return None
    join = table["join"]
    pad_id, eos_id = tokenizer.pad_id, tokenizer.eos_id

    def decode(tokens):
        before_eos = tf.cumsum(tf.cast(tokens == eos_id, tf.int32), axis=1) == 0
        keep = before_eos & (tokens != pad_id)
        order = tf.argsort(tf.cast(~keep, tf.int32), axis=1, stable=True)
        ids = tf.gather(tokens, order, batch_dims=1)
        kept = tf.gather(keep, order, batch_dims=1)
        first = tf.range(tf.shape(ids)[1]) == 0
        if join == "words":
            words = tf.gather(tf.constant(table["pieces"], tf.string), ids)
            quote = tf.gather(tf.constant(table["quote"]), ids) & kept
            opening = tf.math.floormod(tf.cumsum(tf.cast(quote, tf.int32), 1, exclusive=True), 2)
            opening = opening == 0
            left = tf.where(quote, ~opening, tf.gather(tf.constant(table["attach_left"]), ids))
            right = tf.where(quote, opening, tf.gather(tf.constant(table["attach_right"]), ids))
            right_before = tf.concat([tf.ones_like(right[:, :1]), right[:, :-1]], axis=1)
            spaced = tf.where(left | right_before, words, tf.strings.join([" ", words]))
            pieces = tf.where(kept, spaced, "")
            return tf.strings.reduce_join(pieces, axis=1)
        if join == "pieces":
            pieces = tf.where(
                first,
                tf.gather(tf.constant(table["first"], tf.string), ids),
                tf.gather(tf.constant(table["rest"], tf.string), ids),
            )
            return _strip(tf.strings.reduce_join(tf.where(kept, pieces, ""), axis=1))
        if join == "bytes":
            pieces = tf.gather(tf.constant(table["pieces"], tf.string), ids)
            text = tf.strings.reduce_join(tf.where(kept, pieces, b""), axis=1)
            text = tf.strings.unicode_transcode(
                text, "UTF-8", "UTF-8", errors="replace", replacement_char=0xFFFD
            )
            return _strip(text)
        raise ValueError(f"Unknown decoding table join {join!r}.")

    return decode


def export_generation(generator, filepath, *, max_batch_size: int = 1024, verbose=True):
    """Writes a SavedModel whose `serve` endpoint generates tokens as `generator.generate`.

    The endpoint takes `num_samples` (int32 scalar), `temperature` (float32 scalar),
    `seed` (int64 scalar in `[0, 2**32)`) and, for a conditional generator, one int32
    `[num_samples]` input of ids per condition name; it returns `{"tokens": int32
    [num_samples, T]}`. It samples in batches of `min(num_samples, max_batch_size)` rows
    with the stream state `[seed, batch index]`, as `generate(..., seed=seed)` does with
    its default `batch_size`, so the tokens are the same. With a `generator.tokenizer`
    whose `decode` the graph can repeat (`_text_decoder`), it also returns `"text"`,
    string `[num_samples]`: `tokenizer.decode(tokens)`, as `generate_text` gives them.

    A second endpoint, `log_prob`, scores sequences: int32 `tokens` `[N, T]`, float32
    `temperature` and the condition ids `[N]` in, `{"log_probs": float32 [N, T]}` out,
    each token's log-probability as `generator.log_prob` gives it.
    """
    import keras

    names = list(generator.conditions or {})
    length = generator.sequence_length
    tokenizer = generator.tokenizer
    decode_text = None if tokenizer is None else _text_decoder(tokenizer)

    def serve(num_samples, temperature, seed, *condition_ids):
        tf.debugging.assert_positive(num_samples, message="`num_samples` must be >= 1")
        tf.debugging.assert_positive(temperature, message="`temperature` must be > 0")
        tf.debugging.assert_non_negative(seed, message="`seed` must be in [0, 2**32)")
        tf.debugging.assert_less(
            seed, tf.constant(_SERVED_SEED_LIMIT, tf.int64), message="`seed` must be < 2**32"
        )
        batch_size = tf.minimum(num_samples, max_batch_size)
        num_batches = (num_samples + batch_size - 1) // batch_size
        padded = num_batches * batch_size
        ids = []
        for name, values in zip(names, condition_ids, strict=True):
            tf.debugging.assert_equal(
                tf.shape(values)[0], num_samples, message=f"`{name}` needs num_samples ids"
            )
            ids.append(tf.pad(tf.cast(values, tf.int32), [[0, padded - num_samples]]))

        def body(index, batches):
            state = tf.stack([seed, tf.cast(index, tf.int64)])
            start = index * batch_size
            conditions = {
                name: part[start : start + batch_size]
                for name, part in zip(names, ids, strict=True)
            }
            tokens = generator.sample(
                batch_size,
                temperature=temperature,
                seed=state,
                conditions=conditions or None,
            )
            return index + 1, batches.write(index, tf.cast(tokens, tf.int32))

        batches = tf.TensorArray(tf.int32, size=num_batches, element_shape=[None, length])
        _, batches = tf.while_loop(lambda index, _: index < num_batches, body, (0, batches))
        tokens = tf.reshape(batches.stack(), [-1, length])[:num_samples]
        if decode_text is None:
            return {"tokens": tokens}
        return {"tokens": tokens, "text": decode_text(tokens)}

    signature = [
        tf.TensorSpec([], tf.int32, name="num_samples"),
        tf.TensorSpec([], tf.float32, name="temperature"),
        tf.TensorSpec([], tf.int64, name="seed"),
    ] + [tf.TensorSpec([None], tf.int32, name=name) for name in names]
    archive = keras.export.ExportArchive()
    # Not `archive.track(generator)`: TensorFlow would save the generator itself, with a
    # default signature Keras traces on float tokens (which fails for a conditional one).
    # The endpoint tracks the variables it reads.
    archive.add_endpoint("serve", serve, input_signature=signature)

    def log_prob(tokens, temperature, *condition_ids):
        conditions = {
            name: tf.cast(values, tf.int32)
            for name, values in zip(names, condition_ids, strict=True)
        }
        values = generator.log_prob(
            tf.cast(tokens, tf.int32), temperature=temperature, conditions=conditions or None
        )
        return {"log_probs": tf.cast(values, tf.float32)}

    scoring = [
        tf.TensorSpec([None, length], tf.int32, name="tokens"),
        tf.TensorSpec([], tf.float32, name="temperature"),
    ] + [tf.TensorSpec([None], tf.int32, name=name) for name in names]
    archive.add_endpoint("log_prob", log_prob, input_signature=scoring)
    archive.write_out(str(filepath), verbose=verbose)
