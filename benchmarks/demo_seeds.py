"""The whole demo on other oracles (issue 18, item 6): `keras-seqgan demo` per seed and setting.

`benchmarks/demo_recipes.py` compares recipes from one MLE start (the demo's seed 66);
this runs the demo itself, end to end, with each `--seed` (a seed draws its own oracle,
training rows, MLE model and discriminator), each number of discriminator pre-training
rounds and each number of generator steps per adversarial epoch. It records the MLE and
adversarial points, the margin below the MLE model's temperature frontier (> 0: better
than any temperature), the discriminator's held-out accuracy, and how much of the
adversarial model's samples the training rows already hold (whole rows, 3-grams and
5-grams), beside the same shares for held-out real rows: a discriminator that memorized
its training rows could teach the generator to copy them, which NLL-oracle would reward.

    python benchmarks/demo_seeds.py --seeds 66,67,68 --d-rounds 3,20 \\
        --adversarial-steps 2 --output benchmarks/results/demo_seeds

Each run's files go to `OUTPUT/seed{S}_rounds{R}_steps{N}/`, with its trained generator
alone in `generator.keras`; `demo.nll_scorer(*demo.oracle_data(config)[::2], config)`,
with `config = demo.DemoConfig(**demo.PRESETS[preset], seed=S)`, rebuilds the scorer that
re-scores it. Rows are appended to `rows.jsonl` as runs finish, and a run already in it is
not run again. Writes `results.json` (the rows, the machine, every command that added
rows).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _machine import command_line, commands_so_far, machine_record, write_json  # noqa: E402


def integers(text):
    return [int(part) for part in text.split(",")]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", required=True, metavar="FOLDER")
    parser.add_argument("--seeds", type=integers, default=[66], help="comma-separated demo seeds")
    parser.add_argument(
        "--d-rounds", type=integers, default=[3], help="comma-separated pre-training rounds"
    )
    parser.add_argument(
        "--adversarial-steps",
        type=integers,
        default=[2],
        help="comma-separated generator steps per adversarial epoch",
    )
    parser.add_argument("--preset", default="small", help="the demo's preset (default: small)")
    args = parser.parse_args(argv)
    os.makedirs(args.output, exist_ok=True)
    rows_path = os.path.join(args.output, "rows.jsonl")
    done = {
        (row["seed"], row["d_rounds"], row["adversarial_steps"]) for row in read_rows(rows_path)
    }
    runs = [(seed, rounds, steps) for seed in args.seeds for rounds in args.d_rounds
            for steps in args.adversarial_steps]  # fmt: skip
    for seed, rounds, steps in runs:
        if (seed, rounds, steps) in done:
            continue
        row = run_one(args.output, args.preset, seed, rounds, steps)
        print(json.dumps(row), flush=True)
        with open(rows_path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(row) + "\n")
    write_results(args.output, command_line(__file__, argv))
    return 0


def run_one(output, preset, seed, rounds, steps):
    """One demo run, its printed output kept in `demo.log` beside its files."""
    from keras_seqgan import cli

    folder = os.path.join(output, f"seed{seed}_rounds{rounds}_steps{steps}")
    argv = ["demo", "--preset", preset, "--seed", str(seed), "--d-rounds", str(rounds),
            "--adversarial-steps", str(steps), "--output", folder, "--quiet"]  # fmt: skip
    parser = cli.build_parser()
    args = parser.parse_args(argv)
    started = time.perf_counter()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = args.run(parser, args)
    seconds = time.perf_counter() - started
    with open(os.path.join(folder, "demo.log"), "w", encoding="utf-8") as handle:
        handle.write(printed.getvalue())
    generator = trained_generator(result["model"], os.path.join(folder, "generator.keras"))
    overlap = overlap_with_training(generator, preset, seed)
    table = {stage: (quality, diversity, accuracy)
             for stage, quality, diversity, accuracy in result["rows"]}  # fmt: skip
    return {
        "seed": seed,
        "d_rounds": rounds,
        "adversarial_steps": steps,
        "mle": point(table["after MLE"]),
        "adversarial": point(table["after adversarial"]),
        "margin": result["frontier_margin"],
        "d_acc_pretrained": round(table["after D pre-training"][2], 4),
        "d_acc_adversarial": round(table["after adversarial"][2], 4),
        "training_overlap": overlap,
        "seconds": round(seconds),
        "command": "keras-seqgan " + " ".join(argv),
    }


def trained_generator(model_path, path):
    """The adversarially trained generator of the demo's `seqgan.keras`, also saved alone
    to `path` (0.5 MB, to re-score; the whole model holds the discriminator too)."""
    from keras_seqgan.saving import load_model, save_model

    generator = load_model(model_path).generator
    save_model(generator, path)
    return generator


def overlap_with_training(generator, preset, seed, num_samples=2000):
    """Shares of the trained generator's samples (T=1) and of the held-out real rows found
    in the training rows: whole rows, and n-grams for n = 3 and 5."""
    import numpy as np

    from keras_seqgan.cli import demo

    config = demo.DemoConfig(**demo.PRESETS[preset], seed=seed)
    _, real, held_out = demo.oracle_data(config)
    samples = np.asarray(generator.generate(num_samples, temperature=1.0, seed=seed + 400))
    return {
        "adversarial": training_shares(samples, np.asarray(real)),
        "held_out": training_shares(np.asarray(held_out), np.asarray(real)),
    }


def training_shares(rows, train):
    """The share of `rows` that are training rows, and of their 3- and 5-grams that occur
    in the training rows."""
    shares = {"rows": _share([tuple(row) for row in rows], {tuple(row) for row in train})}
    for n in (3, 5):
        shares[f"{n}_grams"] = _share(ngrams(rows, n), set(ngrams(train, n)))
    return shares


def ngrams(rows, n):
    return [tuple(row[i : i + n]) for row in rows for i in range(len(row) - n + 1)]


def _share(items, known):
    return round(sum(item in known for item in items) / max(len(items), 1), 4)


def point(row):
    return {"nll_oracle": round(row[0], 4), "nll_gen": round(row[1], 4)}


def read_rows(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_results(output, command):
    """`results.json` from the folder's rows and every command that added rows."""
    path = os.path.join(output, "results.json")
    record = {
        "benchmark": "demo_seeds",
        **machine_record(),
        "commands": commands_so_far(path, command),
        "rows": read_rows(os.path.join(output, "rows.jsonl")),
    }
    write_json(path, record)


if __name__ == "__main__":
    sys.exit(main())
