"""Count-based baselines on the SeqGAN oracle: what does a from-scratch GAN learn beyond counts?

A diagnostic for issue 28's from-scratch runs (`oracle.py --from-scratch`), which end about
1 nat above the early-stopped MLE model's temperature frontier. A unigram model knows only
which tokens are frequent; a bigram model also knows which token follows which. Both are
counted from the same 10,000 oracle rows the MLE models and the GANs were trained on
(`oracle.oracle_data`, `--seed`), smoothed with the setting that gives the lowest NLL on
the run's validation rows, and sampled at temperatures as the neural models are
(`softmax(log p / T)` for every next-token distribution). Their temperature frontiers are
scored with the same evaluator (`oracle.Evaluator`: 10,000 samples with a fixed seed for
NLL-oracle, the held-out oracle rows for NLL-gen), and every model on the frontiers of the
runs given by `--compare` is placed on them:

    python benchmarks/oracle_ngram.py --oracle ../shared/data/seqgan_oracle_lstm.npz \\
        --compare benchmarks/results/oracle_scratch benchmarks/results/oracle_scratch_seed89

The models (the unigram's and the bigram's counts and smoothing) are saved as `ngram.npz`
beside `results.json` in `--output` (default `benchmarks/results/oracle_ngram`).
"""

from __future__ import annotations

import json
import os
import sys
import time
import typing

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oracle as base  # noqa: E402
from _machine import command_line, machine_record, write_json  # noqa: E402

TEMPERATURES = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.4)
# Add-alpha smoothing of the unigram; the bigram's weight on its own counts (the rest on the
# unigram). Each is picked by NLL on the validation rows at T=1.
ALPHAS = (0.1, 0.5, 1.0, 2.0, 5.0)
WEIGHTS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


class Counts(typing.NamedTuple):
    """Token counts of rows: each token's, each pair's (`[V, V]`) and the first tokens'."""

    unigram: np.ndarray
    bigram: np.ndarray
    first: np.ndarray
    sequence_length: int


class NGram:
    """A unigram (`order=1`) or interpolated bigram (`order=2`) model of token rows.

    The next-token distribution is `p(w | v) = weight * c(v, w) / c(v) + (1 - weight) *
    p1(w)` for a bigram (just `p1(w)` after a token never seen, and the first position's
    counts stand in for `c(v, w)` at position 0), with `p1` the add-`alpha` unigram. Has the
    `vocabulary_size`, `sequence_length`, `log_prob(tokens, temperature)` and
    `generate(n, temperature, seed)` that `keras_seqgan.evaluation` and `oracle.Evaluator`
    use, in NumPy.
    """

    def __init__(self, counts, order, alpha, weight):
        self.counts = counts
        self.vocabulary_size = len(counts.unigram)
        self.sequence_length = counts.sequence_length
        self.order, self.alpha, self.weight = order, alpha, weight
        unigram_counts, bigram_counts, first_counts = counts.unigram, counts.bigram, counts.first
        self._tempered_at = None  # (temperature, (first, table)): the last one asked for
        unigram = (unigram_counts + alpha) / (unigram_counts.sum() + alpha * len(unigram_counts))
        if order == 1:
            self.first = np.log(unigram)
            self.table = None
            return
        first = first_counts / first_counts.sum()
        self.first = np.log(weight * first + (1 - weight) * unigram)
        totals = bigram_counts.sum(axis=1, keepdims=True)
        seen = totals > 0
        own = np.divide(bigram_counts, totals, out=np.zeros_like(bigram_counts), where=seen)
        self.table = np.log(np.where(seen, weight * own + (1 - weight) * unigram, unigram))

    @staticmethod
    def count(rows, vocabulary_size):
        """The counts a model is made of: `(unigram, bigram, first)` with the rows' length."""
        rows = np.asarray(rows)
        unigram = np.bincount(rows.ravel(), minlength=vocabulary_size).astype(np.float64)
        first = np.bincount(rows[:, 0], minlength=vocabulary_size).astype(np.float64)
        bigram = np.zeros((vocabulary_size, vocabulary_size), np.float64)
        np.add.at(bigram, (rows[:, :-1].ravel(), rows[:, 1:].ravel()), 1.0)
        return Counts(unigram, bigram, first, sequence_length=rows.shape[1])

    @classmethod
    def fit(cls, rows, vocabulary_size, order, alpha, weight=0.0):
        return cls(cls.count(rows, vocabulary_size), order, alpha, weight)

    def _tempered(self, temperature):
        """`(first, table)`: the log next-token distributions at `temperature` at position 0
        and after each token (`table` is `None` for a unigram, whose `first` holds at every
        position). The last temperature's are kept: `nll_gen` asks once per batch."""
        if self._tempered_at is None or self._tempered_at[0] != temperature:

            def normalized(logits):
                scaled = logits / temperature
                return scaled - np.logaddexp.reduce(scaled, axis=-1, keepdims=True)

            table = None if self.table is None else normalized(self.table)
            self._tempered_at = (temperature, (normalized(self.first), table))
        return self._tempered_at[1]

    def log_prob(self, tokens, temperature=1.0):
        tokens = np.asarray(tokens)
        first, table = self._tempered(temperature)
        out = np.empty(tokens.shape, np.float64)
        out[:, 0] = first[tokens[:, 0]]
        if table is None:
            out[:, 1:] = first[tokens[:, 1:]]
        else:
            out[:, 1:] = table[tokens[:, :-1], tokens[:, 1:]]
        return out

    def generate(self, num_samples, temperature=1.0, seed=None, conditions=None):
        if conditions is not None:
            raise ValueError(f"A count model takes no conditions. Received: {conditions}")
        rng = np.random.default_rng(seed)
        tokens = np.empty((num_samples, self.sequence_length), np.int32)
        first, table = self._tempered(temperature)
        first_cdf = np.cumsum(np.exp(first))[None, :]
        for position in range(self.sequence_length):
            if position == 0 or table is None:
                cdf = first_cdf
            else:
                cdf = np.cumsum(np.exp(table[tokens[:, position - 1]]), axis=-1)
            draws = rng.uniform(size=(num_samples, 1)) * cdf[:, -1:]
            tokens[:, position] = np.minimum(
                (cdf < draws).sum(axis=-1), self.vocabulary_size - 1
            )  # fmt: skip
        return tokens


def validation_nll(model, rows):
    return float(-model.log_prob(rows).mean())


def pick(rows, validation, vocabulary_size, order):
    """The smoothing of lowest validation NLL: `(model, {setting: NLL})`."""
    counts = NGram.count(rows, vocabulary_size)  # once: the settings only reweigh them
    tried = {}
    best = None
    for alpha in ALPHAS:
        for weight in WEIGHTS if order == 2 else (0.0,):
            model = NGram(counts, order, alpha, weight)
            nll = validation_nll(model, validation)
            tried[f"alpha={alpha:g} weight={weight:g}" if order == 2 else f"alpha={alpha:g}"] = (
                round(nll, 5)
            )
            if best is None or nll < best[1]:
                best = (model, nll)
    return best[0], tried


def compared_rows(folders, seed, num_eval):
    """The frontier rows of `--compare` runs and the points of their adversarial learning
    curves (at T=1, labelled by step), refusing a run scored on other rows."""
    rows, seen = [], set()
    for folder in folders:
        path = os.path.join(folder, "results.json")
        if not os.path.exists(path):
            raise SystemExit(f"--compare: {path} does not exist (an oracle.py run's --output)")
        with open(path) as file:
            record = json.load(file)
        if record.get("seed") != seed or record["config"]["num_eval"] != num_eval:
            raise SystemExit(
                f"--compare: {folder} was scored with --seed {record.get('seed')} and "
                f"num_eval {record['config']['num_eval']}; this run uses {seed} and {num_eval}."
            )
        name = os.path.basename(os.path.normpath(folder))
        for row in record.get("frontier") or []:
            # The MLE models are on every run's frontier: keep their first copy.
            label = row["model"] if row["model"].startswith("mle") else f"{name}: {row['model']}"
            if (label, row["temperature"]) not in seen:
                seen.add((label, row["temperature"]))
                rows.append({**row, "model": label})
        for point in record.get("points") or []:
            if point["stage"].startswith("adversarial"):
                label = f"{name}: {point['stage']} step {point['step']}"
                rows.append({**point, "model": label, "temperature": 1.0})
    return rows


def parse_args(argv):
    parser = base.diagnostic_parser(__doc__)
    parser.add_argument("--num-train", type=int, default=10_000, help="rows counted")
    parser.add_argument("--num-eval", type=int, default=10_000)
    parser.add_argument("--temperatures", type=float, nargs="+", default=list(TEMPERATURES))
    parser.add_argument(
        "--compare", nargs="*", default=[], metavar="FOLDER",
        help="oracle.py runs whose frontier models are placed on the n-gram frontiers",
    )  # fmt: skip
    parser.add_argument(
        "--output", default=os.path.join(HERE, "results", "oracle_ngram"), metavar="FOLDER"
    )
    args = parser.parse_args(argv)
    if any(not t > 0 for t in args.temperatures):
        parser.error(f"--temperatures must be positive. Received: {args.temperatures}")
    for flag, value in (("--num-train", args.num_train), ("--num-eval", args.num_eval)):
        if value < 1:
            parser.error(f"{flag} must be >= 1. Received: {value}")
    return args


def main(argv=None):
    args = parse_args(argv)
    compared = compared_rows(args.compare, args.seed, args.num_eval)

    import keras_seqgan as ks

    started = time.perf_counter()
    oracle = base.load_oracle(args.oracle)
    config = {"num_train": args.num_train, "num_eval": args.num_eval}
    data = base.oracle_data(oracle, config, args.seed)
    vocabulary_size = oracle.vocabulary_size
    models, smoothing = {}, {}
    for name, order in (("unigram", 1), ("bigram", 2)):
        models[name], smoothing[name] = pick(data.real, data.validation, vocabulary_size, order)
        print(f"{name}: validation NLL by smoothing {smoothing[name]}", flush=True)

    frontier = []
    print("| model | T | NLL-oracle | NLL-gen |\n|---|---:|---:|---:|", flush=True)
    for name, model in models.items():
        for temperature in args.temperatures:
            values = data.evaluator(model, temperature=temperature)
            row = {
                "model": name,
                "temperature": temperature,
                "nll_oracle": round(values["nll_oracle"], 5),
                "nll_gen": round(values["nll_gen"], 5),
            }
            frontier.append(row)
            print(f"| {name} | {temperature:g} | {row['nll_oracle']:.4f} | "
                  f"{row['nll_gen']:.4f} |", flush=True)  # fmt: skip

    # Margins below each n-gram frontier at equal NLL-gen (> 0: better than the counts;
    # None: outside the frontier's NLL-gen range).
    margins = {
        name: {
            f"{row['model']} T={row['temperature']:g}": ks.evaluation.frontier_margin(
                [r for r in frontier if r["model"] == name], row
            )
            for row in compared
        }
        for name in models
    }
    for name, values in margins.items():
        print(f"\nbelow the {name} frontier by (>0 is better):")
        for label, value in values.items():
            print(f"  {label:<48} {'-' if value is None else f'{value:+.3f}'}")

    os.makedirs(args.output, exist_ok=True)
    bigram = models["bigram"]
    np.savez_compressed(
        os.path.join(args.output, "ngram.npz"),
        unigram_counts=bigram.counts.unigram.astype(np.int32),
        first_counts=bigram.counts.first.astype(np.int32),
        bigram_counts=bigram.counts.bigram.astype(np.int32),
        unigram_alpha=models["unigram"].alpha,
        bigram_alpha=bigram.alpha,
        bigram_weight=bigram.weight,
    )
    record = {
        "benchmark": "oracle_ngram",
        **machine_record(),
        "command": command_line(__file__, argv),
        "seed": args.seed,
        "config": config,
        "oracle_entropy": round(oracle.nll(data.held_out), 5),
        "smoothing": {
            name: {"alpha": m.alpha, "weight": m.weight, "validation_nll": smoothing[name]}
            for name, m in models.items()
        },
        "frontier": frontier,
        "compared": compared,
        "margins": margins,
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    write_json(os.path.join(args.output, "results.json"), record)
    print(f"Wrote {os.path.join(args.output, 'results.json')} in {record['total_seconds']:.0f} s")
    return record


if __name__ == "__main__":
    main()
