"""Why `steps_per_execution > 1` makes `SeqGAN.fit` slower on a CPU: a measurement.

Times `SeqGAN.fit` at the SeqGAN paper's sizes (small discriminator by default) with
`steps_per_execution` 1 and 4, each with TensorFlow's default inter-op thread pool and
with one inter-op thread (ops one at a time). Each setting runs in its own process
(TensorFlow fixes its thread pools when it starts), traces on `2 x spe` warm-up steps,
then times `--repeats` fits of `--steps` steps. Prints ms per step and writes a JSON record.

    python benchmarks/steps_per_execution.py
    python benchmarks/steps_per_execution.py --settings 1:0,4:0 --steps 8 --repeats 2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _machine import command_line, machine_record, write_json  # noqa: E402

V, T, B, R = 5000, 20, 64, 16


def run_setting(spe, inter_op, steps, repeats, discriminator):
    """In this process: ms per step of `repeats` fits of `steps` steps."""
    import tensorflow as tf

    if inter_op:
        tf.config.threading.set_inter_op_parallelism_threads(inter_op)
    import keras
    import numpy as np

    import keras_seqgan as ks

    keras.utils.set_random_seed(0)
    real = np.random.default_rng(0).integers(0, V, size=(4096, T)).astype("int32")
    generator = ks.models.Generator(V, T, embedding_dim=32, hidden_dim=32, seed=1)
    if discriminator == "paper":
        widths, counts = ks.models.paper_filters(T)
    else:
        widths, counts = (2, 3, 4, 5), (64, 64, 64, 64)
    gan = ks.SeqGAN(
        generator,
        ks.models.Discriminator(V, T, filter_sizes=widths, num_filters=counts),
        num_rollouts=R,
        seed=2,
    )
    gan.compile(steps_per_execution=spe)
    dataset = ks.data.sequence_dataset(real, batch_size=B, seed=1, repeat=True)
    gan.fit(dataset, epochs=1, steps_per_epoch=2 * spe, verbose=0)  # traces
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)
        times.append(round(1000 * (time.perf_counter() - start) / steps, 1))
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--settings",
        default="1:0,4:0,1:1,4:1",
        help="comma list of SPE:INTER_OP (0: TensorFlow's default inter-op pool)",
    )
    parser.add_argument("--steps", type=int, default=8, help="steps per timed fit")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--discriminator", default="small", choices=["small", "paper"])
    parser.add_argument("--output", default=None)
    parser.add_argument("--_setting", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._setting:
        spe, inter_op = map(int, args._setting.split(":"))
        times = run_setting(spe, inter_op, args.steps, args.repeats, args.discriminator)
        print("TIMES " + json.dumps(times), flush=True)
        return
    rows = []
    for setting in args.settings.split(","):
        spe, inter_op = map(int, setting.split(":"))
        if args.steps % spe:
            parser.error(f"--steps {args.steps} is not a multiple of steps_per_execution {spe}")
        command = [sys.executable, __file__, "--_setting", setting, "--steps",
                   str(args.steps), "--repeats", str(args.repeats),
                   "--discriminator", args.discriminator]  # fmt: skip
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        times = json.loads(out.split("TIMES ", 1)[1])
        rows.append(dict(steps_per_execution=spe, inter_op_threads=inter_op or "default",
                         ms_per_step=times, median_ms=sorted(times)[len(times) // 2]))  # fmt: skip
        print(f"steps_per_execution={spe} inter-op threads={inter_op or 'default'}: "
              f"{rows[-1]['median_ms']} ms/step (runs {times})", flush=True)  # fmt: skip
    record = {
        "benchmark": "steps_per_execution",
        **machine_record(),
        "command": command_line(__file__, argv),
        "config": dict(
            vocabulary_size=V,
            sequence_length=T,
            batch_size=B,
            num_rollouts=R,
            discriminator=args.discriminator,
            steps=args.steps,
            repeats=args.repeats,
        ),  # fmt: skip
        "results": rows,
    }
    output = args.output or os.path.join(
        os.path.dirname(__file__), "results", f"steps_per_execution_{args.discriminator}.json"
    )
    write_json(output, record)
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
