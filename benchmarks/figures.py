"""The documentation's figures, drawn from the committed benchmark results.

Reads the JSON under `benchmarks/results/` (it never trains or times anything) and writes
into `--output` (default `docs/figures/`):

- `oracle_paper_curves.png`: NLL-oracle during MLE pre-training, preset `paper`
  (`oracle_paper/results.json`), against the SeqGAN authors' logged curve;
- `oracle_cpu_curves.png`: the same and adversarial training, preset `cpu`
  (`oracle_cpu/results.json`);
- `oracle_cpu_frontier.png`: the quality-diversity frontier of preset `cpu`;
- `oracle_ablation.png`: issue 18's ablation arms against the MLE models' frontiers
  (`oracle_ablation/results.json`, drawn by `oracle_ablation.py`'s own `plot`);
- `time_to_quality.png`: NLL-oracle against training seconds for each objective from one
  MLE start (`time_to_quality/results.json`, drawn by `time_to_quality.py`'s own `plot`);
- `oracle_scratch_frontier.png`: the from-scratch dense runs (`oracle_scratch/`,
  `oracle_scratch_seed89/`, `oracle_scratch_fresh/`), each at several temperatures,
  against both MLE models' frontiers (drawn up to NLL-gen 11, where the runs are);
- `speed_paper.png`: table 1 of `speed_paper.json`, the median time of one adversarial
  iteration per variant for each discriminator, with the floor and the speed-up over
  `naive`.

The oracle figures are drawn by `oracle.py`'s own `plot_curves` and `plot_frontier`, so
they match what the benchmark writes. Needs matplotlib (`pip install -e ".[plot]"`).

    python benchmarks/figures.py                    # into docs/figures/
    python benchmarks/figures.py --output /tmp/figures
"""

from __future__ import annotations

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
# oracle.py's plots import keras_seqgan (so TensorFlow): keep its start-up log quiet.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

RESULTS = os.path.join(HERE, "results")
OUTPUT = os.path.join(ROOT, "docs", "figures")
# Every figure at this size of pixel; oracle.py's plots use the same.
DPI = 110

# The from-scratch runs of `oracle_scratch_frontier.png`, with their legend labels.
SCRATCH_RUNS = (
    ("oracle_scratch", "dense from scratch, seed 88"),
    ("oracle_scratch_seed89", "dense from scratch, seed 89"),
    ("oracle_scratch_fresh", "dense from scratch, 200,000 rows, seed 88"),
)
# What each result file is, and the command that wrote it (for the error when it is missing).
SOURCES = {
    "oracle_paper/results.json": "python benchmarks/oracle.py --preset paper --stages mle ...",
    "oracle_cpu/results.json": "python benchmarks/oracle.py --preset cpu ...",
    "oracle_ablation/results.json": "python benchmarks/oracle_ablation.py ...",
    **{
        f"{folder}/results.json": "python benchmarks/oracle.py --preset cpu --from-scratch ..."
        for folder, _ in SCRATCH_RUNS
    },
    "oracle_ngram/results.json": "python benchmarks/oracle_ngram.py --compare ...",
    "time_to_quality/results.json": "python benchmarks/time_to_quality.py ...",
    "speed_paper.json": "python benchmarks/speed.py --scaling",
}


def load(results, name):
    path = os.path.join(results, name)
    if not os.path.isfile(path):
        raise SystemExit(
            f"figures: the results file {path} is missing. The figures are drawn from "
            f"committed results only; {name} comes from `{SOURCES[name]}` (see "
            "docs/oracle.md and docs/speed.md)."
        )
    with open(path) as handle:
        return json.load(handle)


def oracle_title(record):
    stages = {point["stage"] for point in record["points"]}
    only_mle = " (MLE stage only)" if stages == {"mle"} else ""
    # oracle.py's own title for this preset.
    return (
        f"SeqGAN oracle experiment, preset {record['preset']!r} "
        f"(paper's oracle, V=5000, T=20){only_mle}"
    )


def oracle_figures(results, output):
    import oracle

    written = []
    for preset in ("paper", "cpu"):
        record = load(results, f"oracle_{preset}/results.json")
        entropy = record["summary"]["oracle_entropy"]
        title = oracle_title(record)
        path = os.path.join(output, f"oracle_{preset}_curves.png")
        oracle.plot_curves(path, record["points"], entropy, title)
        written.append(path)
        if preset == "cpu":
            path = os.path.join(output, "oracle_cpu_frontier.png")
            oracle.plot_frontier(path, record["frontier"], entropy, title)
            written.append(path)
    return written


def scratch_figure(results, output):
    """The from-scratch runs' temperature sweeps on the MLE models' frontiers (the first
    run's MLE rows: every run shares the MLE models) and the count models' (unigram and
    bigram of the same training rows, `oracle_ngram.py`)."""
    import oracle

    records = [(load(results, f"{folder}/results.json"), label) for folder, label in SCRATCH_RUNS]
    first = records[0][0]
    counts = load(results, "oracle_ngram/results.json")["frontier"]
    rows = [
        {**r, "model": r["model"] if r["model"].startswith("mle") else f"{r['model']} (counts)"}
        for r in first["frontier"] + counts
        if r["model"].startswith("mle") or r["model"] in ("unigram", "bigram")
        if r["nll_gen"] <= 11
    ]
    for record, label in records:
        steps = max(p["step"] for p in record["points"] if p["stage"] == "adversarial-dense")
        rows += [
            {**r, "model": f"{label}, step {steps:,}"}
            for r in record["frontier"]
            if r["model"] == "dense"
        ]
    path = os.path.join(output, "oracle_scratch_frontier.png")
    title = "From scratch (dense rewards, batch 512) against MLE and count models' frontiers"
    oracle.plot_frontier(path, rows, first["summary"]["oracle_entropy"], title)
    return [path]


def ablation_figure(results, output):
    import oracle_ablation

    record = load(results, "oracle_ablation/results.json")
    return [oracle_ablation.draw(record, os.path.join(output, "oracle_ablation.png"))]


def time_to_quality_figure(results, output):
    import time_to_quality

    record = load(results, "time_to_quality/results.json")
    return [time_to_quality.plot(os.path.join(output, "time_to_quality.png"), record)]


def speed_figure(results, output):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    record = load(results, "speed_paper.json")
    discriminators = list(dict.fromkeys(row["discriminator"] for row in record["variants"]))
    fig, axes = plt.subplots(1, len(discriminators), figsize=(12, 4.8), squeeze=False)
    for ax, discriminator in zip(axes[0], discriminators, strict=True):
        rows = [row for row in record["variants"] if row["discriminator"] == discriminator]
        positions = range(len(rows))
        medians = [row["median_ms"] for row in rows]
        spread = [
            [row["median_ms"] - row["min_ms"] for row in rows],
            [row["max_ms"] - row["median_ms"] for row in rows],
        ]
        colors = ["0.6" if row["variant"] == "naive" else "C0" for row in rows]
        ax.barh(positions, medians, xerr=spread, color=colors, capsize=3, height=0.65)
        floor = rows[0]["floor_ms"]
        ax.axvline(floor, color="C3", ls="--", lw=1.2, label=f"floor {floor:,.0f} ms")
        right = max(row["max_ms"] for row in rows)
        for position, row in zip(positions, rows, strict=True):
            ax.text(
                row["max_ms"] + 0.02 * right,
                position,
                f"{row['speedup_vs_naive']:.2f}x naive, {row['x_floor']:.2f}x floor",
                va="center",
                fontsize=8,
            )
        ax.set_yticks(list(positions), [row["variant"] for row in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, 1.7 * right)
        ax.set(
            title=f"{discriminator} discriminator",
            xlabel="ms per adversarial iteration (median; bars: min-max)",
        )
        ax.grid(axis="x", alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    config = record["config"]
    fig.suptitle(
        f"One reinforce iteration, V={config['vocabulary_size']} T={config['sequence_length']} "
        f"B={config['batch_size']} R={config['num_rollouts']} "
        f"({record['machine']['cpu_count']}-core CPU, {record['date'][:10]}, "
        f"commit {record['commit']})"
    )
    fig.tight_layout()
    path = os.path.join(output, "speed_paper.png")
    fig.savefig(path, dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return [path]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=OUTPUT, help="folder for the PNGs (created)")
    parser.add_argument("--results", default=RESULTS, help="the benchmark results folder")
    args = parser.parse_args(argv)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        message = "figures: matplotlib is not installed (pip install -e '.[plot]')"
        raise SystemExit(message) from None
    # Every input first, so that a missing file fails before anything is written.
    for name in SOURCES:
        load(args.results, name)
    os.makedirs(args.output, exist_ok=True)
    written = oracle_figures(args.results, args.output)
    written += scratch_figure(args.results, args.output)
    written += ablation_figure(args.results, args.output)
    written += time_to_quality_figure(args.results, args.output)
    written += speed_figure(args.results, args.output)
    for path in written:
        print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path) / 1024:.0f} KiB)")
    return written


if __name__ == "__main__":
    main()
