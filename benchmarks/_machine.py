"""What every benchmark records about the machine, an atomic JSON writer, the small
helpers for their command lines (`--set` overrides, comma-separated names), and `endless`
(a training dataset repeated, with or without TensorFlow)."""

from __future__ import annotations

import datetime
import json
import os
import platform
import sys
import time


def matmul_gflops(size: int = 4096, repeats: int = 3) -> float:
    """This machine's float32 matmul speed through TensorFlow, right now."""
    import tensorflow as tf

    a = tf.random.normal((size, size))
    matmul = tf.function(lambda a: a @ a)
    matmul(a).numpy()
    start = time.perf_counter()
    for _ in range(repeats):
        result = matmul(a)
    result.numpy()
    return 2 * size**3 * repeats / (time.perf_counter() - start) / 1e9


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def cpu_bfloat16() -> list[str]:
    """The CPU's bfloat16 instruction sets named in /proc/cpuinfo (Linux; else `[]`)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            flags = next(
                (line.split(":", 1)[1].split() for line in handle if line.startswith("flags")), []
            )
    except OSError:
        return []
    return sorted(flag for flag in set(flags) if flag in ("avx512_bf16", "amx_bf16"))


def machine_record(gflops: float | None = None) -> dict:
    """The machine and versions; `gflops` is the measured matmul rate, if measured.

    Without TensorFlow (JAX alone), the GPUs are JAX's and TensorFlow's version is `None`.
    """
    import importlib.util

    import keras

    tf = None
    if importlib.util.find_spec("tensorflow") is not None:
        import tensorflow as tf
    jax = None
    if importlib.util.find_spec("jax") is not None and (
        tf is None or keras.backend.backend() == "jax"
    ):
        import jax
    if tf is not None:
        gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    else:
        gpus = [str(d) for d in jax.devices() if d.platform == "gpu"] if jax else []
    machine = {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "processor": cpu_name(),
        "gpus": gpus,
        # bfloat16 instructions (oneDNN uses them for mixed_bfloat16): AVX512-BF16 or AMX.
        "cpu_bfloat16": cpu_bfloat16(),
    }
    if gflops is not None:
        # Machines of one kind differ several-fold; this makes figures comparable.
        machine["tf_matmul_gflops_4096"] = round(gflops, 1)
    versions = {
        "python": sys.version.split()[0],
        "tensorflow": tf.__version__ if tf is not None else None,
        "keras": keras.__version__,
    }
    if jax is not None:
        versions["jax"] = jax.__version__
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine,
        "versions": versions,
    }


def endless(dataset, real, batch_size, seed, **kwargs):
    """`dataset` repeated: `tf.data`'s `repeat()` (the committed runs' order), or, without
    TensorFlow, the package's own endless stream (`repeat=True`; another order)."""
    import keras_seqgan as ks

    if hasattr(dataset, "repeat"):
        return dataset.repeat()
    return ks.data.sequence_dataset(real, batch_size=batch_size, seed=seed, repeat=True, **kwargs)


def command_line(script: str, argv: list[str] | None) -> str:
    return "python " + " ".join(
        [os.path.relpath(script)] + list(sys.argv[1:] if argv is None else argv)
    )


def commands_so_far(path: str, command: str) -> list[str]:
    """The `commands` of the record at `path` (none if it does not exist), then `command`:
    a results file that several runs added to keeps every command behind it."""
    earlier = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            earlier = json.load(handle).get("commands", [])
    return [*earlier, command]


def write_json(path: str, record: dict) -> None:
    from keras_seqgan.saving import write_text

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    write_text(path, json.dumps(record, indent=2) + "\n")


def apply_overrides(config: dict, items) -> None:
    """Applies `--set KEY=VALUE` items (VALUE as JSON) to a preset, or exits naming the item."""
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or key not in config:
            raise SystemExit(f"--set {item!r}: expected KEY=VALUE with KEY one of {sorted(config)}")
        try:
            config[key] = json.loads(value)
        except json.JSONDecodeError as error:
            raise SystemExit(f"--set {item!r}: VALUE is not JSON ({error})") from None


def comma_names(parser, flag: str, text: str, choices) -> list[str]:
    """The comma-separated names in `text`, each one of `choices`; otherwise the parser
    exits with an error naming `flag`, the unknown names and the choices."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in choices]
    if unknown:
        parser.error(f"{flag}: unknown {unknown}; choose from {list(choices)}")
    return names
