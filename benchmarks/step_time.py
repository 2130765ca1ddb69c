"""Time per adversarial step of `SeqGAN.fit` at the SeqGAN paper's sizes.

One step = one discriminator update on `batch` real + `batch` fake sequences and one
generator update with `num_rollouts` Monte-Carlo rollouts for every prefix. Prints a
table (median and min over measured steps, per mode) and writes a JSON record under
`benchmarks/results/`.

    python benchmarks/step_time.py                       # paper sizes, graph and XLA
    python benchmarks/step_time.py --steps 3 --modes graph --discriminator small
    python benchmarks/step_time.py --modes graph --dtype-policies float32,mixed_bfloat16
    python benchmarks/step_time.py --dtype-policies float32,float32:mixed_bfloat16
    python benchmarks/step_time.py --modes graph --shared-prefix on,off
    python benchmarks/step_time.py --modes graph,xla --runs reinforce:64,dense:64,dense:512

`--runs OBJECTIVE:BATCH,...` times several objectives and batch sizes side by side in one
process (`dense` with a `PrefixDiscriminator` of its defaults, no rollouts).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _machine import command_line, machine_record, matmul_gflops, write_json  # noqa: E402


def build(args, mode, policy, shared, objective):
    import keras

    import keras_seqgan as ks

    # "G:D" gives the generator and the discriminator policies of their own.
    generator_policy, _, discriminator_policy = policy.partition(":")
    size = dict(vocabulary_size=args.vocabulary_size, sequence_length=args.sequence_length)
    generator = ks.models.Generator(
        **size, embedding_dim=32, hidden_dim=32, seed=1, dtype=generator_policy
    )
    size["dtype"] = discriminator_policy or generator_policy
    if objective == "dense":
        discriminator = ks.models.PrefixDiscriminator(**size, seed=3)
    elif args.discriminator == "paper":
        discriminator = ks.models.Discriminator(**size)
    else:
        discriminator = ks.models.Discriminator(
            **size, filter_sizes=(2, 3, 4, 5), num_filters=(64, 64, 64, 64)
        )
    gan = ks.SeqGAN(
        generator,
        discriminator,
        objective=objective,
        num_rollouts=args.num_rollouts if objective == "reinforce" else None,
        seed=2,
    )
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-2),
        discriminator_optimizer=keras.optimizers.Adam(1e-4),
        jit_compile=mode == "xla",
        rollout_jit_compile=mode == "graph+xla-rollouts",
        rollout_shared_prefix=shared == "on",
    )
    return gan


def time_mode(args, mode, policy, shared, objective, batch_size):
    import tensorflow as tf

    gan = build(args, mode, policy, shared, objective)
    rng = np.random.default_rng(0)
    real = rng.integers(0, args.vocabulary_size, (batch_size, args.sequence_length))
    batch = tf.constant(real.astype("int32"))
    start = time.perf_counter()
    gan.train_on_batch(batch)  # traces and compiles
    first = time.perf_counter() - start
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        logs = gan.train_on_batch(batch, return_dict=True)
        times.append(time.perf_counter() - start)
    assert np.isfinite(logs["g_loss"]), logs
    return {
        "objective": objective,
        "batch_size": batch_size,
        "mode": mode,
        "dtype_policy": policy,
        "shared_prefix": shared,
        "first_step_s": round(first, 2),
        "median_ms": round(1000 * float(np.median(times)), 1),
        "min_ms": round(1000 * float(np.min(times)), 1),
        "steps": args.steps,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vocabulary-size", type=int, default=5000)
    parser.add_argument("--sequence-length", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--num-rollouts", type=int, default=16)
    parser.add_argument(
        "--objective", default="reinforce", choices=["reinforce", "gumbel", "dense"]
    )
    parser.add_argument("--discriminator", default="paper", choices=["paper", "small"])
    parser.add_argument("--steps", type=int, default=5, help="measured steps per mode")
    parser.add_argument(
        "--modes", default="graph,xla", help="comma-separated: graph, xla, graph+xla-rollouts"
    )
    parser.add_argument(
        "--dtype-policies",
        default="float32",
        help=(
            "comma-separated Keras dtype policies of the networks, e.g. "
            "float32,mixed_bfloat16; G:D gives each its own, e.g. float32:mixed_bfloat16"
        ),
    )
    parser.add_argument(
        "--shared-prefix",
        default="on",
        help="comma-separated on/off: SeqGAN.compile(rollout_shared_prefix=...)",
    )
    parser.add_argument(
        "--runs",
        default=None,
        help="comma-separated OBJECTIVE:BATCH pairs timed side by side, e.g. "
        "reinforce:64,dense:64,dense:512 (default: --objective at --batch-size)",
    )
    parser.add_argument("--output", default=None, help="JSON path (default: results/...)")
    args = parser.parse_args(argv)
    runs = []
    for part in (args.runs or f"{args.objective}:{args.batch_size}").split(","):
        objective, _, batch = part.partition(":")
        if objective not in ("reinforce", "gumbel", "dense") or not batch.isdigit():
            parser.error(f"--runs: {part!r} is not OBJECTIVE:BATCH (e.g. dense:512)")
        runs.append((objective, int(batch)))

    peak = matmul_gflops()
    rows = [
        time_mode(args, mode, policy, shared, objective, batch_size)
        for objective, batch_size in runs
        for mode in args.modes.split(",")
        for policy in args.dtype_policies.split(",")
        for shared in args.shared_prefix.split(",")
    ]
    print(
        f"\nSeqGAN step time: V={args.vocabulary_size} T={args.sequence_length} "
        f"rollouts={args.num_rollouts} (reinforce) discriminator={args.discriminator} "
        "(dense: PrefixDiscriminator)"
    )
    print(f"machine: TensorFlow float32 matmul {peak:.0f} GFLOP/s (4096x4096)")
    print(
        f"{'objective':<10}{'B':>5}  {'mode':<20}{'dtype policy':<24}{'shared':>7}"
        f"{'median ms':>12}{'min ms':>10}{'first step s':>14}{'vs first':>10}"
    )
    for row in rows:
        ratio = row["median_ms"] / rows[0]["median_ms"]
        print(
            f"{row['objective']:<10}{row['batch_size']:>5}  "
            f"{row['mode']:<20}{row['dtype_policy']:<24}{row['shared_prefix']:>7}"
            f"{row['median_ms']:>12}"
            f"{row['min_ms']:>10}{row['first_step_s']:>14}{ratio:>10.2f}"
        )
    record = {
        "benchmark": "step_time",
        **machine_record(peak),
        "command": command_line(__file__, argv),
        "config": vars(args),
        "results": rows,
    }
    output = args.output or os.path.join(
        os.path.dirname(__file__),
        "results",
        f"step_time_{'_'.join(dict.fromkeys(o for o, _ in runs))}_{args.discriminator}.json",
    )
    write_json(output, record)
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
