"""Temperature sweeps of committed text models, by `keras-seqgan evaluate`.

Rebuilds the held-out lines of a `text.py --experiment shakespeare` run (its config and
seed, so exactly the lines its models never trained on) and writes them as a CSV, or, for
a `--experiment coco` run, its test captions one a line; then runs
`keras-seqgan evaluate --temperatures ... --compare ... --lm-score` on the run's saved
generators: BLEU, Self-BLEU, MS-Jaccard, LM and reverse LM scores and a Fréchet distance
at each temperature, one quality-diversity curve per model.

    python benchmarks/text_sweep.py --run benchmarks/results/text_shakespeare_reinforce \\
        --output benchmarks/results/text_shakespeare_sweep

    python benchmarks/text_sweep.py --run benchmarks/results/text_coco \\
        --output benchmarks/results/text_coco_sweep

Needs `../shared/data/shakespeare_dialogue.csv` or `coco_captions_test.txt` (or
`--data-dir`). Writes into `--output`: `evaluate.json`, `evaluate.csv`,
`quality_diversity.png`, `margins.json` (each other model's BLEU-n against every MLE
model's curve and the best of them, at equal Self-BLEU-n) and `command.json` (this
command, the machine and the date). The held-out file is written to a temporary folder
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
    """The run's held-out lines with their conditions, as the CLI reads a CSV (COCO: the
    test captions as they are, `max_test_lines` of them); returns the path and the count."""
    import text as bench

    with open(os.path.join(run, "results.json"), encoding="utf-8") as handle:
        earlier = json.load(handle)
    if earlier["experiment"] == "coco":
        import keras_seqgan as ks

        lines = ks.data.load_text_corpus(
            os.path.join(data_dir, bench.DATA_FILES["coco"][1]),
            max_lines=earlier["config"]["max_test_lines"],
        ).texts  # as run_coco reads them
        path = os.path.splitext(path)[0] + ".txt"  # one caption a line
        with open(path, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        return path, len(lines)
    data = bench.shakespeare_data(earlier["config"], data_dir, earlier["seed"])
    validation = data.validation
    names = list(validation.conditions)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*names, "text"])
        for index, text in enumerate(validation.texts):
            writer.writerow([*(validation.conditions[n][index] for n in names), text])
    return path, len(validation)


def mle_margins(output, mle_names, orders=(2, 3, 4)):
    """Each other model's BLEU-n minus every MLE model's curve at equal Self-BLEU-n, and
    against the best of them (the smallest margin where any is defined): > 0 lies above
    every MLE curve. Read from `output`'s evaluate.json; printed and returned."""
    import keras_seqgan as ks

    with open(os.path.join(output, "evaluate.json"), encoding="utf-8") as handle:
        rows = json.load(handle)["rows"]
    curves = {name: [r for r in rows if r["model"] == name] for name in mle_names}
    table = []
    for row in rows:
        if row["model"] in curves:
            continue
        entry = {"model": row["model"], "temperature": row["temperature"]}
        for n in orders:
            margins = {
                name: ks.evaluation.frontier_margin(
                    curve, row, x=f"self_bleu_{n}", y=f"bleu_{n}", higher_is_better=True
                )
                for name, curve in curves.items()
            }
            defined = [m for m in margins.values() if m is not None]
            entry[f"bleu_{n}_margin"] = {
                **margins, "best_mle": min(defined) if defined else None
            }  # fmt: skip
        table.append(entry)
    print(f"\nBLEU-n above the best MLE curve ({', '.join(mle_names)}) at equal Self-BLEU-n "
          "(> 0: above every MLE curve; - outside their ranges):")  # fmt: skip
    for entry in table:
        figures = "  ".join(
            f"BLEU-{n} " + (
                "-" if entry[f"bleu_{n}_margin"]["best_mle"] is None
                else f"{entry[f'bleu_{n}_margin']['best_mle']:+.4f}"
            )
            for n in orders
        )  # fmt: skip
        print(f"  {entry['model']:<40} T={entry['temperature']:<4g} {figures}")
    return {"mle_models": mle_names, "rows": table}


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--run", required=True, help="a text.py output folder (coco or shakespeare)"
    )
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
    others = [m for m in models if m != mle[0]]  # the other MLE model (early-stopped) too
    os.makedirs(args.output, exist_ok=True)
    from keras_seqgan import cli

    with tempfile.TemporaryDirectory() as folder:
        held_out, lines = write_held_out(
            args.run, args.data_dir, os.path.join(folder, "held_out.csv")
        )
        print(f"{lines} held-out lines of {args.run}", flush=True)
        command = ["evaluate", mle[0], "--compare", *others, "--data", held_out,
                   "--temperatures", args.temperatures, "--num-samples", str(args.num_samples),
                   "--lm-score", "--seed", str(args.seed), "--output", args.output]  # fmt: skip
        code = cli.main(command)
    if code == 0:
        names = [os.path.basename(m)[: -len(".keras")] for m in mle]
        write_json(os.path.join(args.output, "margins.json"), mle_margins(args.output, names))
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
