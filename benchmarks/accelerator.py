"""SeqGAN's hot paths at the paper's sizes on whatever device Keras sees, in one command.

Meant for a GPU (`KERAS_BACKEND=jax` is the likely path; on JAX this script imports no
TensorFlow itself), it runs on a CPU too. At the SeqGAN paper's sizes (vocabulary
5,000, length 20, batch 64, 16 rollouts, the paper's discriminator: `speed.py`'s
`paper` models), in each precision asked for (`float32`, and `bfloat16`: the Keras
dtype policy `mixed_bfloat16`, set globally while its models are built and run):

- `xla_iteration`: one adversarial iteration of `SeqGAN.fit` with the whole train step
  compiled with XLA (`jit_compile=True`): `speed.py`'s `fit-xla` (`speed.time_fit`).
- `naive_iteration`: the same iteration as a notebook's Python loop on the same device:
  `speed.py`'s `naive` variant (`speed.time_python_loop`). On TensorFlow that is
  `speed.PythonLoop` itself; on JAX, `JaxPythonLoop` below makes the same calls (per
  rollout and per prefix length one compiled completion and one compiled discriminator
  call, each read back to NumPy; rewards in NumPy; compiled G update, rollout copy
  update and D update; losses read back), each compiled with `jax.jit`.
  `speedup_vs_naive` is the naive median over the XLA median.
- `mle_epoch`: one epoch of `Generator.fit` on 10,000 sequences in batches of 64
  (`keras_seqgan.data.mle_dataset`; the generator compiled with its defaults).
- `generate`: `Generator.generate(10_000)` (its default batches of 1,024).
- `matmul`: a 4,096-square matmul in the precision's compute dtype (`keras.ops`), a
  measure of the device's speed in this run (`tflops`).

Iterations: the median (and min, max) of `iterations` after `warmup` (the first with
tracing and compilation, reported as `compile_s`); the other rows: the median of
`repeats` calls after a first one, whose time (compilation included) is `compile_s`;
a row's `iterations` is the number of timed iterations or calls.
Real data are samples of `OracleLSTM(V, T, seed=66)` (`speed.real_data`); every model
starts from the same weights (`speed.build_models`).

Prints a table and the issue's targets (the XLA iteration at least 10x faster than the
naive loop on the same device; at most 100 ms per float32 iteration on an H100/H200-class
GPU, 30 ms in bfloat16 as a stretch) beside what was measured, and the whole run's
time (the paper preset's budget on a GPU: 6 minutes, compilation included). Writes a
JSON record (date, machine, backend, device, the command, every figure) to `--output`
(default: `results/accelerator_<preset>_<backend>.json`).

    KERAS_BACKEND=jax python benchmarks/accelerator.py           # paper sizes, on the GPU
    python benchmarks/accelerator.py --preset small              # tiny sizes: checks it runs
    python benchmarks/accelerator.py --precisions float32 --skip naive,generate
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import speed  # noqa: E402
from _machine import (  # noqa: E402
    comma_names,
    command_line,
    cpu_bfloat16,
    cpu_name,
    machine_record,
    write_json,
)

PRECISIONS = {"float32": "float32", "bfloat16": "mixed_bfloat16"}  # name: Keras dtype policy
MEASUREMENTS = ("xla", "naive", "mle", "generate", "matmul")  # what --skip can leave out
PRESETS = {
    "paper": dict(
        **{key: speed.PRESETS["paper"][key] for key in speed.SIZE_KEYS},
        iterations=10, warmup=2, naive_iterations=3, naive_warmup=1,
        mle_rows=10_000, samples=10_000, repeats=3, matmul=4096, budget_s=360,
    ),
    "small": dict(
        **{key: speed.PRESETS["smoke"][key] for key in speed.SIZE_KEYS},
        iterations=3, warmup=1, naive_iterations=2, naive_warmup=1,
        mle_rows=256, samples=256, repeats=2, matmul=256, budget_s=None,
    ),
}  # fmt: skip
MLE_BATCH_SIZE = 64
SPEEDUP_TARGET = 10.0  # the XLA iteration over the naive loop, on the same device
ITERATION_TARGETS_MS = {"float32": 100.0, "bfloat16": 30.0}  # H100/H200-class GPU; bf16 stretch


def log(message):
    print(f"[accelerator {time.strftime('%H:%M:%S')}] {message}", flush=True)


@contextlib.contextmanager
def dtype_policy(name):
    """Keras's global dtype policy set to `name` inside the block, restored after it."""
    import keras

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(name)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


# ------------------------------------------------------------------------ device
def device_record() -> dict:
    """The device Keras computes on: platform (`gpu`, `cpu`, ...), name and details.

    JAX: `jax.devices()[0]` (its `device_kind`, e.g. "NVIDIA H200"). TensorFlow: the first
    of `tf.config.list_physical_devices("GPU")` with
    `tf.config.experimental.get_device_details`, else the CPU.
    """
    import keras

    if keras.backend.backend() == "jax":
        import jax

        devices = jax.devices()
        device = devices[0]
        name = cpu_name() if device.platform == "cpu" else device.device_kind
        return {
            "platform": device.platform,
            "name": name,
            "device_kind": device.device_kind,
            "count": len(devices),
            "jax": jax.__version__,
        }
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        return {
            "platform": "gpu",
            "name": details.get("device_name", gpus[0].name),
            "details": {key: str(value) for key, value in details.items()},
            "count": len(gpus),
        }
    return {"platform": "cpu", "name": cpu_name(), "count": 1}


def machine() -> dict:
    """`_machine.machine_record()` (date, machine, versions), without TensorFlow on JAX.

    `machine_record` imports TensorFlow (for its GPU list); on JAX, where TensorFlow may
    be missing or not imported, the same fields come from `_machine`'s helpers, the GPUs
    from JAX.
    """
    import keras

    if keras.backend.backend() == "tensorflow" or sys.modules.get("tensorflow") is not None:
        return machine_record()
    import datetime
    import platform

    import jax

    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "processor": cpu_name(),
            "gpus": [str(device) for device in jax.devices() if device.platform == "gpu"],
            "cpu_bfloat16": cpu_bfloat16(),
        },
        "versions": {
            "python": sys.version.split()[0],
            "keras": keras.__version__,
            "jax": jax.__version__,
        },
    }


def device_peak_memory_mib() -> float | None:
    """The device's peak allocated memory so far, MiB, where the backend reports it."""
    import keras

    try:
        if keras.backend.backend() == "jax":
            import jax

            stats = jax.devices()[0].memory_stats() or {}
            peak = stats.get("peak_bytes_in_use")
        else:
            import tensorflow as tf

            if not tf.config.list_physical_devices("GPU"):
                return None
            peak = tf.config.experimental.get_memory_info("GPU:0")["peak"]
    except (RuntimeError, ValueError):
        return None
    return None if peak is None else round(peak / 2**20, 1)


# --------------------------------------------------------- naive loop, on JAX
class JaxPythonLoop(speed.PythonLoop):
    """`speed.PythonLoop`'s `naive` loop on JAX: the same calls, each compiled with `jax.jit`.

    Per rollout and per prefix length one compiled completion (the rollout LSTM over the
    prefix, then `keras.random.categorical`: JAX's Gumbel-max draws one random number per
    logit, as `tf.random.categorical` does) and one compiled discriminator call, each read
    back to NumPy; rewards in NumPy (`speed.PythonLoop.rewards`); then a compiled G
    update, rollout copy update and D update, and both losses read back
    (`speed.PythonLoop.iteration`). Each compiled call threads the Keras variables it
    reads or writes (`keras_seqgan.backend.compile_function`). The gradient clip (5.0) is
    the optimizers' `global_clipnorm`: the same as `tf.clip_by_global_norm` before them.
    Only `naive` (`read_back=True`): `seed-fix` stays TensorFlow's.
    """

    def __init__(self, generator, discriminator, num_rollouts, read_back):
        from keras import ops

        from keras_seqgan import backend

        if not read_back:
            raise ValueError(f"JaxPythonLoop runs `naive` only (read_back=True); got {read_back}")
        self._networks(
            generator, discriminator, num_rollouts, read_back, None, {"global_clipnorm": 5.0}
        )
        compiled = backend.compile_function
        seed = [self.seed.state]
        sample = compiled(
            lambda batch_size: generator.sample(batch_size, seed=self.seed),
            state=[*generator.variables, *seed],
        )
        self.sample = lambda batch: sample(batch_size=int(batch))  # a keyword: static
        self.score = compiled(
            lambda x: ops.sigmoid(discriminator(x, training=False))[:, 0],
            state=discriminator.variables,
        )
        self.complete = {
            t: compiled(self._completion(t), state=[*self.rollout.variables, *seed])
            for t in range(1, self.T)
        }
        self.g_update = compiled(
            self._g_update, state=[*generator.variables, *self.g_opt.variables]
        )
        self.d_update = compiled(
            self._d_update, state=[*discriminator.variables, *self.d_opt.variables]
        )
        self.update_rollout = compiled(
            self._update_rollout, state=[*self.rollout.variables, *generator.variables]
        )
        self.last_rewards = None

    def _draw(self, logits):
        """One token per row with `keras.random.categorical` (JAX's Gumbel-max)."""
        import keras
        from keras import ops

        logits = ops.cast(logits, "float32")
        return ops.cast(keras.random.categorical(logits, 1, seed=self.seed)[:, 0], "int32")

    def _g_update(self, tokens, rewards):
        from keras import ops

        from keras_seqgan import backend

        variables = self.g.trainable_variables

        def loss():
            return -ops.mean(self.g.log_prob(tokens) * rewards), None

        value, _, gradients = backend.value_and_gradients(loss, variables, state=self.g.variables)
        self.g_opt.apply(gradients, variables)
        return value

    def _d_update(self, real, fake):
        from keras import ops

        from keras_seqgan import backend

        variables = self.d.trainable_variables

        def loss():
            real_logits, fake_logits = self.d(real, training=True), self.d(fake, training=True)
            real_loss = ops.binary_crossentropy(ops.ones_like(real_logits), real_logits, True)
            fake_loss = ops.binary_crossentropy(ops.zeros_like(fake_logits), fake_logits, True)
            return 0.5 * (ops.mean(real_loss) + ops.mean(fake_loss)), None

        value, _, gradients = backend.value_and_gradients(loss, variables, state=self.d.variables)
        self.d_opt.apply(gradients, variables)
        return value


def naive_loop_class():
    """The loop behind `naive` on this backend: `speed.PythonLoop`, or `JaxPythonLoop`."""
    import keras

    return JaxPythonLoop if keras.backend.backend() == "jax" else speed.PythonLoop


# ---------------------------------------------------------------- measurements
def time_calls(function, repeats):
    """A first call (compilation included: `compile_s`), then `repeats` timed calls."""
    start = time.perf_counter()
    function()
    first = time.perf_counter() - start
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        seconds.append(time.perf_counter() - start)
    return speed.summarize([first, *seconds], warmup=1)


def time_matmul(n, dtype, repeats):
    """An `n`-square matmul in `dtype` on the device (`keras.ops`); its rate, `tflops`."""
    import keras
    from keras import ops

    a = ops.cast(keras.random.normal((n, n), seed=0), dtype)

    def run():
        return float(ops.sum(ops.cast(ops.matmul(a, a)[:1, :1], "float32")))

    row = time_calls(run, max(repeats, 5))
    row["tflops"] = round(2 * n**3 / (row["min_ms"] / 1000) / 1e12, 3)
    return row


def generator_rows(size, real, preset, skip):
    """`mle_epoch` and `generate` rows, on one generator (MLE-trained, if timed, first)."""
    import keras

    import keras_seqgan as ks

    generator, _ = speed.build_models(size, "paper")
    generator.compile(optimizer=keras.optimizers.Adam(1e-2, global_clipnorm=5.0))
    rows = []
    if "mle" not in skip:
        data = real[: preset["mle_rows"]]
        dataset = ks.data.mle_dataset(data, batch_size=MLE_BATCH_SIZE, seed=4)

        def epoch():
            history = generator.fit(dataset, epochs=1, shuffle=False, verbose=0)
            assert np.isfinite(history.history["loss"][-1]), history.history

        log(f"mle_epoch: {len(data)} sequences, batches of {MLE_BATCH_SIZE}")
        row = time_calls(epoch, preset["repeats"])
        rows.append({"measurement": "mle_epoch", "sequences": len(data), **row})
    if "generate" not in skip:
        samples = preset["samples"]

        def generate():
            tokens = generator.generate(samples, seed=6)
            assert tokens.shape == (samples, size["sequence_length"]), tokens.shape

        log(f"generate: {samples} sequences")
        row = time_calls(generate, preset["repeats"])
        rows.append({"measurement": "generate", "sequences": samples, **row})
    return rows


def precision_rows(precision, size, real, preset, skip, naive_precisions=("float32",)):
    """Every measurement not in `skip`, in `precision`, as rows (iterations first); the
    naive loop only in `naive_precisions`."""
    rows = []
    if "matmul" not in skip:
        n = preset["matmul"]
        dtype = "bfloat16" if precision == "bfloat16" else "float32"
        log(f"{precision}: matmul {n}x{n} ({dtype})")
        rows.append(
            {"measurement": "matmul", "size": n, **time_matmul(n, dtype, preset["repeats"])}
        )
    if "xla" not in skip:
        log(f"{precision}: xla_iteration ({preset['iterations']} after {preset['warmup']})")
        row = speed.time_fit(
            "fit-xla", size, "paper", real, preset["iterations"], preset["warmup"], None
        )
        rows.append({"measurement": "xla_iteration", **row})
    if "naive" not in skip and precision in naive_precisions:
        iterations, warmup = preset["naive_iterations"], preset["naive_warmup"]
        log(f"{precision}: naive_iteration ({iterations} after {warmup})")
        row = speed.time_python_loop(
            "naive", size, "paper", real, iterations, warmup, loop_class=naive_loop_class()
        )
        rows.append({"measurement": "naive_iteration", **row})
    rows += generator_rows(size, real, preset, skip)
    return [{"precision": precision, **row} for row in rows]


def speedups(rows):
    """Sets `speedup_vs_naive` (naive median / XLA median) on each precision's XLA row,
    against the naive loop of the same precision, else of float32 (`naive_precision`)."""
    naive = {r["precision"]: r["median_ms"] for r in rows if r["measurement"] == "naive_iteration"}
    for row in rows:
        if row["measurement"] != "xla_iteration":
            continue
        against = row["precision"] if row["precision"] in naive else "float32"
        if against in naive:
            row["speedup_vs_naive"] = round(naive[against] / row["median_ms"], 2)
            row["naive_precision"] = against
        else:
            row["speedup_vs_naive"] = None


def targets(rows, device):
    """The issue's targets beside what was measured (`met` is `None` where not measured)."""
    xla = {r["precision"]: r for r in rows if r["measurement"] == "xla_iteration"}
    result = []
    for precision, row in xla.items():
        value = row.get("speedup_vs_naive")
        result.append(
            {"target": f"{precision}: XLA iteration >= {SPEEDUP_TARGET:g}x faster than naive",
             "value": value, "met": None if value is None else value >= SPEEDUP_TARGET}
        )  # fmt: skip
        limit = ITERATION_TARGETS_MS[precision]
        what = "stretch, " if precision == "bfloat16" else ""
        result.append(
            {"target": f"{precision}: <= {limit:g} ms per iteration ({what}H100/H200-class GPU)",
             "value": row["median_ms"], "met": row["median_ms"] <= limit,
             "device_applies": device["platform"] == "gpu"}
        )  # fmt: skip
    return result


# -------------------------------------------------------------------------- main
def make_record(args, argv, preset, backend, device, rows, run_start, complete):
    """The JSON record: machine, backend, device, command, configuration, every figure."""
    return {
        "benchmark": "accelerator",
        **machine(),
        "backend": backend,
        "device": {**device, "peak_memory_mib": device_peak_memory_mib()},
        "command": command_line(__file__, argv),
        "config": {
            "preset": args.preset,
            **preset,
            "precisions": args.precisions,
            "dtype_policies": {p: PRECISIONS[p] for p in args.precisions},
            "skip": args.skip,
            "naive_precisions": args.naive_precisions,
            "discriminator": "paper",
            "mle_batch_size": MLE_BATCH_SIZE,
            "data": "OracleLSTM",
            "xla_flags": os.environ.get("XLA_FLAGS", ""),
        },
        "results": rows,
        "targets": targets(rows, device),
        "complete": complete,
        "total_s": round(time.perf_counter() - run_start, 1),
    }


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="paper", choices=sorted(PRESETS))
    parser.add_argument(
        "--precisions", default=",".join(PRECISIONS), help="comma list: float32,bfloat16"
    )
    parser.add_argument(
        "--skip", default="", help=f"comma list of measurements to leave out: {MEASUREMENTS}"
    )
    parser.add_argument(
        "--naive-precisions",
        default="float32",
        help="comma list: the precisions the naive loop runs in (it compiles one function "
        "per rollout prefix: in bfloat16 too, a paper-size run passes 6 minutes on a GPU)",
    )
    parser.add_argument(
        "--output", default=None, help="default: results/accelerator_<preset>_<backend>.json"
    )
    args = parser.parse_args(argv)
    args.precisions = comma_names(parser, "--precisions", args.precisions, PRECISIONS)
    args.skip = comma_names(parser, "--skip", args.skip, MEASUREMENTS)
    args.naive_precisions = comma_names(
        parser, "--naive-precisions", args.naive_precisions, PRECISIONS
    )
    if not args.precisions:
        parser.error("--precisions: name at least one of float32, bfloat16")
    return args


def main(argv=None):
    args = parse_args(argv)
    run_start = time.perf_counter()
    import keras

    backend = keras.backend.backend()
    preset = PRESETS[args.preset]
    size = {key: preset[key] for key in speed.SIZE_KEYS}
    device = device_record()
    V, T, B, R = (size[key] for key in speed.SIZE_KEYS)
    budget = f"; budget on a GPU: {preset['budget_s']} s" if preset["budget_s"] else ""
    log(
        f"backend {backend}, device {device['name']} ({device['platform']}); preset "
        f"{args.preset}: V={V} T={T} B={B} R={R}, paper discriminator; precisions "
        f"{','.join(args.precisions)}{budget}"
    )
    output = args.output or os.path.join(
        os.path.dirname(os.path.abspath(__file__)),
        "results",
        f"accelerator_{args.preset}_{backend}.json",
    )
    _, real = speed.real_data(size, max(preset["mle_rows"], preset["samples"]))
    rows = []
    for precision in args.precisions:
        with dtype_policy(PRECISIONS[precision]):
            rows += precision_rows(precision, size, real, preset, args.skip, args.naive_precisions)
        log(f"{precision}: done, {time.perf_counter() - run_start:.0f} s since the start")
        speedups(rows)
        # Written after each precision, so that a run stopped short keeps what it measured.
        done = precision == args.precisions[-1]
        record = make_record(args, argv, preset, backend, device, rows, run_start, done)
        write_json(output, record)
    total = record["total_s"]

    speed.print_table(
        f"{backend} on {device['name']} ({device['platform']}): V={V} T={T} B={B} R={R}, "
        f"paper discriminator (iterations: median of {preset['iterations']} XLA, "
        f"{preset['naive_iterations']} naive; others: of {preset['repeats']})",
        ["precision", "measurement", "median_ms", "min_ms", "max_ms", "compile_s",
         "speedup_vs_naive", "tflops"],
        rows,
    )  # fmt: skip
    if record["targets"]:
        print("\ntargets (issue 29; the ms ones for an H100/H200-class GPU):")
        for goal in record["targets"]:
            verdict = {True: "met", False: "not met", None: "not measured"}[goal["met"]]
            if not goal.get("device_applies", True):
                verdict = f"a GPU's target; this device: {device['platform']}"
            print(f"  {goal['target']}: {speed.fmt(goal['value'])} ({verdict})")
    if preset["budget_s"] is None:
        print(f"\ntotal {total:.0f} s")
    else:
        over = ", over it" if total > preset["budget_s"] else ""
        print(f"\ntotal {total:.0f} s (budget on a GPU: {preset['budget_s']} s{over})")
    print(f"wrote {output}")
    return record


if __name__ == "__main__":
    main()
