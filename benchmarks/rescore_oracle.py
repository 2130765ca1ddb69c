"""Re-scores committed oracle generators: NLL-oracle and NLL-gen of every `.keras` file given.

The generators behind the tables of `docs/oracle.md` are committed (e.g.
`benchmarks/results/oracle_ablation/models/`, `benchmarks/results/oracle_cpu_mle/`). This
scores them again with the evaluation `oracle.py` and `oracle_ablation.py` use (the same
held-out oracle samples and sampling seed for `--seed`), at one or more temperatures, so
a table can be checked, or extended with another evaluator, without training anything:

    python benchmarks/rescore_oracle.py benchmarks/results/oracle_ablation/models \\
        --oracle ../shared/data/seqgan_oracle_lstm.npz --temperatures 1.0 0.9

A folder stands for every `.keras` file in it. A `SeqGAN` file is scored by its generator.
Prints a table; `--output FILE.json` also writes the rows.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oracle as base  # noqa: E402
from _machine import command_line, machine_record, write_json  # noqa: E402


def model_paths(paths):
    found = []
    for path in paths:
        if os.path.isdir(path):
            found.extend(
                os.path.join(path, name) for name in sorted(os.listdir(path))
                if name.endswith(".keras")
            )  # fmt: skip
        elif path.endswith(".keras") and os.path.exists(path):
            found.append(path)
        else:
            raise SystemExit(f"{path}: neither a folder nor an existing .keras file")
    if not found:
        raise SystemExit(f"no .keras file in {paths}")
    return found


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("models", nargs="+", help=".keras files or folders of them")
    parser.add_argument(
        "--oracle",
        default=os.path.join(HERE, "..", "..", "shared", "data", "seqgan_oracle_lstm.npz"),
    )
    parser.add_argument("--temperatures", type=float, nargs="+", default=[1.0])
    parser.add_argument("--num-eval", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=88, help="the runs' --seed (oracle.py's)")
    parser.add_argument("--output", default=None, help="a .json file for the rows")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    paths = model_paths(args.models)
    oracle = base.load_oracle(args.oracle)

    import keras_seqgan as ks

    held_out = oracle.sample(args.num_eval, seed=args.seed + 3)
    evaluate = base.Evaluator(oracle, held_out, args.num_eval, args.seed + 4)
    rows = []
    print("| model | T | NLL-oracle | NLL-gen |\n|---|---:|---:|---:|", flush=True)
    for path in paths:
        model = ks.saving.load_model(path)
        generator = getattr(model, "generator", model)
        for temperature in args.temperatures:
            started = time.perf_counter()
            values = evaluate(generator, temperature=temperature)
            row = {
                "model": os.path.relpath(path),
                "temperature": temperature,
                "nll_oracle": round(values["nll_oracle"], 5),
                "nll_gen": round(values["nll_gen"], 5),
                "seconds": round(time.perf_counter() - started, 1),
            }
            rows.append(row)
            print(f"| {row['model']} | {temperature:g} | {row['nll_oracle']:.4f} | "
                  f"{row['nll_gen']:.4f} |", flush=True)  # fmt: skip
    if args.output:
        record = {"benchmark": "rescore_oracle", **machine_record()}
        write_json(args.output, {**record, "command": command_line(__file__, argv), "rows": rows})
    return rows


if __name__ == "__main__":
    main()
