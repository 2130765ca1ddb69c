"""Can the from-scratch runs' discriminator tell real oracle rows from a count model's?

A diagnostic for issue 28's from-scratch runs, which stall on the frontier of a unigram
model counted from their 10,000 training rows (`oracle_ngram.py`). A generator trained by
a discriminator's rewards learns only what the discriminator can tell apart. Here a fresh
`PrefixDiscriminator()` with the runs' optimizer (Adam 9.38e-3, `beta_1=0.5`: ScratchGAN's)
is trained, as `pipeline.pretrain_discriminator` trains one, against fresh samples of a
fixed count model (unigram or bigram, smoothed as `oracle_ngram.py` picks) on the oracle's
rows: each round takes the next `--round-rows` rows of the real set (cycling) and as many
fresh samples, for one epoch. With `--num-train 10000` every round sees the same 10,000 rows,
as the runs' discriminator did; with more rows it sees each row rarely. Every
`--eval-every` rounds it measures accuracy on training rows and on held-out oracle rows,
each against fresh samples: a discriminator that learned the difference scores both; one
that memorized its rows scores only the first.

    python benchmarks/ngram_discriminator.py --oracle ../shared/data/seqgan_oracle_lstm.npz \\
        --num-train 10000 200000 --models unigram bigram

Writes `results.json` (every point of every arm, the machine, the command) into
`--output` (default `benchmarks/results/ngram_discriminator`).
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oracle as base  # noqa: E402
import oracle_ngram  # noqa: E402
from _machine import command_line, machine_record, write_json  # noqa: E402


def parse_args(argv):
    parser = base.diagnostic_parser(__doc__)
    parser.add_argument(
        "--num-train", type=int, nargs="+", default=[10_000, 200_000],
        help="real rows the discriminator learns from, one arm each (the count models are "
        "counted from the first 10,000 of the runs' rows, as in oracle_ngram.py)",
    )  # fmt: skip
    parser.add_argument(
        "--models", nargs="+", choices=["unigram", "bigram"], default=["unigram", "bigram"]
    )
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--round-rows", type=int, default=10_000, help="real rows per round")
    parser.add_argument("--eval-every", type=int, default=10, help="rounds between points")
    parser.add_argument("--num-eval", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=1024, help="real and fake rows mixed")
    parser.add_argument("--output", default=os.path.join(HERE, "results", "ngram_discriminator"))
    args = parser.parse_args(argv)
    for flag in ("rounds", "round_rows", "eval_every", "num_eval", "batch_size"):
        if getattr(args, flag) < 1:
            parser.error(
                f"--{flag.replace('_', '-')} must be >= 1. Received: {getattr(args, flag)}"
            )
    if any(n < 1 for n in args.num_train):
        parser.error(f"--num-train must be >= 1. Received: {args.num_train}")
    if args.rounds % args.eval_every:
        parser.error(f"--rounds must be a multiple of --eval-every. Received: {args.rounds}")
    return args


def main(argv=None):
    args = parse_args(argv)

    import keras

    import keras_seqgan as ks
    from keras_seqgan.pipeline import discriminator_accuracy, pretrain_discriminator

    started = time.perf_counter()
    oracle = base.load_oracle(args.oracle)
    config = {"num_train": 10_000, "num_eval": args.num_eval}
    data = base.oracle_data(oracle, config, args.seed)
    size = dict(vocabulary_size=oracle.vocabulary_size, sequence_length=oracle.sequence_length)
    models = {
        name: oracle_ngram.pick(data.real, data.validation, oracle.vocabulary_size, order)[0]
        for name, order in (("unigram", 1), ("bigram", 2))
        if name in args.models
    }
    dense = base.DENSE
    arms = []
    output = args.output

    def write(status):
        record = {
            "benchmark": "ngram_discriminator",
            "status": status,
            **machine_record(),
            "command": command_line(__file__, argv),
            "seed": args.seed,
            "settings": {
                "rounds": args.rounds,
                "round_rows": args.round_rows,
                "batch_size": args.batch_size,
                "d_learning_rate": dense["d_learning_rate"],
                "beta_1": dense["beta_1"],
            },  # fmt: skip
            "arms": arms,
            "total_seconds": round(time.perf_counter() - started, 1),
        }
        write_json(os.path.join(output, "results.json"), record)
        return record

    for num_train in args.num_train:
        real = data.real if num_train == 10_000 else oracle.sample(num_train, seed=args.seed + 1)
        for name, model in models.items():
            arm = {"model": name, "num_train": num_train, "points": []}
            arms.append(arm)
            print(f"\n== {name} samples against {num_train:,} real rows", flush=True)
            keras.utils.set_random_seed(args.seed)
            discriminator = ks.models.PrefixDiscriminator(**size, seed=args.seed + 100)
            discriminator.compile(
                optimizer=keras.optimizers.Adam(dense["d_learning_rate"], beta_1=dense["beta_1"])
            )
            begin = time.perf_counter()
            for round_ in range(args.rounds):
                start = (round_ * args.round_rows) % len(real)
                rows = np.take(real, range(start, start + args.round_rows), axis=0, mode="wrap")
                pretrain_discriminator(
                    discriminator, model, rows, rounds=1, epochs=1, batch_size=args.batch_size,
                    seed=args.seed + 1000 * round_, fake_seed=args.seed + 7 + 1000 * round_,
                )  # fmt: skip
                if (round_ + 1) % args.eval_every:
                    continue
                fresh = model.generate(2 * args.num_eval, seed=args.seed + 5 + 1000 * round_)
                train_rows = np.take(real, range(args.num_eval), axis=0, mode="wrap")
                point = {
                    "round": round_ + 1,
                    "real_rows_seen": (round_ + 1) * args.round_rows,
                    "train_accuracy": round(discriminator_accuracy(
                        discriminator, train_rows, fresh[: args.num_eval]), 4),
                    "held_out_accuracy": round(discriminator_accuracy(
                        discriminator, data.held_out, fresh[args.num_eval :]), 4),
                    "seconds": round(time.perf_counter() - begin, 1),
                }  # fmt: skip
                arm["points"].append(point)
                print(
                    f"[{name}, {num_train:,} rows] round {point['round']}: accuracy on "
                    f"training rows {point['train_accuracy']:.4f}, on held-out rows "
                    f"{point['held_out_accuracy']:.4f} ({point['seconds']:.0f} s)",
                    flush=True,
                )
                write("running")

    record = write("complete")
    print(f"\n{'arm':<24} {'train acc':>10} {'held-out acc':>13}")
    for arm in arms:
        last = arm["points"][-1]
        label = f"{arm['model']}, {arm['num_train']:,} rows"
        print(f"{label:<24} {last['train_accuracy']:>10.4f} {last['held_out_accuracy']:>13.4f}")
    print(f"Wrote {os.path.join(output, 'results.json')} in {record['total_seconds']:.0f} s")
    return record


if __name__ == "__main__":
    main()
