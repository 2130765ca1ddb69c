"""BatchTimer's overhead: steps/s of `SeqGAN.fit` with and without it, in one process.

The same compiled model trains alternately with and without the callback (interleaved
rounds, so drifts in machine speed hit both alike); the table gives median steps/s. It
also times the callback's hooks alone. Writes a JSON record under benchmarks/results/.

    python benchmarks/batch_timer_overhead.py
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vocabulary-size", type=int, default=50)
    parser.add_argument("--sequence-length", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--output", default=None)
    args = parser.parse_args(argv)

    import keras
    import tensorflow as tf

    import keras_seqgan as ks

    size = dict(vocabulary_size=args.vocabulary_size, sequence_length=args.sequence_length)
    keras.utils.set_random_seed(66)
    oracle = ks.data.OracleLSTM(**size, seed=66)
    real = oracle.sample(64 * 40, seed=67)
    generator = ks.models.Generator(**size, seed=3)
    discriminator = ks.models.Discriminator(**size, filter_sizes=(2, 3), num_filters=(16, 16))
    gan = ks.SeqGAN(generator, discriminator, num_rollouts=4, seed=1)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3),
        discriminator_optimizer=keras.optimizers.Adam(1e-4),
    )
    data = ks.data.sequence_dataset(real, batch_size=64, seed=2)  # 40 batches an epoch
    gan.fit(data, epochs=1, verbose=0)  # compile and warm up
    rates = {"without": [], "with": []}
    for round_index in range(args.rounds):
        order = ["without", "with"] if round_index % 2 == 0 else ["with", "without"]
        for name in order:
            callbacks = [ks.callbacks.BatchTimer(verbose=0)] if name == "with" else []
            start = time.perf_counter()
            gan.fit(data, epochs=2, verbose=0, callbacks=callbacks)
            rates[name].append(80 / (time.perf_counter() - start))

    timer = ks.callbacks.BatchTimer(verbose=0)
    timer.on_train_begin()
    timer.on_epoch_begin(0)
    calls = 200_000
    start = time.perf_counter()
    for i in range(calls):
        timer.on_train_batch_begin(i)
        timer.on_train_batch_end(i, None)
    hook_us = (time.perf_counter() - start) / calls * 1e6

    results = {name: round(statistics.median(values), 2) for name, values in rates.items()}
    print(f"{'BatchTimer':<12}{'median steps/s':>16}   runs")
    for name, values in rates.items():
        runs = ", ".join(f"{v:.2f}" for v in values)
        print(f"{name:<12}{results[name]:>16}   {runs}")
    print(f"ratio with/without: {results['with'] / results['without']:.3f}")
    print(f"hooks alone: {hook_us:.2f} us per batch")
    record = {
        "benchmark": "batch_timer_overhead",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpu_count": os.cpu_count(), "platform": platform.platform()},
        "versions": {"tensorflow": tf.__version__, "keras": keras.__version__},
        "command": "python " + " ".join([os.path.relpath(__file__)] + (argv or sys.argv[1:])),
        "config": vars(args),
        "steps_per_s_median": results,
        "steps_per_s_runs": rates,
        "hooks_us_per_batch": round(hook_us, 3),
    }
    output = args.output or os.path.join(
        os.path.dirname(__file__), "results", "batch_timer_overhead.json"
    )
    tmp = output + ".tmp"
    with open(tmp, "w") as handle:
        json.dump(record, handle, indent=2)
    os.replace(tmp, output)
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
