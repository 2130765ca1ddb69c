"""Time to quality on the SeqGAN paper's oracle: how long each objective takes, in wall
time, to lower NLL-oracle by a fixed amount from one shared MLE start (issue 22 item 3;
issue 28 item 4a's learning curves against wall time).

Every arm starts from the same MLE generator and a copy of the same pre-trained
discriminator (the ablation's: `oracle_ablation.py`'s `cpu` preset, its schedule and
learning rates) and trains for the same budget of *training* seconds; evaluations (NLL-
oracle of 10,000 samples at T=1 with a fixed seed, NLL-gen of held-out oracle samples)
stop the clock while they run. The arms:

- `reinforce_16`, `reinforce_8`, `reinforce_4`: `Reinforce` with its defaults (the loss
  summed over batch x time, no baseline) and 16, 8 or 4 rollouts;
- `..._baseline`: the same with `baseline="mean"` (each position's batch-mean reward
  subtracted, the only baseline `Reinforce` has);
- `gumbel`: `Gumbel` with its defaults, the temperature annealed from 2.0 towards 0.5
  by x0.95 every 20 steps, per step (the `cpu` preset's pace: one epoch is 20 steps
  there);
- `dense`: `DenseReward` and a `PrefixDiscriminator` (their defaults), no rollouts, its
  discriminator pre-trained from the MLE start as the shared one was (not timed), at the
  reference's Adam 0.01; `dense_lr_1e-3` at 1e-3.

The first step's tracing and compilation count: a user waits for them too. Reported per
arm and seed: the steps run, seconds per step, the final NLL-oracle and NLL-gen, the
margin below the MLE start's temperature frontier (> 0: better than sampling the MLE
model hotter or colder), and the training seconds at the first evaluation where NLL-
oracle was at least `--improvements` nats below the MLE start's (at T=1), or "not
reached". The machine's load average is recorded at every evaluation: figures measured
beside other work are slower than on an idle machine.

    python benchmarks/time_to_quality.py --mle-from benchmarks/results/oracle_cpu_mle \\
        --oracle ../shared/data/seqgan_oracle_lstm.npz --seeds 1 2
    python benchmarks/time_to_quality.py --preset smoke --arms reinforce_4,dense

Writes `results.json`, `table.md`, `time_to_quality.png` and every arm's generator
(`models/ARM-seedN.keras`) into `--output` (default
`benchmarks/results/time_to_quality[_smoke]/`). `--resume` keeps the rows already there
and trains only the missing arm-seed pairs, from the saved discriminator.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oracle as base  # noqa: E402
import oracle_ablation as ablation  # noqa: E402
from _machine import comma_names, command_line, machine_record, write_json  # noqa: E402

ARMS = {
    "reinforce_16": ("Reinforce, 16 rollouts", {"num_rollouts": 16}),
    "reinforce_8": ("Reinforce, 8 rollouts", {"num_rollouts": 8}),
    "reinforce_4": ("Reinforce, 4 rollouts", {"num_rollouts": 4}),
    "reinforce_16_baseline": (
        "Reinforce, 16 rollouts, batch-mean baseline",
        {"num_rollouts": 16, "baseline": "mean"},
    ),
    "reinforce_8_baseline": (
        "Reinforce, 8 rollouts, batch-mean baseline",
        {"num_rollouts": 8, "baseline": "mean"},
    ),
    "reinforce_4_baseline": (
        "Reinforce, 4 rollouts, batch-mean baseline",
        {"num_rollouts": 4, "baseline": "mean"},
    ),
    "gumbel": ("Gumbel, temperature 2.0 -> 0.5, x0.95 per 20 steps", {"gumbel": True}),
    "dense": ("DenseReward and a PrefixDiscriminator, no rollouts", {"dense": True}),
    # At the reference's Adam 0.01, `dense` collapsed (NLL-gen 9.07 -> 11.0 in 1,000
    # steps, seed 1): the same at a tenth of the rate.
    "dense_lr_1e-3": (
        "`dense` with Adam 1e-3 for the generator",
        {"dense": True, "g_learning_rate": 1e-3},
    ),
}

PRESETS = {
    # The ablation's schedule; every arm gets `budget` training seconds.
    "cpu": dict(ablation.PRESETS["cpu"], budget=200.0, eval_seconds=50.0, steps_per_epoch=2),
    "smoke": dict(ablation.PRESETS["smoke"], budget=4.0, eval_seconds=2.0, steps_per_epoch=1),
}
IMPROVEMENTS = (0.1, 0.2, 0.3)
MARGIN = 0.1  # nats below the MLE start's temperature frontier


def clock_callback(run, stage, config, generator):
    """Evaluates whenever the training clock passes a multiple of `eval_seconds` (and at
    the end), stops `fit` once it passes `budget`; evaluation time is not counted."""
    import keras

    budget, every = config["budget"], config["eval_seconds"]

    class Clock(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.started = time.perf_counter()
            self.evaluating = 0.0
            self.next = every
            self.steps = 0

        def on_train_batch_end(self, batch, logs=None):
            self.steps += 1
            if self.steps == 1:  # tracing and compiling included
                run.first_step_s = round(time.perf_counter() - self.started, 1)

        def on_epoch_end(self, epoch, logs=None):
            seconds = time.perf_counter() - self.started - self.evaluating
            if seconds < self.next and seconds < budget:
                return
            began = time.perf_counter()
            extra = {"train_s": round(seconds, 1), "load": round(os.getloadavg()[0], 2)}
            for key in ("d_acc", "reward_mean", "temperature"):
                if logs and key in logs:
                    extra[key] = round(float(logs[key]), 5)
            run.point(stage, self.steps, generator, **extra)
            self.evaluating += time.perf_counter() - began
            self.next = (math.floor(seconds / every) + 1) * every
            if seconds >= budget:
                self.model.stop_training = True

    return Clock()


def run_arm(name, seed, config, start, discriminator, real, run):
    import keras

    import keras_seqgan as ks
    from keras_seqgan.pipeline import copy_model

    _, spec = ARMS[name]
    generator = copy_model(start)
    if spec.get("dense"):
        critic = ablation.prefix_discriminator(start, real, config, seed)
        objective = ks.objectives.DenseReward()
        g_learning_rate = spec.get("g_learning_rate", config["g_learning_rate"]["reinforce"])
    else:
        critic = ablation.copy_discriminator(discriminator, {})
        if spec.get("gumbel"):
            objective = ks.objectives.Gumbel()
            g_learning_rate = config["g_learning_rate"]["gumbel"]
        else:
            objective = ks.objectives.Reinforce(**spec)
            g_learning_rate = config["g_learning_rate"]["reinforce"]
    gan = ks.SeqGAN(generator, critic, objective=objective, seed=seed)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(g_learning_rate),
        discriminator_optimizer=keras.optimizers.Adam(config["d_learning_rate"]),
        gradient_clip=5.0,
        d_steps=config["d_steps"],
        rollout_jit_compile=objective.name == "reinforce",
    )
    stage = f"{name} seed {seed}"
    first = len(run.points)
    callbacks = [clock_callback(run, stage, config, generator)]
    if spec.get("gumbel"):
        callbacks.insert(0, ks.callbacks.TemperatureAnnealing(decay=0.95 ** (1 / 20), per="step"))
    every = config["steps_per_epoch"]
    gan.fit(
        ks.data.sequence_dataset(real, batch_size=config["batch_size"], seed=seed, repeat=True),
        epochs=1_000_000 // every,  # the clock stops it
        steps_per_epoch=every,
        callbacks=callbacks,
        verbose=0,
    )
    points = run.points[first:]
    final = points[-1]
    return generator, {
        "arm": name,
        "seed": seed,
        "steps": final["step"],
        "first_step_s": run.first_step_s,
        "train_s": final["train_s"],
        # After the first step (tracing, compiling): the steady pace.
        "seconds_per_step": round(
            (final["train_s"] - run.first_step_s) / max(final["step"] - 1, 1), 3
        ),
        "nll_oracle": final["nll_oracle"],
        "nll_gen": final["nll_gen"],
        "mean_load": round(float(np.mean([p["load"] for p in points])), 2),
        "curve": [{k: p[k] for k in ("step", "train_s", "nll_oracle", "nll_gen")} for p in points],
    }


def time_to(curve, level, key="train_s"):
    """Training seconds (`key="step"`: generator steps) at the first evaluation with
    NLL-oracle <= `level` (None: never)."""
    return next((p[key] for p in curve if p["nll_oracle"] <= level), None)


def seconds_to_margin(curve, frontier):
    """Training seconds at the first evaluation `MARGIN` or more below `frontier` (None:
    never, or only outside the frontier's range)."""
    from keras_seqgan.evaluation import frontier_margin

    for point in curve:
        margin = frontier_margin(frontier, point)
        if margin is not None and margin >= MARGIN:
            return point["train_s"]
    return None


def summarize(rows, start_nll, frontier):
    """Per arm: means over seeds; the time to each improvement (`None` when a seed did not
    reach it); the margin below the MLE start's frontier of the mean final point; and the
    time to the final NLL-oracle of `reinforce_16` (the paper's rollout count)."""
    from keras_seqgan.evaluation import frontier_margin

    reference = [r for r in rows if r["arm"] == "reinforce_16"]
    summary = {}
    for arm in dict.fromkeys(row["arm"] for row in rows):
        mine = [row for row in rows if row["arm"] == arm]
        entry = {"seeds": [row["seed"] for row in mine]}
        keys = ("steps", "first_step_s", "seconds_per_step", "nll_oracle", "nll_gen", "mean_load")
        for key in keys:
            values = np.array([row[key] for row in mine], dtype=float)
            entry[key] = round(float(values.mean()), 4)
            if key in ("nll_oracle", "nll_gen"):
                entry[f"{key}_spread"] = round(float(values.max() - values.min()), 4)
        point = {"nll_oracle": entry["nll_oracle"], "nll_gen": entry["nll_gen"]}
        entry["margin_start"] = frontier_margin(frontier, point)
        for gain in IMPROVEMENTS:
            entry[f"seconds_to_{gain}"] = [time_to(r["curve"], start_nll - gain) for r in mine]
            # The same in steps: what a less busy (or busier) machine would not change.
            entry[f"steps_to_{gain}"] = [
                time_to(r["curve"], start_nll - gain, key="step") for r in mine
            ]
        # Quality at equal diversity, over time: the first evaluation whose point lies
        # `MARGIN` nats below the MLE start's frontier (NLL-oracle alone also falls when
        # the generator merely grows colder).
        entry["margin_start_seeds"] = [frontier_margin(frontier, r) for r in mine]
        entry[f"seconds_to_margin_{MARGIN}"] = [
            seconds_to_margin(r["curve"], frontier) for r in mine
        ]
        if reference:
            level = float(np.mean([r["nll_oracle"] for r in reference]))
            entry["reference_level"] = round(level, 4)
            entry["seconds_to_reference"] = [time_to(r["curve"], level) for r in mine]
        summary[arm] = entry
    return summary


def _seconds(values):
    """Seeds' times as a cell: their mean when every seed got there, else what each did."""
    if values and all(v is not None for v in values):
        return f"{np.mean(values):.0f} ({', '.join(f'{v:.0f}' for v in values)})"
    return ", ".join("not reached" if v is None else f"{v:.0f}" for v in values)


def table(summary, start_nll, budget):
    gains = " | ".join(f"s to -{g}" for g in IMPROVEMENTS)
    lines = [
        f"Training seconds (mean, then each seed) until NLL-oracle is that far below the MLE "
        f"start's {start_nll:.3f}; every arm had {budget:.0f} s.",
        "",
        f"| arm | steps | first step, s | s/step | NLL-oracle (spread) | NLL-gen (spread) | "
        f"below the MLE start's frontier | {gains} | s to `reinforce_16`'s final | "
        f"s to {MARGIN} below the frontier | load |",
        "|---|---:|---:|---:|---:|---:|---:|" + "---:|" * len(IMPROVEMENTS) + "---:|---:|---:|",
    ]
    for arm, e in summary.items():
        margin = "out of range" if e["margin_start"] is None else f"{e['margin_start']:+.3f}"
        times = " | ".join(_seconds(e[f"seconds_to_{g}"]) for g in IMPROVEMENTS)
        reference = _seconds(e["seconds_to_reference"]) if "seconds_to_reference" in e else ""
        lines.append(
            f"| `{arm}` | {e['steps']:.0f} | {e['first_step_s']:.1f} | "
            f"{e['seconds_per_step']:.2f} | "
            f"{e['nll_oracle']:.3f} ({e['nll_oracle_spread']:.3f}) | {e['nll_gen']:.3f} "
            f"({e['nll_gen_spread']:.3f}) | {margin} | {times} | {reference} | "
            f"{_seconds(e[f'seconds_to_margin_{MARGIN}'])} | {e['mean_load']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def plot(path, record):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib not installed: no time_to_quality.png", flush=True)
        return None
    from keras_seqgan.saving import atomic_path

    figure = Figure(figsize=(12, 5), layout="constrained")
    left, right = figure.subplots(1, 2)
    colours = {arm: f"C{i}" for i, arm in enumerate(ARMS)}
    start_nll = record["start_nll_oracle"]
    frontier = sorted(record["frontier"], key=lambda r: r["nll_gen"])
    right.plot([r["nll_gen"] for r in frontier], [r["nll_oracle"] for r in frontier], "k--o",
               ms=3, label="MLE start, T 0.5-1.2")  # fmt: skip
    seen = set()
    for row in record["rows"]:
        arm, curve = row["arm"], row["curve"]
        label = None if arm in seen else arm
        seen.add(arm)
        xs = [0.0] + [p["train_s"] for p in curve]
        ys = [start_nll] + [p["nll_oracle"] for p in curve]
        left.plot(xs, ys, "-o", ms=2, color=colours.get(arm), label=label)
        right.plot([p["nll_gen"] for p in curve], [p["nll_oracle"] for p in curve], "-",
                   color=colours.get(arm), alpha=0.5)  # fmt: skip
        right.plot(curve[-1]["nll_gen"], curve[-1]["nll_oracle"], "s", color=colours.get(arm),
                   label=label)  # fmt: skip
    for gain in IMPROVEMENTS:
        left.axhline(start_nll - gain, color="grey", lw=0.6, ls=":")
    left.set_xlabel("training seconds (evaluations not counted)")
    left.set_ylabel("NLL-oracle at T=1 (lower is better)")
    left.set_title("NLL-oracle against wall time, from one MLE start", fontsize=10)
    right.set_xlabel("NLL-gen (lower is better)")
    right.set_ylabel("NLL-oracle")
    right.set_title("Where each run went; squares: the end of the budget", fontsize=10)
    for axes in (left, right):
        axes.grid(alpha=0.3)
        axes.legend(fontsize=7)
    with atomic_path(path, suffix=".png") as temporary:
        figure.savefig(temporary, dpi=90)
    return path


def report(output):
    from keras_seqgan.saving import write_text

    with open(os.path.join(output, "results.json"), encoding="utf-8") as handle:
        record = json.load(handle)
    summary = summarize(record["rows"], record["start_nll_oracle"], record["frontier"])
    markdown = table(summary, record["start_nll_oracle"], record["config"]["budget"])
    write_text(os.path.join(output, "table.md"), markdown)
    plot(os.path.join(output, "time_to_quality.png"), record)
    return markdown


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preset", choices=sorted(PRESETS), default="cpu")
    parser.add_argument(
        "--oracle",
        default=os.path.join(HERE, "..", "..", "shared", "data", "seqgan_oracle_lstm.npz"),
    )
    parser.add_argument(
        "--mle-from", metavar="FOLDER", default=None,
        help="an oracle.py output folder with generator_mle.keras (default: train the MLE "
        "stage first, 20-60 minutes with the cpu preset)",
    )  # fmt: skip
    parser.add_argument("--arms", default=",".join(ARMS), help="comma-separated subset")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--budget", type=float, default=None,
                        help="training seconds per arm (default: the preset's)")  # fmt: skip
    parser.add_argument("--output", default=None)
    parser.add_argument("--seed", type=int, default=88, help="the oracle data's (as oracle.py)")
    parser.add_argument(
        "--resume", action="store_true",
        help="keep --output's rows and train only the missing arm-seed pairs",
    )  # fmt: skip
    parser.add_argument(
        "--report", action="store_true",
        help="train nothing: write table.md and the plot from results.json",
    )  # fmt: skip
    args = parser.parse_args(argv)
    args.arms = comma_names(parser, "--arms", args.arms, ARMS)
    if args.budget is not None and not args.budget > 0:
        parser.error(f"--budget must be a positive number of seconds. Received: {args.budget}")
    return args


def main(argv=None):
    args = parse_args(argv)
    suffix = "" if args.preset == "cpu" else f"_{args.preset}"
    output = args.output or os.path.join(HERE, "results", f"time_to_quality{suffix}")
    if args.report:
        print(report(output))
        return 0
    config = dict(PRESETS[args.preset])
    if args.budget is not None:
        config["budget"] = args.budget
    if not os.path.exists(args.oracle):
        raise SystemExit(f"--oracle: {args.oracle} does not exist (seqgan_oracle_lstm.npz)")
    os.makedirs(os.path.join(output, "models"), exist_ok=True)
    path = os.path.join(output, "results.json")
    earlier = None
    if args.resume and os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            earlier = json.load(handle)
        if (
            earlier["config"] != json.loads(json.dumps(config))
            or earlier["oracle_seed"] != args.seed
        ):
            raise SystemExit(f"--resume: {path} was written with other settings; use another "
                             "--output or the same settings.")  # fmt: skip

    import keras

    import keras_seqgan as ks

    keras.utils.set_random_seed(args.seed)
    seed = args.seed
    oracle = ks.data.OracleLSTM.from_file(args.oracle)
    real = oracle.sample(config["num_train"], seed=seed + 1)
    validation = oracle.sample(config["num_eval"], seed=seed + 2)
    held_out = oracle.sample(config["num_eval"], seed=seed + 3)
    # The ablation's evaluator: the same samples' seed, so its frontier is this one's.
    run = base.Run(base.Evaluator(oracle, held_out, config["num_eval"], seed + 4))
    if args.mle_from:
        start, _, _ = base.load_mle_stage(run, args.mle_from, seed)
    else:
        start, _, _ = base.mle_stage(run, config, oracle, real, validation, seed + 5, verbose=0)
    run.points.clear()  # only this run's arms
    saved = os.path.join(output, "discriminator_pretrained.keras")
    if earlier is not None and os.path.exists(saved):
        discriminator = keras.saving.load_model(saved)
        frontier = earlier["frontier"]
    else:
        discriminator, _ = base.discriminator_stage(
            run, config, oracle, start, real, held_out, seed + 100
        )
        ks.saving.save_model(discriminator, saved)
        frontier = base.frontier(run, {"start": (start, config["mle_temperatures"])}, config)
    start_nll = next(r["nll_oracle"] for r in frontier if r["temperature"] == 1.0)
    rows = list(earlier["rows"]) if earlier else []
    commands = [*(earlier.get("commands", []) if earlier else []), command_line(__file__, argv)]
    done = {(row["arm"], row["seed"]) for row in rows}

    def write(status):
        write_json(path, {
            "benchmark": "time_to_quality",
            "status": status,
            **machine_record(),
            "command": command_line(__file__, argv),
            "commands": commands,
            "preset": args.preset,
            "config": json.loads(json.dumps(config)),
            "oracle_seed": args.seed,
            "mle_from": args.mle_from,
            "start_nll_oracle": start_nll,
            "frontier": frontier,
            "arms": {arm: ARMS[arm][0] for arm in dict.fromkeys(r["arm"] for r in rows)},
            "rows": rows,
            "summary": summarize(rows, start_nll, frontier) if rows else {},
        })  # fmt: skip

    for arm in args.arms:
        for arm_seed in args.seeds:
            if (arm, arm_seed) in done:
                continue
            print(f"\n== arm {arm}, seed {arm_seed}: {ARMS[arm][0]}", flush=True)
            generator, row = run_arm(arm, arm_seed, config, start, discriminator, real, run)
            ks.saving.save_model(
                generator, os.path.join(output, "models", f"{arm}-seed{arm_seed}.keras")
            )
            rows.append(row)
            print({k: v for k, v in row.items() if k != "curve"}, flush=True)
            write(f"after {arm} seed {arm_seed}")
    write("complete")
    print("\n" + report(output), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
