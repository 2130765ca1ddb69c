"""Issue 18's ablation on the SeqGAN paper's oracle: from one shared MLE start and one
pre-trained discriminator, each difference of recipe switched alone, several seeds each.

Every arm starts from the same generator (the MLE model, final or early-stopped) and a
copy of the same pre-trained discriminator, and trains `--steps` generator steps with
the `cpu` preset's Keras schedule (`d_steps` discriminator updates on fresh fakes, then
one generator update, per `fit` step). What an arm changes is listed in `ARMS`. After
training: NLL-oracle (of 10,000 samples at T=1) and NLL-gen (of held-out oracle samples),
and the margin below the temperature frontier of the MLE start and of the early-stopped
MLE model at the arm's NLL-gen (> 0 is better than sampling the MLE model colder or
hotter). `d_acc` (training batches) and `val_d_acc` (512 held-out real rows against fresh
fakes) show whether the discriminator memorizes.

    python benchmarks/oracle_ablation.py --mle-from benchmarks/results/oracle_cpu \\
        --oracle ../shared/data/seqgan_oracle_lstm.npz --seeds 1 2 --steps 100
    python benchmarks/oracle_ablation.py --preset smoke --arms reinforce,constant_reward

`--mle-from` takes an `oracle.py` output folder (with its `generator_mle*.keras`);
without it the MLE stage is trained first (120 epochs with the `cpu` preset: 20-60 minutes
on 2 cores). Writes `results.json` (every row, the per-arm means and spreads, the
frontiers), `table.md`, `ablation.png`, the pre-trained discriminator and every arm's
trained generator (`models/ARM-seedN.keras`, to re-score with any evaluator) into
`--output` (default `benchmarks/results/oracle_ablation[_smoke]/`). `--resume` keeps the
rows an earlier run with the same settings wrote there and trains only the missing ones
(from the saved discriminator), so a long ablation can run in parts; `--report` writes the
table and the plot from the rows there, training nothing (after a run stopped part-way).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oracle as base  # noqa: E402
from _machine import comma_names, command_line, machine_record, write_json  # noqa: E402

# The reference recipe's objective, spelled out so that a change of `Reinforce`'s
# defaults cannot change what the committed rows measured: the loss averaged over batch x
# time (the default until issue 18's ablation made "sum" the default).
REFERENCE_OBJECTIVE = {"reduction": "mean"}

# Each arm: (what it changes, its overrides of the reference recipe).
ARMS = {
    "reinforce": ("the reference: Reinforce, the cpu preset's schedule", {}),
    "rollout_rate_0": (
        "the rollouts use the current generator (the authors' code in effect)",
        {"objective": {"rollout_update_rate": 0.0}},
    ),
    "sum": (
        "the loss summed over batch x time (the authors')",
        {"objective": {"reduction": "sum"}},
    ),
    "sum_constant_reward": (
        "control for `sum`: summed loss, every reward 0.5, no discriminator",
        {"objective": {"reduction": "sum"}, "constant_reward": True},
    ),
    "sum_baseline_mean": (
        "`sum` with each position's batch-mean reward subtracted (D's signal alone)",
        {"objective": {"reduction": "sum", "baseline": "mean"}},
    ),
    "baseline_mean": (
        "each position's batch-mean reward subtracted",
        {"objective": {"baseline": "mean"}},
    ),
    "output_l2": ("the authors' output-layer L2 (0.2) on D", {"discriminator": {"output_l2": 0.2}}),
    "d_dropout_0.5": (
        "dropout 0.5 in D (0.25 is the default)",
        {"discriminator": {"dropout": 0.5}},
    ),
    "d_steps_1": (
        "1 discriminator update a step (3 in the reference)",
        {"compile": {"d_steps": 1}},
    ),
    "d_every_4": ("the discriminator trained every 4th step", {"compile": {"d_train_interval": 4}}),
    "label_smoothing": (
        "one-sided label smoothing 0.1 for D (real rows' target 0.9)",
        {"objective": {"label_smoothing": 0.1}},
    ),
    "d_refit": (
        "D trained only by refits, as the authors' loop: every 10 generator steps one "
        "epoch on the real rows against as many fresh negatives",
        {"refit_every": 10},
    ),
    "sum_d_refit": (
        "`d_refit` with the summed policy-gradient loss (today's default)",
        {"objective": {"reduction": "sum"}, "refit_every": 10},
    ),
    "log_reward": (
        "rewards log D (floored at 1e-6) instead of D",
        {"objective": {"reward": "log"}},
    ),
    "log_reward_baseline": (
        "rewards log D, each position's batch mean subtracted",
        {"objective": {"reward": "log", "baseline": "mean"}},
    ),
    "hinge": ("hinge loss for D (rewards stay sigmoid(logit))", {"objective": {"loss": "hinge"}}),
    "least_squares": ("least-squares loss for D", {"objective": {"loss": "least_squares"}}),
    "sum_least_squares": (
        "least-squares loss for D and the summed policy-gradient loss",
        {"objective": {"loss": "least_squares", "reduction": "sum"}},
    ),
    "rollouts_x4": ("4x the rollouts", {"rollout_factor": 4}),
    "adam_eps_1e-10": ("Adam epsilon 1e-10 for G (Keras: 1e-7)", {"g_epsilon": 1e-10}),
    "constant_reward": (
        "control: every reward 0.5, no discriminator (the entropy reduction alone)",
        {"constant_reward": True},
    ),
    "dense": (
        "ScratchGAN's dense rewards, no rollouts: DenseReward and a PrefixDiscriminator "
        "(their defaults) pre-trained from the MLE start as the shared discriminator was",
        {"dense": {}},
    ),
    "dense_sum": (
        "`dense` with the policy-gradient loss summed over batch x time",
        {"dense": {"reduction": "sum"}},
    ),
    "gumbel": ("Gumbel, standard loss, temperature annealed 2.0 -> 0.5", {"gumbel": {}}),
    "gumbel_relativistic": (
        "Gumbel, relativistic loss (RelGAN's)",
        {"gumbel": {"loss": "relativistic"}},
    ),
    "gumbel_hinge": ("Gumbel, hinge loss", {"gumbel": {"loss": "hinge"}}),
}

PRESETS = {
    "cpu": dict(base.PRESETS["cpu"], steps=100, eval_every=50, num_rollouts=4, validation_rows=512),
    "smoke": dict(base.PRESETS["smoke"], steps=2, eval_every=1, num_rollouts=2, validation_rows=64),
}


class ConstantLogit:
    """Builds a discriminator that gives every sequence the logit 0 (reward 0.5)."""

    @staticmethod
    def make(sequence_length):
        import keras
        from keras import ops

        class Constant(keras.Model):
            conditions = None

            def call(self, inputs, training=False):
                return ops.zeros((ops.shape(inputs)[0], 1), "float32")

        model = Constant(name="constant_logit")
        model.sequence_length = sequence_length
        return model


def copy_discriminator(discriminator, overrides):
    """A copy of the pre-trained discriminator, with config `overrides` (same weights)."""
    config = {**discriminator.get_config(), **overrides}
    clone = discriminator.__class__.from_config(config)
    clone.set_weights(discriminator.get_weights())
    return clone


def prefix_discriminator(start, real, config, seed):
    """A `PrefixDiscriminator` (its defaults: ScratchGAN's layer normalization, dropout
    and L2) pre-trained on the rounds of fresh negatives from `start` that the shared
    discriminator had (`d_pretrain_rounds` x `d_pretrain_epochs`)."""
    import keras

    import keras_seqgan as ks

    critic = ks.models.PrefixDiscriminator(
        vocabulary_size=start.vocabulary_size, sequence_length=start.sequence_length, seed=seed
    )
    critic.compile(optimizer=keras.optimizers.Adam(config["d_learning_rate"]))
    rounds, epochs = config["d_pretrain_rounds"], config["d_pretrain_epochs"]
    base.train_discriminator(critic, start, real, rounds, epochs, config, seed + 100)
    return critic


def refit_callback(discriminator, generator, real, config, every, seed):
    """Every `every` generator steps: one epoch of `discriminator` on the real rows
    against as many fresh samples of the current generator (`base.train_discriminator`,
    round seed `seed + step`). TensorFlow only: on JAX, `fit` holds the variables apart
    from the models until the epoch ends."""
    import keras

    if keras.backend.backend() != "tensorflow":
        raise SystemExit("the d_refit arm runs on TensorFlow only (KERAS_BACKEND=tensorflow)")

    class Refit(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.steps = 0

        def on_train_batch_end(self, batch, logs=None):
            self.steps += 1
            if self.steps % every == 0:
                base.train_discriminator(
                    discriminator, generator, real, 1, 1, config, seed + self.steps
                )
                print(f"  discriminator refit after generator step {self.steps}", flush=True)

    return Refit()


def run_arm(name, seed, config, start, discriminator, real, held_out, run):
    import keras

    import keras_seqgan as ks
    from keras_seqgan.pipeline import copy_model

    _, spec = ARMS[name]
    generator = copy_model(start)
    rollouts = config["num_rollouts"] * spec.get("rollout_factor", 1)
    compile_args = {"d_steps": config["d_steps"], **spec.get("compile", {})}
    if spec.get("constant_reward"):
        critic = ConstantLogit.make(generator.sequence_length)
        compile_args["d_steps"] = 0
    elif "dense" in spec:
        critic = prefix_discriminator(start, real, config, seed)
    else:
        critic = copy_discriminator(discriminator, spec.get("discriminator", {}))
    if spec.get("refit_every"):
        compile_args["d_steps"] = 0  # trained by the refits alone
        critic.compile(optimizer=keras.optimizers.Adam(config["d_learning_rate"]))
    if "gumbel" in spec:
        objective = ks.objectives.Gumbel(**spec["gumbel"])
        g_learning_rate = config["g_learning_rate"]["gumbel"]
    elif "dense" in spec:
        objective = ks.objectives.DenseReward(**spec["dense"])
        g_learning_rate = config["g_learning_rate"]["reinforce"]  # the reference's
    else:
        objective = ks.objectives.Reinforce(
            num_rollouts=rollouts, **{**REFERENCE_OBJECTIVE, **spec.get("objective", {})}
        )
        g_learning_rate = config["g_learning_rate"]["reinforce"]
    gan = ks.SeqGAN(generator, critic, objective=objective, seed=seed)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(
            g_learning_rate, epsilon=spec.get("g_epsilon", 1e-7)
        ),
        discriminator_optimizer=keras.optimizers.Adam(config["d_learning_rate"]),
        gradient_clip=5.0,
        rollout_jit_compile=objective.name == "reinforce",
        **compile_args,
    )
    stage = f"{name} seed {seed}"
    every = config["eval_every"]
    callbacks = [base.evaluation_callback(run, stage, 1, steps_per_epoch=every)]
    if "gumbel" in spec:
        callbacks.insert(0, ks.callbacks.TemperatureAnnealing())
    if spec.get("refit_every"):
        callbacks.insert(0, refit_callback(critic, generator, real, config,
                                           spec["refit_every"], 1000 * seed))  # fmt: skip
    validation = None
    if not spec.get("constant_reward"):
        validation = ks.data.sequence_dataset(
            held_out[: config["validation_rows"]], batch_size=256, shuffle=False,
            drop_remainder=False,
        )  # fmt: skip
    started = time.perf_counter()
    history = gan.fit(
        ks.data.sequence_dataset(real, batch_size=config["batch_size"], seed=seed, repeat=True),
        epochs=config["steps"] // every,
        steps_per_epoch=every,
        validation_data=validation,
        callbacks=callbacks,
        verbose=0,
    )
    seconds = time.perf_counter() - started
    final = run.points[-1]
    logs = {key: values[-1] for key, values in history.history.items()}
    return generator, {
        "arm": name,
        "seed": seed,
        "nll_oracle": final["nll_oracle"],
        "nll_gen": final["nll_gen"],
        "d_acc": _rounded(logs.get("d_acc")),
        "val_d_acc": _rounded(logs.get("val_d_acc")),
        "reward_mean": _rounded(logs.get("reward_mean")),
        "skipped": int(logs.get("g_skipped", 0)) + int(logs.get("d_skipped", 0)),
        "seconds": round(seconds, 1),
    }


def _rounded(value):
    return None if value is None else round(float(value), 5)


def summarize(rows, frontiers):
    """Per arm: the mean over seeds, the spread (max - min), and the frontier margins."""
    from keras_seqgan.evaluation import frontier_margin

    summary = {}
    for arm in dict.fromkeys(row["arm"] for row in rows):
        mine = [row for row in rows if row["arm"] == arm]
        entry = {"seeds": [row["seed"] for row in mine]}
        for key in ("nll_oracle", "nll_gen"):
            values = np.array([row[key] for row in mine])
            entry[key] = round(float(values.mean()), 5)
            entry[f"{key}_spread"] = round(float(values.max() - values.min()), 5)
        point = {"nll_oracle": entry["nll_oracle"], "nll_gen": entry["nll_gen"]}
        for name, frontier_rows in frontiers.items():
            entry[f"margin_{name}"] = frontier_margin(frontier_rows, point)
        summary[arm] = entry
    return summary


def table(summary, descriptions):
    lines = [
        "| arm | what changes | NLL-oracle (spread) | NLL-gen (spread) | below the MLE start's "
        "frontier | below the early-stopped MLE's frontier |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for arm, entry in summary.items():
        margins = [entry.get("margin_start"), entry.get("margin_early")]
        cells = ["out of range" if m is None else f"{m:+.3f}" for m in margins]
        lines.append(
            f"| `{arm}` | {descriptions[arm]} | {entry['nll_oracle']:.3f} "
            f"({entry['nll_oracle_spread']:.3f}) | {entry['nll_gen']:.3f} "
            f"({entry['nll_gen_spread']:.3f}) | {cells[0]} | {cells[1]} |"
        )
    return "\n".join(lines) + "\n"


def plot(path, summary, frontiers, title):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        print("matplotlib not installed: no ablation.png", flush=True)
        return None
    figure = Figure(figsize=(8, 6), layout="constrained")
    axes = figure.add_subplot()
    for name, rows in frontiers.items():
        rows = sorted(rows, key=lambda r: r["nll_gen"])
        label = f"MLE {name}, T from {min(r['temperature'] for r in rows)} to " + str(
            max(r["temperature"] for r in rows)
        )
        xs, ys = [r["nll_gen"] for r in rows], [r["nll_oracle"] for r in rows]
        axes.plot(xs, ys, "o--", label=label)
    for arm, entry in summary.items():
        axes.errorbar(entry["nll_gen"], entry["nll_oracle"], xerr=entry["nll_gen_spread"] / 2,
                      yerr=entry["nll_oracle_spread"] / 2, fmt="s", capsize=3)  # fmt: skip
        axes.annotate(arm, (entry["nll_gen"], entry["nll_oracle"]), fontsize=7,
                      xytext=(3, 3), textcoords="offset points")  # fmt: skip
    axes.set_xlabel("NLL-gen (diversity; lower is better)")
    axes.set_ylabel("NLL-oracle (quality; lower is better)")
    axes.set_title(title, fontsize=10)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    from keras_seqgan.saving import atomic_path

    with atomic_path(path, suffix=".png") as temporary:
        figure.savefig(temporary, dpi=110)
    return path


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preset", choices=sorted(PRESETS), default="cpu")
    parser.add_argument(
        "--oracle",
        default=os.path.join(HERE, "..", "..", "shared", "data", "seqgan_oracle_lstm.npz"),
    )
    parser.add_argument("--mle-from", metavar="FOLDER", default=None)
    parser.add_argument("--start", choices=["final", "early-stopped"], default="final")
    parser.add_argument("--arms", default=",".join(ARMS), help="comma-separated subset")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--steps", type=int, default=None, help="default: the preset's")
    parser.add_argument("--output", default=None)
    parser.add_argument("--seed", type=int, default=88, help="the oracle data's (as oracle.py)")
    parser.add_argument(
        "--resume", action="store_true",
        help="keep the rows of --output's results.json (same preset, start, seed, steps) and "
        "train only the missing arm-seed pairs, from its saved discriminator",
    )  # fmt: skip
    parser.add_argument(
        "--report", action="store_true",
        help="train nothing: write table.md and ablation.png from --output's results.json",
    )  # fmt: skip
    args = parser.parse_args(argv)
    args.arms = comma_names(parser, "--arms", args.arms, ARMS)
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.report:
        print(report(args.output or os.path.join(HERE, "results", "oracle_ablation")))
        return 0
    config = dict(PRESETS[args.preset])
    if args.steps is not None:
        config["steps"] = args.steps
    if config["steps"] % config["eval_every"]:
        raise SystemExit(f"--steps must be a multiple of {config['eval_every']}")
    if not os.path.exists(args.oracle):
        raise SystemExit(f"--oracle: {args.oracle} does not exist (seqgan_oracle_lstm.npz)")
    suffix = "" if args.preset == "cpu" else f"_{args.preset}"
    output = args.output or os.path.join(HERE, "results", f"oracle_ablation{suffix}")
    os.makedirs(output, exist_ok=True)
    earlier = previous_run(output, args, config) if args.resume else None

    import keras

    import keras_seqgan as ks

    keras.utils.set_random_seed(args.seed)
    seed = args.seed
    oracle = ks.data.OracleLSTM.from_file(args.oracle)
    real = oracle.sample(config["num_train"], seed=seed + 1)
    validation = oracle.sample(config["num_eval"], seed=seed + 2)
    held_out = oracle.sample(config["num_eval"], seed=seed + 3)
    run = base.Run(base.Evaluator(oracle, held_out, config["num_eval"], seed + 4))
    started = time.perf_counter()
    if args.mle_from:
        final, early, early_epoch = base.load_mle_stage(run, args.mle_from, seed)
    else:
        final, early, early_epoch = base.mle_stage(
            run, config, oracle, real, validation, seed + 5, verbose=0
        )
    start = final if args.start == "final" else early
    saved_discriminator = os.path.join(output, "discriminator_pretrained.keras")
    if earlier is not None and os.path.exists(saved_discriminator):
        discriminator = keras.saving.load_model(saved_discriminator)
        accuracy = earlier["discriminator_pretrain_accuracy"]
        print(f"pre-trained discriminator loaded from {saved_discriminator}", flush=True)
    else:
        discriminator, accuracy = base.discriminator_stage(
            run, config, oracle, start, real, held_out, seed + 100
        )
        ks.saving.save_model(discriminator, saved_discriminator)
    if earlier is not None and earlier.get("frontiers"):
        frontiers = earlier["frontiers"]  # the same MLE models, seeds and temperatures
    else:
        frontier_rows = base.frontier(
            run, {"start": (start, config["mle_temperatures"]),
                  "early": (early, config["mle_temperatures"])}, config,
        )  # fmt: skip
        frontiers = {
            name: [r for r in frontier_rows if r["model"] == name] for name in ("start", "early")
        }
    rows = list(earlier["rows"]) if earlier else []
    if earlier:
        run.points[:] = earlier["points"]  # its MLE curve and its arms' evaluations
    done = {(row["arm"], row["seed"]) for row in rows}
    if done:
        print(f"--resume: {len(done)} arm-seed rows kept from {output}", flush=True)
    # What a resumed record carries beyond its rows: every command that added rows, and
    # the notes written into it by hand.
    kept = {key: earlier[key] for key in ("mle_from_committed", "discriminator_note")
            if earlier and key in earlier}  # fmt: skip
    commands = [*(earlier.get("commands", []) if earlier else []), command_line(__file__, argv)]
    record = {}

    def write(status):
        summary = summarize(rows, frontiers) if rows else {}
        record.update(
            {
                "benchmark": "oracle_ablation",
                "status": status,
                **machine_record(),
                "command": command_line(__file__, argv),
                "preset": args.preset,
                "config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in config.items()},
                "start": args.start,
                "oracle_seed": args.seed,
                "mle_from": args.mle_from,
                "early_stopped_epoch": early_epoch,
                "discriminator_pretrain_accuracy": accuracy,
                "arms": {arm: ARMS[arm][0] for arm in dict.fromkeys(r["arm"] for r in rows)},
                "seeds": sorted({row["seed"] for row in rows}),
                "frontiers": frontiers,
                "rows": rows,
                "summary": summary,
                "points": run.points,
                "total_seconds": round(time.perf_counter() - started, 1),
                "commands": commands,
                **kept,
            }
        )
        write_json(os.path.join(output, "results.json"), record)
        return summary

    models = os.path.join(output, "models")
    os.makedirs(models, exist_ok=True)
    for arm in args.arms:
        for arm_seed in args.seeds:
            if (arm, arm_seed) in done:
                continue
            print(f"\n== arm {arm}, seed {arm_seed}: {ARMS[arm][0]}", flush=True)
            generator, row = run_arm(
                arm, arm_seed, config, start, discriminator, real, held_out, run
            )
            ks.saving.save_model(generator, os.path.join(models, f"{arm}-seed{arm_seed}.keras"))
            rows.append(row)
            print(row, flush=True)
            write(f"after {arm} seed {arm_seed}")
    write("complete")
    print("\n" + report(output), flush=True)
    return 0


def report(output):
    """`table.md` and `ablation.png` from `output`'s results.json (`--report`: also after
    a run that was stopped part-way; its rows so far)."""
    from keras_seqgan.saving import write_text

    with open(os.path.join(output, "results.json"), encoding="utf-8") as handle:
        record = json.load(handle)
    summary = summarize(record["rows"], record["frontiers"])
    markdown = table(summary, {arm: ARMS[arm][0] for arm in summary})
    write_text(os.path.join(output, "table.md"), markdown)
    draw(record, os.path.join(output, "ablation.png"), summary)
    return markdown


def draw(record, path, summary=None):
    """The ablation plot of a results.json `record` (also `benchmarks/figures.py`'s)."""
    summary = summary or summarize(record["rows"], record["frontiers"])
    seeds = sorted({row["seed"] for row in record["rows"]})
    return plot(path, summary, record["frontiers"],
                f"Ablation on the paper's oracle, {record['config']['steps']} generator "
                f"steps, seeds {seeds}")  # fmt: skip


def previous_run(output, args, config):
    """The record `--resume` continues: None when there is none; an error when its
    settings differ (its rows would not compare with new ones)."""
    path = os.path.join(output, "results.json")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        earlier = json.load(handle)
    mine = {"preset": args.preset, "start": args.start, "config": config}
    theirs = {key: earlier.get(key) for key in mine}
    # A JSON round trip makes `mine` what results.json holds (tuples become lists).
    if theirs != json.loads(json.dumps(mine)) or earlier.get("oracle_seed", args.seed) != args.seed:
        raise SystemExit(
            f"--resume: {path} was written with other settings (preset, start, steps or "
            "seed); its rows would not compare. Use another --output, or the same settings."
        )
    return earlier


if __name__ == "__main__":
    sys.exit(main())
