"""Side-by-side speed of one adversarial iteration, from a naive Python loop to `SeqGAN.fit`.

One iteration = 1 discriminator update on `B` real + `B` fake sequences and 1 generator
update with `R` Monte-Carlo rollouts for every prefix (objective "reinforce", d_steps=1,
g_steps=1, Adam 1e-2 for G and 1e-4 for D, gradient clip 5.0 everywhere). Real data are
samples of `ks.data.OracleLSTM(V, T, seed=66)`; every variant starts from the same weights
(`keras.utils.set_random_seed(0)` before each build).

Table 1, per discriminator ("paper": the paper's filters, widths wider than T dropped;
"small": widths 2-5 x 64 filters), variants:

- `naive`: a Python loop as notebooks write it: per rollout and per prefix length one
  compiled completion (the rollout LSTM over the prefix, then `tf.random.categorical`)
  and one compiled discriminator call, each read back with `.numpy()`; rewards in NumPy;
  then compiled G update, rollout copy update, D update; losses read back every iteration.
- `naive-bf16`: `naive` with the discriminator under `mixed_bfloat16` and the generator
  in float32 (`NAIVE_BF16_DTYPES`): the precisions of `fit-best`, so that the two compare
  like with like, and the faster choice (a generator in bfloat16 made the step slower:
  docs/speed.md, "Mixed precision (bfloat16)").
- `seed-fix`: the same loop without host reads: rewards summed as tensors, losses into
  `keras.metrics.Mean`. Its per-iteration times come from one `.numpy()` of the D-loss
  scalar at each iteration's end (a cheap sync); `mean_ms` is the whole timed run, ended
  by one read of the metrics, over the iterations.
- `fit-graph`, `fit-graph+xla-rollouts`, `fit-xla`: `ks.SeqGAN(...).fit` with
  `jit_compile=False`, `rollout_jit_compile=True`, `jit_compile=True`; per-step times
  from a callback's `time.perf_counter()` at each `on_train_batch_end`. All with the
  default row blocks (`rollout_sample_rows`, `rollout_score_rows`: `"auto"`).
- `fit-graph-unblocked`: `fit-graph` with `rollout_sample_rows=None,
  rollout_score_rows=None` (each position's logits and all completions' scores at
  once, as before the blocks).
- `fit-spe4`: graph mode, `steps_per_execution=4`; per-step time = block time / 4.
- `fit-defaults`: `SeqGAN.compile` given the optimizers and the common settings above
  (`FIT_COMMON`, all `compile`'s defaults) and nothing else: what a user gets
  (`jit_compile="auto"`, off for TensorFlow on a CPU; `rollout_jit_compile=False`; shared
  prefix on; row blocks `"auto"`; float32).
- `fit-best`: the fastest settings measured (`FIT_BEST`, `FIT_BEST_DTYPES`, where the
  figures come from beside them): graph mode, `rollout_jit_compile=True`, the shared
  prefix, the generator in float32 and the discriminator in `mixed_bfloat16`.

Every row records its networks' `dtype_policies`; "G/D" prints their precisions.
`--variants targets` runs exactly issue 22's table (`TARGET_VARIANTS`: naive,
naive-bf16, fit-defaults, fit-best, fit-graph, fit-xla) and prints its targets
(`TARGETS`) beside the measured speed-ups, "met" or "not met": `fit-defaults` at least 4x
`naive` (float32) with the small discriminator and 3x with the paper's, `fit-xla` faster
than `fit-graph` with both.

The first iteration (block, for fit-spe4) includes tracing: reported as `compile_s`, and
the warm-up iterations are dropped. "speed-up" is naive's median over the variant's,
"x floor" the median over the floor.

The floor is what the arithmetic alone costs on this machine, measured at start: the
projection FLOPs (`[B*R*(T-1), H] x [H, V]`) at the rate of a compiled matmul of that
shape, every other FLOP (LSTM steps, discriminator) at the rate of square matmuls (1024,
2048 and 4096; 1024 and 2048 in the smoke preset), plus one `exp` per sampled logit at
the rate of a compiled `sum(exp(x - max(x)))`. Each rate is the best this machine reached
in the run over row blocks of 64-1024 rows and the whole, as a graph and under XLA (see
`measure_rates`, `iteration_cost`). At smoke sizes these rates are call overhead, so
smoke floors mean nothing. Where the CPU has bfloat16 instructions
(`_machine.cpu_bfloat16`, recorded as `machine.cpu_bfloat16` and printed in the header)
the same rates are measured with bfloat16 operands too (`rates_bfloat16`; `null`
without them, and bfloat16 rows then get the float32 floor). Each row's floor counts each
network's arithmetic at its own precision's rates (`row_floor`: a discriminator in
`mixed_bfloat16` has its FLOPs at the bfloat16 matmul rate, or float32's if that was
higher); `floors_ms` records, per discriminator, the float32 floor and the one with the
discriminator in bfloat16.

Table 2 (`--scaling`): fit-graph with the small discriminator, one axis varied at a time,
each point in its own process, with its own floor rates (the square one from the parent)
and its peak resident memory (`VmHWM`: `ru_maxrss` of a child started from this process
reports this process's peak). Table 3: an MLE pre-training epoch (after a warm-up epoch)
with `Generator.compile`'s defaults (XLA), in a graph-mode step, with Keras's sparse
cross-entropy in a graph-mode step (the baseline of `speedup_vs_keras_loss`) and in
`mixed_bfloat16`, generating samples and NLL-oracle, each
beside its floor (same rates; bfloat16 ones for the bfloat16 epoch). `--variants none`
runs no table 1: the rates and table 3 only.

Table 4 (`--backends`): `SeqGAN.fit` with the small discriminator at the preset's sizes,
the same global batch `B` and the same real data (saved once by this process), on each
Keras backend with one replica and with two, each point in its own process (a process
picks its backend once, at import, so `KERAS_BACKEND` and `XLA_FLAGS` are set in the
child's environment before it starts):

- `tensorflow`, 1 replica: `fit-graph` (`jit_compile=False`, default row blocks), no
  strategy.
- `tensorflow`, 2 replicas: the same under `tf.distribute.MirroredStrategy` over the CPU
  split into 2 logical devices (`tf.config.set_logical_device_configuration`); the models
  built and compiled inside `strategy.scope()`; each replica steps on `B/2` rows.
- `jax`, 1 device: the same settings with `jit_compile=True`: on JAX the whole step is
  always XLA-compiled (Keras's JAX trainer would run a `jit_compile=False` step op by op).
- `jax`, 2 devices: `XLA_FLAGS=--xla_force_host_platform_device_count=2`, the models built
  and fit inside `keras.distribution.DataParallel(devices=jax.devices()).scope()`.

Times as in table 1 (per-step `time.perf_counter()` at each `on_train_batch_end`, the
warm-up steps dropped, the first step's time, with tracing and compilation, as
`compile_s`); "steps/s" is 1000 / median ms and "speed vs tf x1" the TensorFlow
1-replica median over the point's (above 1: faster). The JSON (`"backends"`) records each
point's backend, replicas, devices and the environment its process was given. On a CPU
the replicas are logical devices sharing the same cores (two on a 2-core machine), so no
speed-up is expected from replicas here: the 2-replica rows measure what the
distribution costs (splitting the batch, cross-replica gradient reductions, merge calls),
not what it could gain with one core or accelerator per replica.

    python benchmarks/speed.py                                   # paper sizes, ~35-45 minutes
    python benchmarks/speed.py --variants targets                # issue 22's table, ~20 minutes
    python benchmarks/speed.py --preset smoke                    # ~3 minutes; --scaling: ~5
    python benchmarks/speed.py --preset smoke --backends         # table 4: ~2 minutes more
    python benchmarks/speed.py --discriminators small --variants naive,fit-graph --iterations 5
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _machine import (  # noqa: E402
    command_line,
    cpu_bfloat16,
    cpu_name,
    machine_record,
    matmul_gflops,
    write_json,
)

VARIANTS = (
    "naive",
    "naive-bf16",
    "seed-fix",
    "fit-defaults",
    "fit-graph-unblocked",
    "fit-graph",
    "fit-graph-chunk16",
    "fit-graph+xla-rollouts",
    "fit-xla",
    "fit-spe4",
    "fit-best",
)
# The fastest settings measured on the 2-core CPU (AMD EPYC, AVX512-BF16), from
# docs/speed.md: graph mode with XLA rollouts (`rollout_jit_compile=True`), the fastest
# float32 setting with the paper discriminator and second to whole-step XLA with the
# small one (table 1 of "Measured (2026-11-26)", speed_paper.json: 5,340 ms against
# graph mode's 5,976 and XLA's 6,746; 2,125 ms against 2,497 and 1,977); the shared prefix
# (the default; -4 to -7%, "Knobs", step_time_shared_prefix_*.json); the generator in
# float32 and the discriminator in mixed_bfloat16, the fastest precision in graph mode
# with either discriminator (1.27x and 1.2x over float32, "Mixed precision (bfloat16)",
# step_time_bf16_split_*.json), while bfloat16 under XLA was slower. The XLA rollouts run
# the generator alone, which stays float32. Not timed together before this variant.
FIT_BEST = dict(jit_compile=False, rollout_jit_compile=True, rollout_shared_prefix=True)
FIT_BEST_DTYPES = {"generator": "float32", "discriminator": "mixed_bfloat16"}
# The naive loop in bfloat16 with the precisions of `fit-best` (the fair comparison, and
# the faster choice: a generator in bfloat16 made the step 1.17-1.25x slower).
NAIVE_BF16_DTYPES = FIT_BEST_DTYPES
VARIANT_DTYPES = {"naive-bf16": NAIVE_BF16_DTYPES, "fit-best": FIT_BEST_DTYPES}
FIT_VARIANTS = {
    "fit-defaults": {},  # exactly what `SeqGAN.compile` gives (the common settings apart)
    "fit-graph-unblocked": dict(
        jit_compile=False, rollout_sample_rows=None, rollout_score_rows=None
    ),
    "fit-graph": dict(jit_compile=False),
    "fit-graph-chunk16": dict(jit_compile=False, rollout_chunk_size=16),
    "fit-graph+xla-rollouts": dict(jit_compile=False, rollout_jit_compile=True),
    "fit-xla": dict(jit_compile=True),
    "fit-spe4": dict(jit_compile=False, steps_per_execution=4),
    "fit-best": FIT_BEST,
}
# What every `fit` variant passes to `SeqGAN.compile` besides the two optimizers (all are
# `compile`'s defaults too; nothing here is about speed).
FIT_COMMON = dict(d_train_interval=1, d_steps=1, g_steps=1, gradient_clip=5.0)
# The floors recorded per discriminator (`floors_ms` in the JSON); each row also gets its own.
FLOOR_PRECISIONS = {
    "float32": {"generator": "float32", "discriminator": "float32"},
    "D bfloat16": {"generator": "float32", "discriminator": "mixed_bfloat16"},
}
READ_BACK = ("naive", "naive-bf16")  # the Python-loop variants that read every result back
# The table (issue 22): `--variants targets`.
TARGET_VARIANTS = ("naive", "naive-bf16", "fit-defaults", "fit-best", "fit-graph", "fit-xla")
# "none": no table 1 (the floor rates and table 3, the hot paths, only).
VARIANT_SETS = {"all": VARIANTS, "targets": TARGET_VARIANTS, "none": ()}
# (variant, baseline, discriminator, target): "speed-up" = baseline median / variant
# median; met when at least `target` (a speed-up of 1.0: strictly faster).
TARGETS = (
    ("fit-defaults", "naive", "small", 4.0),
    ("fit-defaults", "naive", "paper", 3.0),
    ("fit-xla", "fit-graph", "small", 1.0),
    ("fit-xla", "fit-graph", "paper", 1.0),
)
EMBEDDING, HIDDEN = 32, 32  # the generator's
NETWORKS = ("generator", "discriminator")
PRESETS = {
    "paper": dict(
        vocabulary_size=5000, sequence_length=20, batch_size=64, num_rollouts=16,
        iterations=10, warmup=2, samples=10_000, square=4096, mle_repeats=3,
        scaling={"num_rollouts": [4, 8, 16, 32], "vocabulary_size": [1000, 5000, 20000],
                 "sequence_length": [10, 20, 40], "batch_size": [16, 64, 256],
                 "rollout_chunk_size": [8, 32]},
    ),
    "smoke": dict(
        vocabulary_size=50, sequence_length=6, batch_size=8, num_rollouts=2,
        iterations=2, warmup=1, samples=200, square=1024, mle_repeats=1,
        scaling={"num_rollouts": [2, 4], "vocabulary_size": [50, 100],
                 "sequence_length": [6, 8], "batch_size": [8, 16],
                 "rollout_chunk_size": [4]},
    ),
}  # fmt: skip
SIZE_KEYS = ("vocabulary_size", "sequence_length", "batch_size", "num_rollouts")


def log(message):
    print(f"[speed {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ------------------------------------------------------------------------- floor
def discriminator_forward_flops(sequence_length, discriminator):
    """FLOPs of one sequence through the discriminator: convolutions, highway, logit."""
    d_emb, length = discriminator.embedding_dim, sequence_length
    conv = sum(
        2 * (length - w + 1) * w * d_emb * f
        for w, f in zip(discriminator.filter_sizes, discriminator.num_filters, strict=True)
    )
    features = discriminator.num_features
    highway = discriminator.highway_layers * 2 * (2 * features * features)
    return conv + highway + 2 * features


def iteration_cost(V, T, B, R, E, H, discriminator):
    """The arithmetic of one iteration: FLOPs (2*m*n*k per matmul) and sampled logits.

    Returns `projection_flops` (output projections), `other_flops` (LSTM steps and the
    discriminator), split into `lstm_flops` and `discriminator_flops`, `flops` (their
    sum) and `exp_elements` (one per logit sampled from).
    """
    projection, lstm = 2 * H * V, 2 * (E + H) * 4 * H
    rollout_tokens = B * R * T * (T - 1) // 2
    sampled = rollout_tokens + B * T + B * T  # rollouts, fakes for D, G's own sample
    teacher_forced = 3 * B * T  # G's log-prob, forward + backward
    d_forward = discriminator_forward_flops(T, discriminator)
    d_sequences = B * R * (T - 1) + B + 3 * 2 * B  # rollout scores, full scores, D update
    projection_flops = projection * (sampled + teacher_forced)
    lstm_flops = lstm * (sampled + teacher_forced)
    discriminator_flops = d_forward * d_sequences
    return {
        "projection_flops": projection_flops,
        "other_flops": lstm_flops + discriminator_flops,
        "lstm_flops": lstm_flops,
        "discriminator_flops": discriminator_flops,
        "flops": projection_flops + lstm_flops + discriminator_flops,
        "exp_elements": V * sampled,
        "rollout_tokens": rollout_tokens,
    }


def floor_seconds(cost, rates, discriminator_rates=None):
    """The iteration's arithmetic at `rates`; the discriminator's FLOPs at
    `discriminator_rates` instead, if given (a discriminator of another precision)."""
    d_rates = rates if discriminator_rates is None else discriminator_rates
    return (
        cost["projection_flops"] / (rates["projection_gflops"] * 1e9)
        + (cost["other_flops"] - cost["discriminator_flops"]) / (rates["square_gflops"] * 1e9)
        + cost["discriminator_flops"] / (d_rates["square_gflops"] * 1e9)
        + cost["exp_elements"] / rates["exp_per_s"]
    )


def precision(policy):
    """`"bfloat16"` for a Keras dtype policy that computes in it, else `"float32"`."""
    return "bfloat16" if "bfloat16" in str(policy) else "float32"


def row_floor(cost, dtype_policies, rates_by_precision):
    """(floor seconds, precisions used) of a row whose networks ran under `dtype_policies`
    (`{"generator": ..., "discriminator": ...}`).

    `rates_by_precision`: `{"float32": rates, "bfloat16": rates or None}`. Each network's
    arithmetic is counted at its own precision's rates: the generator's projections,
    LSTM steps and `exp`s at the generator's, the discriminator's FLOPs at the
    discriminator's. A bfloat16 rate is the better of the measured bfloat16 and float32
    ones (mixed precision may keep any operation in float32, so its floor is never above
    float32's). Without bfloat16 rates (a CPU without bfloat16 instructions) a bfloat16
    network gets the float32 ones, and its precision is reported as `"float32"`.
    """
    used = {}
    for network in NETWORKS:
        wanted = precision(dtype_policies[network])
        used[network] = wanted if rates_by_precision.get(wanted) else "float32"
    generator_rates, d_rates = (best_rates(rates_by_precision, used[n]) for n in NETWORKS)
    return floor_seconds(cost, generator_rates, d_rates), used


def best_rates(rates_by_precision, name):
    """The rates of precision `name`, each no worse than float32's."""
    base = rates_by_precision["float32"]
    if name == "float32":
        return base
    return {key: max(value, base[key]) for key, value in rates_by_precision[name].items()}


def best_seconds(function, *args, repeats=3):
    function(*args).numpy()
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        function(*args).numpy()
        best = min(best, time.perf_counter() - start)
    return best


RATE_BLOCK_ROWS = (64, 256, 1024)  # row blocks the projection and exp rates are tried on


def _blocked(fn, x, block_rows):
    """`fn` over `x` `[rows, ...]` in blocks of `block_rows` rows (whole if `None`)."""
    import tensorflow as tf

    if block_rows is None or block_rows >= x.shape[0]:
        return fn(x)
    blocks = tf.reshape(x[: x.shape[0] // block_rows * block_rows], (-1, block_rows, x.shape[1]))
    return tf.reduce_sum(
        tf.map_fn(fn, blocks, parallel_iterations=1, fn_output_signature=tf.float32)
    )


def measure_rates(size, square=4096, square_gflops=None, dtype="float32"):
    """The best rates this machine reaches right now, each over several ways to run it.

    - `projection_gflops`: the output projection `[B*R*(T-1), H] x [H, V]`, as one matmul
      and in row blocks of `RATE_BLOCK_ROWS` (blocks that fit the cache run faster: see
      `rollout_sample_rows`), each as a graph and under XLA; the best.
    - `exp_per_s`: `sum(exp(x - max(x)))` over the same rows of `V` random logits, in the
      same blocks and modes; the best.
    - `square_gflops`: the best of a `square` matmul (as a graph: for float32
      `_machine.matmul_gflops`) and of 1024 and 2048 square ones, as a graph and under XLA.

    `dtype`: the operands' (`"float32"` or `"bfloat16"`; sums are taken in float32). A
    floor from the best rates is below what any arrangement of the same arithmetic
    on this machine can reach, as a floor must be. Each rate is the best of 3 calls.
    """
    import tensorflow as tf

    V, T, B, R = (size[key] for key in SIZE_KEYS)
    rows = B * R * (T - 1)

    def normal(shape):
        return tf.cast(tf.random.normal(shape), dtype)

    a, w = normal((rows, HIDDEN)), normal((HIDDEN, V))
    x = normal((rows, V)) if rows * V <= 2**28 else None  # up to 1 GiB in float32
    if x is None:  # exp rate on a part of the rows: the blocks only need ~1024 rows each
        x = normal((max(1024, 2**28 // V), V))

    def project(block):
        return tf.cast(tf.reduce_sum((block @ w)[:, :1]), tf.float32)

    def exp_sum(block):
        e = tf.exp(block - tf.reduce_max(block, axis=1, keepdims=True))
        return tf.reduce_sum(tf.cast(e, tf.float32))

    projection = exp_rate = 0.0
    for jit in (False, True):
        for block_rows in (*RATE_BLOCK_ROWS, None):
            run = tf.function(lambda a, b=block_rows: _blocked(project, a, b), jit_compile=jit)
            done = a.shape[0] if block_rows is None else a.shape[0] // block_rows * block_rows
            seconds = best_seconds(lambda r=run: r(a))
            projection = max(projection, 2 * done * HIDDEN * V / seconds / 1e9)
            run = tf.function(lambda x, b=block_rows: _blocked(exp_sum, x, b), jit_compile=jit)
            done = x.shape[0] if block_rows is None else x.shape[0] // block_rows * block_rows
            exp_rate = max(exp_rate, done * V / best_seconds(lambda r=run: r(x)))
    if square_gflops is None:
        sizes = ((1024, (False, True)), (2048, (False, True)))
        if dtype == "float32":
            square_gflops = matmul_gflops(square)
        else:
            square_gflops, sizes = 0.0, ((square, (False,)), *sizes)
        for n, modes in sizes:
            m = normal((n, n))
            for jit in modes:
                run = tf.function(
                    lambda m: tf.cast(tf.reduce_sum((m @ m)[:1, :1]), tf.float32),
                    jit_compile=jit,
                )
                square_gflops = max(
                    square_gflops, 2 * n**3 / best_seconds(lambda r=run, m=m: r(m)) / 1e9
                )
    return {
        "projection_gflops": projection,
        "square_gflops": square_gflops,
        "exp_per_s": exp_rate,
    }


def measure_all_rates(size, square, bfloat16_flags):
    """`{"float32": rates, "bfloat16": rates or None}`: bfloat16 where the CPU has
    bfloat16 instructions (`bfloat16_flags`, from `_machine.cpu_bfloat16`), else `None`."""
    rates = {"float32": measure_rates(size, square=square)}
    rates["bfloat16"] = None
    if bfloat16_flags:
        rates["bfloat16"] = measure_rates(size, square=square, dtype="bfloat16")
    return rates


# ------------------------------------------------------------------------ models
def build_models(size, kind, dtypes=None):
    """The generator and the `kind` discriminator, from the same initial weights.

    `dtypes`: `{"generator": policy, "discriminator": policy}` (Keras dtype policies);
    `None` leaves both to the global policy (what `benchmarks/accelerator.py` sets).
    """
    import keras

    import keras_seqgan as ks

    V, T = size["vocabulary_size"], size["sequence_length"]
    g_dtype, d_dtype = ({} if dtypes is None else {"dtype": dtypes[n]} for n in NETWORKS)
    keras.utils.set_random_seed(0)  # the same initial weights for every variant
    generator = ks.models.Generator(
        V, T, embedding_dim=EMBEDDING, hidden_dim=HIDDEN, seed=1, **g_dtype
    )
    if kind == "paper":
        widths, counts = ks.models.paper_filters(T)
        filters = dict(filter_sizes=widths, num_filters=counts)
    else:
        filters = dict(filter_sizes=(2, 3, 4, 5), num_filters=(64, 64, 64, 64))
    return generator, ks.models.Discriminator(V, T, **filters, **d_dtype)


def dtype_policies(generator, discriminator):
    """The networks' dtype policy names, as a row records them."""
    return {
        "generator": generator.dtype_policy.name,
        "discriminator": discriminator.dtype_policy.name,
    }


def real_data(size, count):
    import keras_seqgan as ks

    oracle = ks.data.OracleLSTM(
        size["vocabulary_size"], size["sequence_length"], seed=66, jit_compile=False
    )
    return oracle, oracle.sample(max(count, 8 * size["batch_size"]), seed=88)


def summarize(seconds, warmup, steps=1):
    """Stats over per-iteration seconds after `warmup` entries; the first is the compile."""
    timed = [1000 * s for s in seconds[warmup:]] or [1000 * seconds[-1]]
    return {
        "median_ms": round(float(np.median(timed)), 1),
        "min_ms": round(min(timed), 1),
        "max_ms": round(max(timed), 1),
        "mean_ms": round(float(np.mean(timed)), 1),
        "compile_s": round(seconds[0] * steps, 2),
        "iterations": len(timed) * steps,
        "times_ms": [round(t, 1) for t in timed],
    }


# -------------------------------------------------------- (a) and (b): Python loop
class PythonLoop:
    """The notebook-style loop; `read_back=True` is `naive`, `False` is `seed-fix`."""

    def _networks(self, generator, discriminator, num_rollouts, read_back, tf, adam_options):
        """The two networks, the rollout copy, the seed, both Adams (built) and the means."""
        import keras

        import keras_seqgan as ks

        self.g, self.d, self.R, self.read_back = generator, discriminator, num_rollouts, read_back
        self.T, self.tf = generator.sequence_length, tf
        config = generator.get_config()
        config["name"] = "naive_rollout"
        self.rollout = ks.models.Generator.from_config(config)
        self.rollout.set_weights(generator.get_weights())
        self.seed = keras.random.SeedGenerator(2)
        self.g_opt = keras.optimizers.Adam(1e-2, **adam_options)
        self.d_opt = keras.optimizers.Adam(1e-4, **adam_options)
        self.g_opt.build(generator.trainable_variables)
        self.d_opt.build(discriminator.trainable_variables)
        self.g_mean, self.d_mean = keras.metrics.Mean(), keras.metrics.Mean()

    def __init__(self, generator, discriminator, num_rollouts, read_back):
        import tensorflow as tf

        self._networks(generator, discriminator, num_rollouts, read_back, tf, {})
        self.sample = tf.function(lambda batch: generator.sample(batch, seed=self.seed))
        self.score = tf.function(lambda x: tf.sigmoid(discriminator(x, training=False))[:, 0])
        # One compiled completion per prefix length t (Python ints: one trace each).
        self.complete = {t: tf.function(self._completion(t)) for t in range(1, self.T)}
        self.g_update = tf.function(self._g_update)
        self.d_update = tf.function(self._d_update)
        self.update_rollout = tf.function(self._update_rollout)
        self.last_rewards = None

    def _draw(self, logits):
        """One token per row, as a notebook draws it: `tf.random.categorical`."""
        tf = self.tf
        return tf.cast(tf.random.categorical(logits, 1)[:, 0], tf.int32)

    def _completion(self, t):
        """The rollout copy over the first `t` tokens of a batch, then `_draw` to the end."""
        from keras import ops

        r = self.rollout

        def complete(tokens):
            batch = ops.shape(tokens)[0]
            state = r.initial_state(batch)
            previous = ops.full((batch,), r.start_token, dtype="int32")
            for i in range(t):  # run the rollout LSTM over the prefix
                _, state = r.lstm_cell(r.embedding(previous), state)
                previous = tokens[:, i]
            columns = [tokens[:, :t]]
            for _ in range(t, self.T):  # then sample the rest
                logits, state = r.step(previous, state)
                previous = self._draw(logits)
                columns.append(previous[:, None])
            return ops.concatenate(columns, axis=1)

        return complete

    def _g_update(self, tokens, rewards):
        tf, variables = self.tf, self.g.trainable_variables
        with tf.GradientTape() as tape:
            loss = -tf.reduce_mean(self.g.log_prob(tokens) * rewards)
        gradients, _ = tf.clip_by_global_norm(tape.gradient(loss, variables), 5.0)
        self.g_opt.apply(gradients, variables)
        return loss

    def _d_update(self, real, fake):
        tf, variables = self.tf, self.d.trainable_variables
        ce = tf.nn.sigmoid_cross_entropy_with_logits
        with tf.GradientTape() as tape:
            real_logits, fake_logits = self.d(real, training=True), self.d(fake, training=True)
            loss = 0.5 * (
                tf.reduce_mean(ce(tf.ones_like(real_logits), real_logits))
                + tf.reduce_mean(ce(tf.zeros_like(fake_logits), fake_logits))
            )
        gradients, _ = tf.clip_by_global_norm(tape.gradient(loss, variables), 5.0)
        self.d_opt.apply(gradients, variables)
        return loss

    def _update_rollout(self):
        floats = [w for w in self.rollout.weights if "float" in str(w.dtype)]
        sources = [w for w in self.g.weights if "float" in str(w.dtype)]
        for target, source in zip(floats, sources, strict=True):
            target.assign(0.8 * target + 0.2 * source)

    def rewards(self, tokens):
        tf, R, T = self.tf, self.R, self.T
        if self.read_back:
            rewards = np.zeros((tokens.shape[0], T), "float32")
            for _ in range(R):
                for t in range(1, T):
                    rewards[:, t - 1] += np.asarray(self.score(self.complete[t](tokens))) / R
            rewards[:, T - 1] = np.asarray(self.score(tokens))
            return rewards
        sums = [None] * (T - 1)
        for _ in range(R):
            for t in range(1, T):
                scores = self.score(self.complete[t](tokens))
                sums[t - 1] = scores if sums[t - 1] is None else sums[t - 1] + scores
        return tf.stack([s / R for s in sums] + [self.score(tokens)], axis=1)

    def iteration(self, real):
        """One iteration; returns a scalar tensor to sync on (read back already if naive)."""
        batch = real.shape[0]
        tokens = self.sample(batch)
        rewards = self.rewards(tokens)
        g_loss = self.g_update(tokens, rewards)
        self.update_rollout()
        d_loss = self.d_update(real, self.sample(batch))
        self.last_rewards = rewards
        if self.read_back:
            g_loss, d_loss = float(g_loss), float(d_loss)
            assert math.isfinite(g_loss) and math.isfinite(d_loss), (g_loss, d_loss)
        else:
            self.g_mean.update_state(g_loss)
            self.d_mean.update_state(d_loss)
        return d_loss


def time_python_loop(variant, size, kind, real, iterations, warmup, loop_class=PythonLoop):
    """`variant` (`naive`, `naive-bf16` or `seed-fix`) timed per iteration; `loop_class`
    builds the loop (another backend's, e.g. `benchmarks/accelerator.py`'s for JAX)."""
    import keras

    generator, discriminator = build_models(size, kind, VARIANT_DTYPES.get(variant))
    loop = loop_class(generator, discriminator, size["num_rollouts"], variant in READ_BACK)
    B = size["batch_size"]
    batches = [keras.ops.convert_to_tensor(real[i : i + B]) for i in range(0, 8 * B, B)]
    seconds = []
    for i in range(warmup + iterations):
        if i == warmup:
            run_start = time.perf_counter()
        start = time.perf_counter()
        result = loop.iteration(batches[i % len(batches)])
        if variant == "seed-fix":
            result.numpy()  # one scalar: the cheap per-iteration sync
        seconds.append(time.perf_counter() - start)
    final = (float(loop.g_mean.result()), float(loop.d_mean.result()))
    total = time.perf_counter() - run_start
    assert all(math.isfinite(v) for v in final), final
    rewards = np.asarray(loop.last_rewards)
    assert rewards.shape == (B, size["sequence_length"]), rewards.shape
    assert np.all((rewards >= 0) & (rewards <= 1)), rewards
    row = summarize(seconds, warmup)
    row["mean_ms"] = round(1000 * total / iterations, 1)
    row["reward_mean"] = round(float(rewards.mean()), 4)
    row["dtype_policies"] = dtype_policies(generator, discriminator)
    return row


# ------------------------------------------------------------------- (c)-(e): fit
def step_clock():
    import keras

    class StepClock(keras.callbacks.Callback):
        """`time.perf_counter()` at the first batch's start and at every batch end."""

        def __init__(self):
            super().__init__()
            self.start, self.ends = None, []

        def on_train_batch_begin(self, batch, logs=None):
            if self.start is None:
                self.start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            self.ends.append((int(batch), time.perf_counter()))

        def blocks(self):
            """(seconds, steps) per compiled call, in order."""
            result, previous_batch, previous = [], -1, self.start
            for batch, moment in self.ends:
                result.append((moment - previous, batch - previous_batch))
                previous_batch, previous = batch, moment
            return result

    return StepClock()


def time_fit(variant, size, kind, real, iterations, warmup, chunk_size, scope=None):
    """`SeqGAN.fit` timed per step; models built, compiled and fit inside `scope`, if any.

    `scope`: a context manager (a `tf.distribute` strategy's or a Keras distribution's
    `scope()`). On JAX the whole step is always compiled (`jit_compile=True`): Keras's JAX
    trainer runs a step with `jit_compile=False` op by op, which no variant measures.
    """
    import contextlib

    import keras

    import keras_seqgan as ks

    options = dict(FIT_VARIANTS[variant])
    if chunk_size is not None and "rollout_chunk_size" not in options:
        options["rollout_chunk_size"] = chunk_size
    if keras.backend.backend() == "jax":
        options["jit_compile"] = True
    k = options.get("steps_per_execution", 1)
    with scope if scope is not None else contextlib.nullcontext():
        generator, discriminator = build_models(size, kind, VARIANT_DTYPES.get(variant))
        gan = ks.SeqGAN(generator, discriminator, num_rollouts=size["num_rollouts"], seed=2)
        gan.compile(
            generator_optimizer=keras.optimizers.Adam(1e-2),
            discriminator_optimizer=keras.optimizers.Adam(1e-4),
            **compile_options(variant, options),
        )
        warm_blocks, timed_blocks = max(1, -(-warmup // k)), max(1, -(-iterations // k))
        dataset = ks.data.sequence_dataset(real, batch_size=size["batch_size"], seed=3)
        if isinstance(dataset, keras.utils.PyDataset):  # JAX without TensorFlow
            dataset = ks.data.sequence_dataset(
                real, batch_size=size["batch_size"], seed=3, repeat=True
            )
        else:  # tf.data, on either backend (without autotuning, as the package builds it)
            dataset = dataset.repeat()
        clock = step_clock()
        history = gan.fit(
            dataset,
            epochs=1,
            steps_per_epoch=k * (warm_blocks + timed_blocks),
            verbose=0,
            callbacks=[clock],
        )
    for key in ("g_loss", "d_loss"):
        assert all(math.isfinite(v) for v in history.history[key]), history.history
    assert 0.0 <= history.history["reward_mean"][-1] <= 1.0, history.history
    blocks = clock.blocks()
    assert all(steps == k for _, steps in blocks), blocks
    row = summarize([s / k for s, _ in blocks], warm_blocks, steps=k)
    row["reward_mean"] = round(float(history.history["reward_mean"][-1]), 4)
    row["dtype_policies"] = dtype_policies(generator, discriminator)
    return row


def compile_options(variant, options=None):
    """What a `fit` variant passes to `SeqGAN.compile` besides the optimizers:
    `FIT_COMMON` and the variant's own settings (`options`: `FIT_VARIANTS[variant]` and
    any benchmark-wide override). `fit-defaults` gets only `FIT_COMMON`, `compile`'s own
    defaults, unless the command line overrides one for every variant."""
    options = dict(FIT_VARIANTS[variant] if options is None else options)
    return {**FIT_COMMON, **options}


def time_variant(variant, size, kind, real, iterations, warmup, chunk_size=None):
    if variant in FIT_VARIANTS:
        return time_fit(variant, size, kind, real, iterations, warmup, chunk_size)
    return time_python_loop(variant, size, kind, real, iterations, warmup)


# ------------------------------------------------------------- table 2: one point
def run_point(point):
    """One scaling point (in its own process): fit-graph, small discriminator."""
    size = {key: point[key] for key in SIZE_KEYS}
    _, real = real_data(size, 8 * size["batch_size"])
    row = time_variant(
        "fit-graph", size, "small", real, point["iterations"], 1, point["rollout_chunk_size"]
    )
    peak_kib = peak_rss_kib()  # before the rate measurement's own [B*R*(T-1), V] arrays
    rates = measure_rates(size, square_gflops=point["square_gflops"])
    _, discriminator = build_models(size, "small")
    cost = iteration_cost(*(size[key] for key in SIZE_KEYS), EMBEDDING, HIDDEN, discriminator)
    floor_ms = 1000 * floor_seconds(cost, rates)
    row.update(
        floor_ms=round(floor_ms, 1),
        x_floor=round(row["median_ms"] / floor_ms, 2),
        peak_rss_mib=round(peak_kib / 1024, 1),
        rates={key: round(value, 3) for key, value in rates.items()},
    )
    return row


def peak_rss_kib():
    """This process's peak resident memory, KiB.

    `ru_maxrss` alone would report the parent's peak: Linux folds the forking process's
    high-water mark into it at `exec`. `VmHWM` belongs to the new address space.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def scaling_table(base, axes, args, rates):
    results, rows = {}, []
    for axis, values in axes.items():
        for value in values:
            chunk_size = args.rollout_chunk_size
            if axis == "rollout_chunk_size":  # at the base sizes
                size, chunk_size = dict(base), value
            else:
                size = {**base, axis: value}
            key = (*(size[k] for k in SIZE_KEYS), chunk_size)
            if key not in results:
                point = {**size, "iterations": args.scaling_iterations}
                point.update(square_gflops=rates["square_gflops"], rollout_chunk_size=chunk_size)
                log(f"scaling {axis}={value}: start")
                results[key] = run_point_process(point)
                log(f"scaling {axis}={value}: {results[key].get('median_ms', 'failed')} ms")
            rows.append(
                {"axis": axis, "value": value, **size, "rollout_chunk_size": chunk_size,
                 **results[key]}
            )  # fmt: skip
    return rows


def run_point_process(point, env=None):
    """`point` run by this script in a new process (with `env` over this one's)."""
    command = [sys.executable, os.path.abspath(__file__), "--_point", json.dumps(point)]
    env = None if env is None else {**os.environ, **env}
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("POINT "):
            return json.loads(line[len("POINT ") :])
    tail = (done.stderr or done.stdout)[-2000:]
    print(f"point failed (exit {done.returncode}):\n{tail}", file=sys.stderr, flush=True)
    return {"error": f"exit {done.returncode}: {tail.splitlines()[-1] if tail else ''}"}


# ------------------------------------------------------- table 4: backends, replicas
BACKEND_POINTS = (("tensorflow", 1), ("tensorflow", 2), ("jax", 1), ("jax", 2))
FORCE_DEVICES = "--xla_force_host_platform_device_count"


def backend_env(backend, replicas):
    """The environment a table-4 point's process starts with (over this process's).

    `KERAS_BACKEND`, and `XLA_FLAGS`: this process's flags without any host device count,
    plus `--xla_force_host_platform_device_count=2` for two JAX devices. Both are read
    once, at import, so they are set before the process starts.
    """
    flags = [f for f in os.environ.get("XLA_FLAGS", "").split() if not f.startswith(FORCE_DEVICES)]
    if backend == "jax" and replicas > 1:
        flags.append(f"{FORCE_DEVICES}={replicas}")
    return {"KERAS_BACKEND": backend, "XLA_FLAGS": " ".join(flags), "TF_CPP_MIN_LOG_LEVEL": "2"}


def run_backend_point(point):
    """One table-4 point (in its own process): fit-graph, small discriminator.

    TensorFlow, 2 replicas: the CPU split into 2 logical devices (before anything else
    touches TensorFlow's devices) and `tf.distribute.MirroredStrategy` over them. JAX, 2
    devices: `keras.distribution.DataParallel` over `jax.devices()` (2 host devices, from
    `XLA_FLAGS`). The global batch is the same either way; each replica gets a half.
    """
    os.environ.update(point["env"])  # already set by the parent; for a direct call too
    backend, replicas = point["backend"], point["replicas"]
    scope = None
    if backend == "tensorflow":
        import tensorflow as tf

        if replicas > 1:
            cpu = tf.config.list_physical_devices("CPU")[0]
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration()] * replicas
            )
            strategy = tf.distribute.MirroredStrategy([f"/cpu:{i}" for i in range(replicas)])
            assert strategy.num_replicas_in_sync == replicas, strategy.num_replicas_in_sync
            scope, devices = strategy.scope(), list(strategy.extended.worker_devices)
        else:
            devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    else:
        import jax
        import keras

        devices = jax.devices()
        assert len(devices) == replicas, devices
        if replicas > 1:
            scope = keras.distribution.DataParallel(devices=devices).scope()
        devices = [str(d) for d in devices]
    import keras

    assert keras.backend.backend() == backend, (keras.backend.backend(), backend)
    size = {key: point[key] for key in SIZE_KEYS}
    real = np.load(point["real_path"])
    row = time_fit("fit-graph", size, "small", real, point["iterations"], point["warmup"],
                   point["rollout_chunk_size"], scope=scope)  # fmt: skip
    row.update(devices=devices, jit_compile=backend == "jax")
    row["peak_rss_mib"] = round(peak_rss_kib() / 1024, 1)
    return row


def backends_table(size, real, args):
    """Table 4: fit-graph, small discriminator, on each backend with 1 and 2 replicas."""
    import tempfile

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        real_path = os.path.join(folder, "real.npy")
        np.save(real_path, np.asarray(real[: 8 * size["batch_size"]]))  # the same everywhere
        for backend, replicas in BACKEND_POINTS:
            env = backend_env(backend, replicas)
            point = {**size, "backend": backend, "replicas": replicas, "env": env}
            point.update(iterations=args.iterations, warmup=args.warmup, real_path=real_path)
            point["rollout_chunk_size"] = args.rollout_chunk_size
            log(f"backends: {backend}, {replicas} replica(s): start")
            row = run_point_process(point, env=env)
            log(f"backends: {backend}, {replicas} replica(s): {row.get('median_ms', 'failed')} ms")
            rows.append({"backend": backend, "replicas": replicas, "env": env, **row})
    base = rows[0].get("median_ms")  # tensorflow, 1 replica
    for row in rows:
        median = row.get("median_ms")
        row["steps_per_s"] = round(1000 / median, 2) if median else None
        row["speed_vs_tf_1"] = round(base / median, 2) if base and median else None
        row["num_devices"] = len(row.get("devices", ())) or None
    return rows


# ------------------------------------------------------------- table 3: hot paths
def hot_paths(size, oracle, real, samples, all_rates, mle_repeats=3):
    """Seconds and floor of an MLE epoch, `generate(samples)` and NLL-oracle of them.

    The MLE epoch four ways: `Generator.compile`'s defaults (`TokenCrossEntropy`, the
    step compiled with XLA), the same loss in a graph-mode step (`jit_compile=False`: the
    default until 2026-12-05), Keras's `SparseCategoricalCrossentropy(from_logits=True)`
    in a graph-mode step (the default before 2026-12-05: the baseline), and the defaults
    with the generator in `mixed_bfloat16` (its floor at the bfloat16 rates where the CPU
    has them).
    """
    import keras

    import keras_seqgan as ks

    V, T = size["vocabulary_size"], size["sequence_length"]
    rates = all_rates["float32"]

    def floor(sequences, passes, embedding, hidden, rates=rates):
        """`passes` x (projection + LSTM) per token at the matmul rates, + V exp per token."""
        tokens, lstm = sequences * T, 2 * (embedding + hidden) * 4 * hidden
        return (
            passes * tokens * 2 * hidden * V / (rates["projection_gflops"] * 1e9)
            + passes * tokens * lstm / (rates["square_gflops"] * 1e9)
            + tokens * V / rates["exp_per_s"]
        )

    def timed(function, *args):
        start = time.perf_counter()
        result = function(*args)
        return time.perf_counter() - start, result

    data = real[:samples]
    log(
        f"hot paths: MLE epochs on {len(data)} sequences (1 warm-up, {mle_repeats} timed), "
        "generate, NLL-oracle"
    )
    bf16_rates = best_rates(all_rates, "bfloat16") if all_rates.get("bfloat16") else rates
    mle = (  # name, loss, dtype policy, rates of the floor, jit_compile
        ("mle_epoch", None, None, rates, "auto"),
        ("mle_epoch_graph", None, None, rates, False),
        ("mle_epoch_keras_loss", keras.losses.SparseCategoricalCrossentropy(from_logits=True),
         None, rates, False),
        ("mle_epoch_bf16", None, "mixed_bfloat16", bf16_rates, "auto"),
    )  # fmt: skip
    generators = []
    for _, loss, dtype, _, jit_compile in mle:
        policies = None if dtype is None else {"generator": dtype, "discriminator": "float32"}
        generator = build_models(size, "small", policies)[0]
        generator.compile(
            optimizer=keras.optimizers.Adam(1e-2, global_clipnorm=5.0),
            loss=loss,
            jit_compile=jit_compile,
        )
        generators.append(generator)

    def epoch(generator):
        dataset = ks.data.mle_dataset(data, batch_size=64, seed=4)
        return timed(lambda: generator.fit(dataset, epochs=1, shuffle=False, verbose=0))[0]

    for generator in generators:
        epoch(generator)  # traces; the timed epochs reuse the traces
    # Epochs of the four take turns, `mle_repeats` each (the preset's), and each one's
    # median is kept.
    times = [[] for _ in mle]
    for _ in range(mle_repeats):
        for generator, seconds in zip(generators, times, strict=True):
            seconds.append(epoch(generator))
    rows = [
        (name, float(np.median(seconds)), floor(len(data), 3, EMBEDDING, HIDDEN, path_rates),
         len(data))
        for (name, _, _, path_rates, _), seconds in zip(mle, times, strict=True)
    ]  # fmt: skip
    epochs_s = {
        name: [round(s, 2) for s in seconds] for (name, *_), seconds in zip(mle, times, strict=True)
    }
    generator = build_models(size, "small")[0]
    batch = min(samples, 1024)
    # Traces both calls `generate(samples)` makes: full batches and the last, shorter one.
    generator.generate(samples, seed=5, batch_size=batch)
    seconds, generated = timed(lambda: generator.generate(samples, seed=6, batch_size=batch))
    rows.append(("generate", seconds, floor(samples, 1, EMBEDDING, HIDDEN), samples))
    oracle.nll(generated[:250])  # traces (its batches are 250 rows)
    seconds, nll = timed(oracle.nll, generated)
    assert math.isfinite(nll), nll
    o_floor = floor(samples, 1, oracle.embedding_dim, oracle.hidden_dim)
    rows.append(("nll_oracle", seconds, o_floor, samples))
    keys = ("path", "seconds", "floor_s", "sequences")
    baseline = dict((row[0], row[1]) for row in rows)["mle_epoch_keras_loss"]
    return [
        dict(
            zip(keys, (name, round(s, 3), round(f, 4), n), strict=True),
            x_floor=round(s / f, 2),
            speedup_vs_keras_loss=round(baseline / s, 2) if name in epochs_s else None,
            **({"epochs_s": epochs_s[name]} if name in epochs_s else {}),
        )
        for name, s, f, n in rows
    ]


# ---------------------------------------------------------------------- printing
PRECISION_SHORT = {"float32": "f32", "bfloat16": "bf16"}


def precision_label(policies):
    """`"f32/bf16"`: the generator's and the discriminator's compute precision."""
    return "/".join(PRECISION_SHORT[precision(policies[n])] for n in NETWORKS)


def hardware_line(flags):
    """The CPU and its bfloat16 capability, for the header."""
    bf16 = ", ".join(flags) if flags else "none (bfloat16 rates not measured)"
    return f"machine: {os.cpu_count()} CPUs, {cpu_name()}; bfloat16 instructions: {bf16}"


def rates_line(name, rates, square, size):
    """One precision's measured rates, or why there are none."""
    if rates is None:
        return f"{name}: not measured (no bfloat16 instructions); bf16 rows use float32's"
    V, T, B, R = (size[key] for key in SIZE_KEYS)
    return (
        f"{name}: matmul {rates['square_gflops']:.3g} GFLOP/s ({square} square), "
        f"{rates['projection_gflops']:.3g} GFLOP/s ([{B * R * (T - 1)}, {HIDDEN}] x "
        f"[{HIDDEN}, {V}]); exp {rates['exp_per_s'] / 1e9:.3g} G elements/s"
    )


def target_rows(rows):
    """`TARGETS` beside the measured speed-ups, for each pair whose two variants ran."""
    medians = {(row["discriminator"], row["variant"]): row["median_ms"] for row in rows}
    result = []
    for variant, baseline, kind, target in TARGETS:
        if (kind, variant) not in medians or (kind, baseline) not in medians:
            continue
        speedup = medians[(kind, baseline)] / medians[(kind, variant)]
        met = speedup > 1.0 if target == 1.0 else speedup >= target
        wanted = "> 1x (faster)" if target == 1.0 else f">= {target:g}x"
        name = f"{variant} vs {baseline}" + (" (float32)" if baseline == "naive" else "")
        result.append(
            {"target": name, "variant": variant, "baseline": baseline, "discriminator": kind,
             "speedup": round(speedup, 2), "target_speedup": target, "wanted": wanted,
             "status": "met" if met else "not met"}
        )  # fmt: skip
    return result


HEADERS = {"median_ms": "median ms", "min_ms": "min", "max_ms": "max", "compile_s": "compile s",
           "speedup_vs_naive": "speed-up vs naive", "x_floor": "x floor", "floor_ms": "floor ms",
           "peak_rss_mib": "peak MiB", "floor_s": "floor s", "steps_per_s": "steps/s",
           "speed_vs_tf_1": "speed vs tf x1", "precision": "G/D",
           "speedup": "speed-up"}  # fmt: skip


def print_table(title, keys, rows):
    """Aligned columns: the first left-aligned, the others right-aligned."""
    cells = [[HEADERS.get(key, key) for key in keys]] + [
        [fmt(r.get(k)) for k in keys] for r in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(keys))]
    print(f"\n{title}")
    for line in cells:
        padded = [line[0].ljust(widths[0])]
        padded += [c.rjust(w) for c, w in zip(line[1:], widths[1:], strict=True)]
        print("  ".join(padded))


def fmt(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


# -------------------------------------------------------------------------- main
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="paper", choices=sorted(PRESETS))
    parser.add_argument("--discriminators", default="paper,small", help="comma list")
    parser.add_argument(
        "--variants",
        default="all",
        help=f"comma list, or one of {sorted(VARIANT_SETS)} ('targets': the issue's table)",
    )
    parser.add_argument("--iterations", type=int, default=None, help="default: preset's (10)")
    parser.add_argument("--warmup", type=int, default=None, help="default: preset's (2)")
    parser.add_argument("--scaling", action="store_true", help="also run table 2")
    parser.add_argument("--scaling-iterations", type=int, default=5)
    parser.add_argument("--backends", action="store_true", help="also run table 4")
    parser.add_argument("--rollout-chunk-size", type=int, default=None)
    parser.add_argument("--output", default=None, help="default: results/speed_<preset>.json")
    parser.add_argument("--_point", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.variants in VARIANT_SETS:
        args.variants = ",".join(VARIANT_SETS[args.variants])
    for name, values, known in (
        ("--variants", args.variants, VARIANTS),
        ("--discriminators", args.discriminators, ("paper", "small")),
    ):
        unknown = [v for v in values.split(",") if v and v not in known]
        if unknown:
            parser.error(f"{name}: unknown {unknown}; expected some of {list(known)}")
    preset = PRESETS[args.preset]
    args.iterations = preset["iterations"] if args.iterations is None else args.iterations
    args.warmup = preset["warmup"] if args.warmup is None else args.warmup
    if args.iterations < 1 or args.warmup < 1 or args.scaling_iterations < 1:
        parser.error("--iterations, --warmup and --scaling-iterations must be >= 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args._point is not None:
        point = json.loads(args._point)
        run = run_backend_point if "backend" in point else run_point
        print("POINT " + json.dumps(run(point)), flush=True)
        return None
    preset = PRESETS[args.preset]
    size = {key: preset[key] for key in SIZE_KEYS}
    V, T, B, R = (size[key] for key in SIZE_KEYS)
    flags = cpu_bfloat16()
    log(f"preset {args.preset}: V={V} T={T} B={B} R={R}; measuring the floor rates")
    if not flags:
        log("no bfloat16 instructions in /proc/cpuinfo: bfloat16 rates not measured")
    all_rates = measure_all_rates(size, preset["square"], flags)
    rates = all_rates["float32"]
    oracle, real = real_data(size, preset["samples"])

    rows, costs, floors = [], {}, {}
    for kind in args.discriminators.split(","):
        _, discriminator = build_models(size, kind)
        cost = costs[kind] = iteration_cost(V, T, B, R, EMBEDDING, HIDDEN, discriminator)
        floors[kind] = {
            name: round(1000 * row_floor(cost, policies, all_rates)[0], 1)
            for name, policies in FLOOR_PRECISIONS.items()
        }
        for variant in filter(None, args.variants.split(",")):
            log(f"{kind} discriminator, {variant}: start")
            row = time_variant(
                variant, size, kind, real, args.iterations, args.warmup, args.rollout_chunk_size
            )
            seconds, used = row_floor(cost, row["dtype_policies"], all_rates)
            row.update(discriminator=kind, variant=variant, floor_ms=round(1000 * seconds, 1))
            row["floor_precisions"] = used
            row["x_floor"] = round(row["median_ms"] / row["floor_ms"], 2)
            rows.append(row)
            log(f"{kind} discriminator, {variant}: {row['median_ms']} ms median")
    for row in rows:
        naive = [r for r in rows if r["discriminator"] == row["discriminator"]]
        naive = [r["median_ms"] for r in naive if r["variant"] == "naive"]
        row["speedup_vs_naive"] = round(naive[0] / row["median_ms"], 2) if naive else None
        row["precision"] = precision_label(row["dtype_policies"])
    targets = target_rows(rows)

    scaling = scaling_table(size, preset["scaling"], args, rates) if args.scaling else None
    backends = backends_table(size, real, args) if args.backends else None
    log("hot paths: start")
    paths = hot_paths(size, oracle, real, preset["samples"], all_rates, preset["mle_repeats"])

    print(f"\n{hardware_line(flags)}")
    for name, measured in all_rates.items():
        print(rates_line(name, measured, preset["square"], size))
    columns = ["variant", "precision", "median_ms", "min_ms", "max_ms", "compile_s",
               "speedup_vs_naive", "floor_ms", "x_floor"]  # fmt: skip
    for kind, cost in costs.items():
        kind_rows = [r for r in rows if r["discriminator"] == kind]
        if not kind_rows:  # --variants none
            continue
        kind_floors = ", ".join(f"{ms:.1f} ms {name}" for name, ms in floors[kind].items())
        print_table(
            f"Table 1, {kind} discriminator: V={V} T={T} B={B} R={R}, {args.iterations} "
            f"iterations after {args.warmup}; floor {kind_floors} "
            f"({cost['flops'] / 1e9:.1f} GFLOP, {cost['exp_elements'] / 1e9:.3f} G exp)",
            columns,
            kind_rows,
        )
    if scaling:
        print_table(
            f"Table 2, fit-graph, small discriminator, one axis varied ({args.scaling_iterations}"
            f" iterations after 1; rollout_chunk_size={args.rollout_chunk_size})",
            [
                "axis",
                "value",
                "median_ms",
                "min_ms",
                "max_ms",
                "floor_ms",
                "x_floor",
                "peak_rss_mib",
            ],
            scaling,
        )
    print_table(
        f"Table 3, other hot paths (V={V} T={T})",
        ["path", "sequences", "seconds", "floor_s", "x_floor", "speedup_vs_keras_loss"],
        paths,
    )
    if backends:
        print_table(
            f"Table 4, fit-graph, small discriminator, backends and replicas: V={V} T={T} "
            f"B={B} (global) R={R}, {args.iterations} iterations after {args.warmup}",
            ["backend", "replicas", "median_ms", "min_ms", "max_ms", "compile_s",
             "steps_per_s", "speed_vs_tf_1"],
            backends,
        )  # fmt: skip
    if targets:
        print_table(
            "Targets (issue 22): speed-up = the baseline's median over the variant's",
            ["target", "discriminator", "speedup", "wanted", "status"],
            targets,
        )
    record = {
        "benchmark": "speed",
        **machine_record(rates["square_gflops"] if preset["square"] == 4096 else None),
        "command": command_line(__file__, argv),
        "config": {**vars(args), **size, "samples": preset["samples"], "data": "OracleLSTM"},
        "rates": {**{k: round(v, 3) for k, v in rates.items()}, "square": preset["square"]},
        # `None` where the CPU has no bfloat16 instructions (machine.cpu_bfloat16 empty).
        "rates_bfloat16": None
        if all_rates["bfloat16"] is None
        else {k: round(v, 3) for k, v in all_rates["bfloat16"].items()},
        "iteration_cost": costs,
        "floors_ms": floors,
        "variants": rows,
        "targets": targets,
        "scaling": scaling,
        "hot_paths": paths,
        "backends": backends,
    }
    record["config"].pop("_point")
    output = args.output or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "results", f"speed_{args.preset}.json"
    )
    write_json(output, record)
    print(f"wrote {output}")
    return record


if __name__ == "__main__":
    main()
