"""Temperature sweeps of committed text models, by `keras-seqgan evaluate`.

Rebuilds the held-out lines of a `text.py --experiment shakespeare` run (its config and
seed, so exactly the lines its models never trained on), writes them as a CSV, and runs
`keras-seqgan evaluate --temperatures ... --compare ... --lm-score` on the run's saved
generators: BLEU, Self-BLEU, MS-Jaccard, LM and reverse LM scores and a Fréchet distance
at each temperature, one quality-diversity curve per model.

    python benchmarks/text_sweep.py --run benchmarks/results/text_shakespeare_reinforce \\
        --output benchmarks/results/text_shakespeare_sweep

Needs `../shared/data/shakespeare_dialogue.csv` (or `--data-dir`). Writes into `--output`:
`evaluate.json`, `evaluate.csv`, `quality_diversity.png` and `command.json` (this
command, the machine and the date). The held-out CSV is written to a temporary folder
and deleted after: it is the shared data's text, which the repository does not copy.
"""

from __future__ import annotations

import argparse
import csv
import glob
import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _machine import command_line, machine_record, write_json  # noqa: E402


def write_held_out(run, data_dir, path):
    """The run's held-out lines with their conditions, as the CLI reads a CSV."""
    import text as bench

    with open(os.path.join(run, "results.json"), encoding="utf-8") as handle:
        earlier = json.load(handle)
    data = bench.shakespeare_data(earlier["config"], data_dir, earlier["seed"])
    validation = data.validation
    names = list(validation.conditions)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*names, "text"])
        for index, text in enumerate(validation.texts):
            writer.writerow([*(validation.conditions[n][index] for n in names), text])
    return len(validation)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--run", required=True, help="a text.py shakespeare output folder")
    parser.add_argument("--output", required=True)
    parser.add_argument("--data-dir", default=os.path.join(HERE, "..", "..", "shared", "data"))
    parser.add_argument("--temperatures", default="0.7,0.8,0.9,1.0,1.1")
    parser.add_argument("--num-samples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=66)
    args = parser.parse_args(argv)
    models = sorted(glob.glob(os.path.join(args.run, "generator_*.keras")))
    mle = [m for m in models if "_mle" in os.path.basename(m)]
    if not mle:
        raise SystemExit(f"--run: no generator_mle*.keras in {args.run}")
    others = [m for m in models if m not in mle]
    os.makedirs(args.output, exist_ok=True)
    from keras_seqgan import cli

    with tempfile.TemporaryDirectory() as folder:
        held_out = os.path.join(folder, "held_out.csv")
        lines = write_held_out(args.run, args.data_dir, held_out)
        print(f"{lines} held-out lines of {args.run}", flush=True)
        command = ["evaluate", mle[0], "--compare", *others, "--data", held_out,
                   "--temperatures", args.temperatures, "--num-samples", str(args.num_samples),
                   "--lm-score", "--seed", str(args.seed), "--output", args.output]  # fmt: skip
        code = cli.main(command)
    write_json(
        os.path.join(args.output, "command.json"),
        {
            "benchmark": "text_sweep",
            **machine_record(),
            "command": command_line(__file__, argv),
            "evaluate": command,
        },  # fmt: skip
    )
    return code


if __name__ == "__main__":
    sys.exit(main())
