"""The SeqGAN paper's synthetic experiment, end to end, against the paper's own oracle.

Stages: MLE pre-training of the generator (keeping the paper's final model and an
early-stopped one, picked by NLL on a validation set of oracle samples), discriminator
pre-training, adversarial training for each objective, and a quality-diversity frontier:
every model sampled at several temperatures, NLL-oracle (quality) against NLL-gen
(diversity). Temperature-tuned MLE is the honest baseline of language GANs (Caccia et al.,
2020): a lower NLL-oracle alone can be bought by sampling colder. Every NLL figure is
measured at sampling temperature 1.0 unless it says otherwise.

Presets:

- `paper`: the SeqGAN recipe (Yu et al., 2017, and the authors' code): 120 MLE epochs;
  discriminator pre-training 50 x (10,000 fresh negatives, 3 epochs); 200 adversarial
  iterations of 1 generator step with 16 rollouts then 5 x (10,000 fresh negatives, 3
  discriminator epochs); Adam 0.01 for G, 1e-4 for D; the paper's discriminator;
  NLL-oracle on 10,000 samples every 5 iterations. Hours on a CPU.
- `cpu`: the same oracle, generator and MLE stage; a smaller discriminator and the
  Keras-natural schedule (each `fit` step: `d_steps` discriminator updates on fresh fakes,
  then one generator update), for `reinforce` and `gumbel`. About 45 minutes on 2 cores.
- `smoke`: a minute, for tests.

Outputs in `--output`: `results.json` (every evaluation point, stage wall times, the
frontier, the targets), `curves.csv`, `curves.png` (with the paper's reference lines and
the authors' logged curve), `frontier.png`, and the trained models (`.keras`).

    python benchmarks/oracle.py --preset cpu --oracle ../shared/data/seqgan_oracle_lstm.npz
    python benchmarks/oracle.py --preset paper --stages mle --oracle ...   # the MLE stage only
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _machine import (  # noqa: E402
    apply_overrides,
    comma_names,
    command_line,
    endless,
    machine_record,
    write_json,
)

PAPER_MLE = 9.038  # SeqGAN paper, table 1
PAPER_SEQGAN = 8.736
# NLL-oracle from the authors' log, LantaoYu/SeqGAN save/experiment-log.txt (evaluated
# after the epoch numbered, counted from 0, every 5 epochs / adversarial iterations).
AUTHORS_MLE_LOG = [10.1716, 9.42939, 9.2388, 9.11899, 9.13099, 9.14474, 9.12539, 9.13982, 9.135,
                   9.13081, 9.10678, 9.10694, 9.10349, 9.10403, 9.07613, 9.091, 9.08909,
                   9.0807, 9.08434, 9.08936, 9.07443, 9.08305, 9.06973, 9.07058]  # fmt: skip
AUTHORS_ADVERSARIAL_LOG = [9.08457, 9.04511, 9.03079, 8.99239, 8.96401, 8.93864, 8.91642,
                           8.87761, 8.88582, 8.8592, 8.83388, 8.81342, 8.80247, 8.77778,
                           8.7567, 8.73002, 8.72488, 8.72233, 8.71473, 8.71163, 8.70113,
                           8.69879, 8.69208, 8.69291, 8.68371, 8.689, 8.68989, 8.68269,
                           8.68647, 8.68066, 8.6832]  # fmt: skip

PRESETS = {
    "paper": dict(
        num_train=10_000,
        num_eval=10_000,
        batch_size=64,
        mle_epochs=120,
        mle_learning_rate=0.01,
        mle_eval_every=5,
        generator_initializer="paper",
        discriminator="paper",
        d_pretrain_rounds=50,
        d_pretrain_epochs=3,
        d_learning_rate=1e-4,
        schedule="paper",
        adversarial_steps={"reinforce": 200, "gumbel": 200},
        adversarial_eval_every=5,
        g_learning_rate={"reinforce": 0.01, "gumbel": 0.01},
        num_rollouts=16,
        d_rounds=5,
        d_epochs=3,
        d_steps=1,
        annealing={"reinforce": False, "gumbel": True},
        objectives=("reinforce",),
        mle_temperatures=(0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2),
        adversarial_temperatures=(0.9, 1.0, 1.1),
    ),
    "cpu": dict(
        num_train=10_000,
        num_eval=10_000,
        batch_size=64,
        mle_epochs=120,
        mle_learning_rate=0.01,
        mle_eval_every=10,
        generator_initializer="paper",
        discriminator="small",
        d_pretrain_rounds=10,
        d_pretrain_epochs=3,
        d_learning_rate=1e-4,
        schedule="keras",
        adversarial_steps={"reinforce": 200, "gumbel": 400},
        adversarial_eval_every=20,
        g_learning_rate={"reinforce": 0.01, "gumbel": 1e-3},
        num_rollouts=16,
        d_rounds=0,
        d_epochs=0,
        d_steps=3,
        annealing={"reinforce": False, "gumbel": True},
        objectives=("reinforce", "gumbel"),
        mle_temperatures=(0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2),
        adversarial_temperatures=(0.9, 1.0, 1.1),
    ),
    "smoke": dict(
        num_train=256,
        num_eval=256,
        batch_size=32,
        mle_epochs=2,
        mle_learning_rate=0.01,
        mle_eval_every=1,
        generator_initializer="keras",
        discriminator="small",
        d_pretrain_rounds=1,
        d_pretrain_epochs=1,
        d_learning_rate=1e-4,
        schedule="keras",
        adversarial_steps={"reinforce": 2, "gumbel": 2},
        adversarial_eval_every=1,
        g_learning_rate={"reinforce": 0.01, "gumbel": 1e-3},
        num_rollouts=2,
        d_rounds=1,
        d_epochs=1,
        d_steps=1,
        annealing={"reinforce": False, "gumbel": True},
        objectives=("reinforce", "gumbel"),
        mle_temperatures=(0.8, 1.0),
        adversarial_temperatures=(1.0,),
    ),
}
# The SeqGAN authors' code draws every generator weight from N(0, 0.1); "keras" is
# Keras's defaults (Glorot, orthogonal recurrent kernel, forget-gate bias 1).
INITIALIZERS = {"keras": None, "paper": {"class_name": "RandomNormal", "config": {"stddev": 0.1}}}
STAGES = ("mle", "discriminator", "adversarial", "frontier")
SMALL_FILTERS = (1, 2, 3, 4, 5, 8, 10, 15, 20)


# ------------------------------------------------------------------ evaluation
class Evaluator:
    """NLL-oracle of `num_eval` generated samples and NLL-gen of held-out oracle samples.

    The generated samples come from a fixed seed at every evaluation, so points compare
    on the same noise; both figures at the given sampling temperature.
    """

    def __init__(self, oracle, held_out, num_eval, seed):
        self.oracle, self.held_out, self.num_eval, self.seed = oracle, held_out, num_eval, seed

    def __call__(self, generator, temperature=1.0):
        import keras_seqgan as ks

        samples = generator.generate(self.num_eval, temperature=temperature, seed=self.seed)
        return {
            "nll_oracle": ks.evaluation.nll_oracle(self.oracle, samples),
            "nll_gen": ks.evaluation.nll_gen(generator, self.held_out, temperature=temperature),
        }


class Run:
    """Collects evaluation points and stage times; prints progress as it goes."""

    def __init__(self, evaluator):
        self.evaluate = evaluator
        self.points: list[dict] = []
        self.stage_seconds: dict[str, float] = {}
        self.models: dict[str, dict] = {}
        self.started = time.perf_counter()

    def point(self, stage, step, generator, **extra):
        values = self.evaluate(generator)
        row = {
            "stage": stage,
            "step": int(step),
            "nll_oracle": round(values["nll_oracle"], 5),
            "nll_gen": round(values["nll_gen"], 5),
            "wall_s": round(time.perf_counter() - self.started, 1),
            **extra,
        }
        self.points.append(row)
        details = "".join(f"  {k} {v}" for k, v in extra.items())
        print(
            f"[{stage} {step}] NLL-oracle {row['nll_oracle']:.4f}  NLL-gen "
            f"{row['nll_gen']:.4f}{details}  ({row['wall_s']:.0f} s)",
            flush=True,
        )
        return row


def evaluation_callback(run, stage, every, steps_per_epoch=1, on_evaluated=None):
    import keras

    class Evaluate(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if (epoch + 1) % every:
                return
            generator = getattr(self.model, "generator", self.model)
            extra = {}
            for key in ("val_loss", "d_acc", "val_d_acc", "reward_mean", "temperature"):
                if logs and key in logs:
                    extra[key] = round(float(logs[key]), 5)
            row = run.point(stage, (epoch + 1) * steps_per_epoch, generator, **extra)
            if on_evaluated is not None:
                on_evaluated(row, self.model)

    return Evaluate()


# ---------------------------------------------------------------------- stages
def mle_stage(run, config, oracle, real, validation, seed, verbose):
    import keras

    import keras_seqgan as ks
    from keras_seqgan.pipeline import copy_model

    generator = ks.models.Generator(
        vocabulary_size=oracle.vocabulary_size,
        sequence_length=oracle.sequence_length,
        embedding_dim=oracle.embedding_dim,
        hidden_dim=oracle.hidden_dim,
        start_token=oracle.start_token,
        seed=seed,
        initializer=INITIALIZERS[config["generator_initializer"]],
    )
    generator.compile(
        optimizer=keras.optimizers.Adam(config["mle_learning_rate"], global_clipnorm=5.0)
    )
    run.point("mle", 0, generator)
    best = {"val_loss": float("inf"), "epoch": 0, "weights": None}

    def keep_best(row, model):
        # Early stopping on held-out NLL (`val_loss`, on a validation set that is not the
        # NLL-gen test set), kept in memory so the paper's full run goes on.
        if row.get("val_loss", float("inf")) < best["val_loss"]:
            best.update(val_loss=row["val_loss"], epoch=row["step"], weights=model.get_weights())

    every = config["mle_eval_every"]
    generator.fit(
        ks.data.mle_dataset(real, batch_size=config["batch_size"], seed=seed),
        validation_data=ks.data.mle_dataset(validation, batch_size=250, shuffle=False),
        validation_freq=every,
        epochs=config["mle_epochs"],
        shuffle=False,  # the dataset shuffles, seeded
        verbose=verbose,
        callbacks=[evaluation_callback(run, "mle", every, on_evaluated=keep_best)],
    )
    if config["mle_epochs"] % every:
        run.point("mle", config["mle_epochs"], generator)
    early = copy_model(generator, best["weights"])
    return generator, early, best["epoch"]


def load_mle_stage(run, folder, seed):
    """The MLE stage of an earlier run (`--mle-from`): its two models and its MLE curve."""
    import keras

    with open(os.path.join(folder, "results.json")) as file:
        earlier = json.load(file)
    if earlier.get("seed") != seed:
        raise SystemExit(
            f"--mle-from {folder}: that run used --seed {earlier.get('seed')}, this one "
            f"{seed}; the training data would differ. Pass the same --seed."
        )
    final = keras.saving.load_model(os.path.join(folder, "generator_mle.keras"))
    early = keras.saving.load_model(os.path.join(folder, "generator_mle_early_stopped.keras"))
    run.points.extend(p for p in earlier["points"] if p["stage"] == "mle")
    run.stage_seconds["mle (earlier run)"] = earlier["stage_seconds"].get("mle")
    epoch = earlier["summary"]["mle_early_stopped"]["epoch"]
    print(f"MLE stage loaded from {folder} (early-stopped model: epoch {epoch})", flush=True)
    return final, early, epoch


def make_discriminator(config, oracle):
    import keras_seqgan as ks

    size = dict(vocabulary_size=oracle.vocabulary_size, sequence_length=oracle.sequence_length)
    if config["discriminator"] == "paper":
        # The authors' discriminator, with their L2 (l2_reg_lambda=0.2) on the output layer.
        return ks.models.Discriminator(**size, output_l2=0.2)
    filters = [w for w in SMALL_FILTERS if w <= oracle.sequence_length]
    return ks.models.Discriminator(**size, filter_sizes=filters, num_filters=[64] * len(filters))


def train_discriminator(discriminator, generator, real, rounds, epochs, config, seed):
    """`rounds` x (fresh negatives as many as `real`, `epochs` epochs): the paper's loop."""
    from keras_seqgan.pipeline import pretrain_discriminator

    pretrain_discriminator(
        discriminator, generator, real, rounds=rounds, epochs=epochs,
        batch_size=config["batch_size"], seed=seed,
    )  # fmt: skip


def discriminator_accuracy(discriminator, generator, held_out, seed):
    """Held-out real rows against as many fresh samples (`seed`), to 4 digits."""
    from keras_seqgan.pipeline import discriminator_accuracy

    fake = generator.generate(len(held_out), seed=seed)
    return round(discriminator_accuracy(discriminator, held_out, fake), 4)


def discriminator_stage(run, config, oracle, generator, real, held_out, seed):
    import keras

    discriminator = make_discriminator(config, oracle)
    discriminator.compile(optimizer=keras.optimizers.Adam(config["d_learning_rate"]))
    rounds, epochs = config["d_pretrain_rounds"], config["d_pretrain_epochs"]
    print(f"\n== Discriminator pre-training: {rounds} x (fresh negatives, {epochs} epochs)")
    train_discriminator(discriminator, generator, real, rounds, epochs, config, seed)
    accuracy = discriminator_accuracy(discriminator, generator, held_out, seed + 999)
    print(f"discriminator accuracy on held-out real vs fresh fakes: {accuracy}", flush=True)
    return discriminator, accuracy


def adversarial_stage(
    run, config, objective, generator, discriminator, real, seed, verbose, held_out=None
):
    import keras

    import keras_seqgan as ks
    from keras_seqgan.pipeline import copy_model

    generator = copy_model(generator)
    d_clone = copy_model(discriminator)
    d_clone.compile(optimizer=keras.optimizers.Adam(config["d_learning_rate"]))
    gan = ks.SeqGAN(
        generator, d_clone, objective=objective, num_rollouts=config["num_rollouts"], seed=seed
    )
    paper = config["schedule"] == "paper"
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(config["g_learning_rate"][objective]),
        discriminator_optimizer=keras.optimizers.Adam(config["d_learning_rate"]),
        d_steps=0 if paper else config["d_steps"],
        gradient_clip=5.0,
        rollout_jit_compile=objective == "reinforce",
    )
    steps, every = config["adversarial_steps"][objective], config["adversarial_eval_every"]
    annealing = (
        ks.callbacks.TemperatureAnnealing() if config["annealing"][objective] else None
    )  # the defaults: start 2.0, end 0.5, x0.95 per epoch (of `every` steps)
    stage = f"adversarial-{objective}"
    print(
        f"\n== Adversarial training, {objective}: {steps} generator steps, schedule "
        f"{config['schedule']!r}, annealing {'on' if annealing else 'off'}",
        flush=True,
    )
    run.point(stage, 0, generator, temperature=1.0)
    dataset = ks.data.sequence_dataset(real, batch_size=config["batch_size"], seed=seed)
    timer = ks.callbacks.BatchTimer(verbose=0)
    if not paper:
        # Held-out real rows against fresh fakes at each evaluation (`val_d_acc`), beside
        # the training batches' `d_acc`: whether the discriminator memorizes.
        validation = None
        if held_out is not None:
            validation = ks.data.sequence_dataset(
                held_out[:512], batch_size=256, shuffle=False, drop_remainder=False
            )
        gan.fit(
            endless(dataset, real, config["batch_size"], seed),
            epochs=steps // every,
            steps_per_epoch=every,
            validation_data=validation,
            shuffle=False,
            verbose=verbose,
            callbacks=[c for c in (annealing, timer) if c]
            + [evaluation_callback(run, stage, 1, steps_per_epoch=every)],
        )
        return gan, timer.describe()
    for iteration in range(steps):
        if annealing is not None:
            gan.temperature.assign(annealing.temperature_at(iteration // every))
        logs = gan.fit(
            dataset, epochs=1, steps_per_epoch=1, shuffle=False, verbose=0, callbacks=[timer]
        )
        train_discriminator(
            d_clone,
            generator,
            real,
            config["d_rounds"],
            config["d_epochs"],
            config,
            seed + 1000 * (iteration + 1),
        )
        if (iteration + 1) % every == 0:
            reward = round(float(logs.history["reward_mean"][-1]), 5)
            run.point(
                stage,
                iteration + 1,
                generator,
                reward_mean=reward,
                temperature=round(float(gan.temperature.numpy()), 5),
            )
    return gan, timer.describe()


def frontier(run, models, config):
    """Every model at several sampling temperatures: (NLL-gen, NLL-oracle) points."""
    rows = []
    for name, (generator, temperatures) in models.items():
        for temperature in temperatures:
            values = run.evaluate(generator, temperature)
            rows.append(
                {
                    "model": name,
                    "temperature": temperature,
                    "nll_oracle": round(values["nll_oracle"], 5),
                    "nll_gen": round(values["nll_gen"], 5),
                }
            )
            print(
                f"[frontier] {name:<22} T={temperature:<4} NLL-oracle "
                f"{values['nll_oracle']:.4f}  NLL-gen {values['nll_gen']:.4f}",
                flush=True,
            )
    return rows


# ------------------------------------------------------------------------ plots
def plot_curves(path, points, entropy, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from keras_seqgan.saving import atomic_path

    fig, (mle_ax, adv_ax) = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    mle = [p for p in points if p["stage"] == "mle"]
    mle_ax.plot([p["step"] for p in mle], [p["nll_oracle"] for p in mle], "o-", label="ours")
    epochs = [5 * i + 1 for i in range(len(AUTHORS_MLE_LOG))]
    mle_ax.plot(epochs, AUTHORS_MLE_LOG, "--", color="gray", label="SeqGAN authors' log")
    mle_ax.axhline(PAPER_MLE, color="C3", lw=1, ls=":", label=f"paper MLE {PAPER_MLE}")
    mle_ax.set(title="MLE pre-training", xlabel="epoch", ylabel="NLL-oracle (temperature 1)")
    for stage in sorted({p["stage"] for p in points if p["stage"].startswith("adversarial")}):
        rows = [p for p in points if p["stage"] == stage]
        adv_ax.plot(
            [p["step"] for p in rows], [p["nll_oracle"] for p in rows], "o-", label=stage[12:]
        )
    steps = [5 * i for i in range(len(AUTHORS_ADVERSARIAL_LOG))]
    adv_ax.plot(steps, AUTHORS_ADVERSARIAL_LOG, "--", color="gray", label="SeqGAN authors' log")
    adv_ax.axhline(PAPER_MLE, color="C3", lw=1, ls=":", label=f"paper MLE {PAPER_MLE}")
    adv_ax.axhline(PAPER_SEQGAN, color="C2", lw=1, ls=":", label=f"paper SeqGAN {PAPER_SEQGAN}")
    adv_ax.set(title="adversarial training", xlabel="generator updates")
    for ax in (mle_ax, adv_ax):
        ax.axhline(entropy, color="k", lw=0.8, label=f"oracle entropy {entropy:.3f}")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)


def plot_frontier(path, rows, entropy, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from keras_seqgan.saving import atomic_path

    fig, ax = plt.subplots(figsize=(7, 5.5))
    for index, name in enumerate(dict.fromkeys(r["model"] for r in rows)):
        mine = sorted((r for r in rows if r["model"] == name), key=lambda r: r["nll_gen"])
        style = "-" if name.startswith("mle") else "--"
        ax.plot(
            [r["nll_gen"] for r in mine],
            [r["nll_oracle"] for r in mine],
            "o" + style,
            color=f"C{index}",
            label=name,
        )
        for r in mine:
            ax.annotate(f"{r['temperature']:g}", (r["nll_gen"], r["nll_oracle"]), fontsize=7)
    ax.axhline(PAPER_SEQGAN, color="C2", lw=1, ls=":", label=f"paper SeqGAN {PAPER_SEQGAN}")
    ax.axhline(entropy, color="k", lw=0.8, label=f"oracle entropy {entropy:.3f}")
    ax.set(
        xlabel="NLL-gen on held-out oracle samples (diversity; lower is better)",
        ylabel="NLL-oracle of samples (quality; lower is better)",
        title=title,
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, dpi=110)
    plt.close(fig)


# ------------------------------------------------------------------------- main
def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--preset", choices=sorted(PRESETS), default="cpu")
    parser.add_argument(
        "--oracle",
        default=os.path.join(
            os.path.dirname(__file__), "..", "..", "shared", "data", "seqgan_oracle_lstm.npz"
        ),
        help="the paper's oracle weights: the SeqGAN authors' save/target_params_py3.pkl "
        "(github.com/LantaoYu/SeqGAN) or its .npz conversion "
        "(default: ../shared/data/seqgan_oracle_lstm.npz)",
    )
    parser.add_argument("--output", default=None, help="default: benchmarks/results/oracle_PRESET")
    parser.add_argument(
        "--objectives", nargs="+", choices=["reinforce", "gumbel"], default=None,
        help="default: the preset's (paper: reinforce; cpu: reinforce gumbel)",
    )  # fmt: skip
    parser.add_argument(
        "--stages", default=",".join(STAGES), help=f"comma-separated subset of {STAGES}"
    )
    parser.add_argument(
        "--start",
        choices=["final", "early-stopped"],
        default="final",
        help="which MLE model adversarial training starts from (default: final, the paper's)",
    )
    parser.add_argument(
        "--generator-initializer", choices=sorted(INITIALIZERS), default=None,
        help="generator weights' initializer (default: the preset's; paper and cpu: paper, "
        "N(0, 0.1) as in the authors' code; smoke: keras, Keras's defaults)",
    )  # fmt: skip
    parser.add_argument(
        "--mle-epochs", type=int, default=None, help="default: the preset's (paper, cpu: 120)"
    )
    parser.add_argument(
        "--mle-from", metavar="FOLDER", default=None,
        help="skip MLE training: load generator_mle.keras and generator_mle_early_stopped.keras "
        "(and the MLE curve) from an earlier run's output folder of the same preset and seed",
    )  # fmt: skip
    parser.add_argument(
        "--set", metavar="KEY=VALUE", action="append", default=[],
        help="override one preset value, VALUE as JSON, e.g. --set d_steps=1 or "
        "--set 'g_learning_rate={\"reinforce\": 0.01, \"gumbel\": 0.003}'; repeatable",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=88)
    parser.add_argument("--verbose", type=int, default=2, choices=[0, 1, 2])
    args = parser.parse_args(argv)
    args.stages = comma_names(parser, "--stages", args.stages, STAGES)
    return args


def main(argv=None):
    args = parse_args(argv)
    config = dict(PRESETS[args.preset])
    if args.objectives:
        config["objectives"] = tuple(args.objectives)
    if args.generator_initializer:
        config["generator_initializer"] = args.generator_initializer
    apply_overrides(config, args.set)
    if args.mle_epochs is not None:
        if args.mle_epochs < 1:
            raise SystemExit(f"--mle-epochs must be >= 1. Received: {args.mle_epochs}")
        config["mle_epochs"] = args.mle_epochs
    output = args.output or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "results", f"oracle_{args.preset}"
    )
    if not os.path.exists(args.oracle):
        raise SystemExit(
            f"--oracle: {args.oracle} does not exist. The benchmark needs the SeqGAN paper's "
            "oracle weights: save/target_params_py3.pkl of https://github.com/LantaoYu/SeqGAN "
            "(or its .npz conversion, OracleLSTM.save_npz)."
        )
    os.makedirs(output, exist_ok=True)

    import keras

    import keras_seqgan as ks
    from keras_seqgan.saving import save_model, write_csv

    keras.utils.set_random_seed(args.seed)
    seed = args.seed
    oracle = ks.data.OracleLSTM.from_file(args.oracle)
    started = time.perf_counter()
    real = oracle.sample(config["num_train"], seed=seed + 1)
    validation = oracle.sample(config["num_eval"], seed=seed + 2)
    held_out = oracle.sample(config["num_eval"], seed=seed + 3)
    entropy = round(oracle.nll(held_out), 5)
    run = Run(Evaluator(oracle, held_out, config["num_eval"], seed + 4))
    run.stage_seconds["oracle_samples"] = round(time.perf_counter() - started, 1)
    print(
        f"oracle {args.oracle}: V={oracle.vocabulary_size} T={oracle.sequence_length}; "
        f"{config['num_train']} training sequences; entropy (NLL of its own held-out "
        f"samples) {entropy}",
        flush=True,
    )
    summary: dict = {"oracle_entropy": entropy}

    def timed(name, fn, *a, **k):
        begin = time.perf_counter()
        result = fn(*a, **k)
        run.stage_seconds[name] = round(time.perf_counter() - begin, 1)
        print(f"-- stage {name}: {run.stage_seconds[name]:.0f} s", flush=True)
        write_record(f"after {name}")
        return result

    rows: list[dict] = []

    def write_record(status):
        """results.json now: after every stage, so a run that dies keeps what it measured."""
        record = {
            "benchmark": "oracle",
            "status": status,
            **machine_record(),
            "command": command_line(__file__, argv),
            "preset": args.preset,
            "config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in config.items()},
            "start": args.start,
            "seed": args.seed,
            "reference": {
                "paper_mle": PAPER_MLE,
                "paper_seqgan": PAPER_SEQGAN,
                "authors_log_mle_final": AUTHORS_MLE_LOG[-1],
                "authors_log_adversarial_final": AUTHORS_ADVERSARIAL_LOG[-1],
            },
            "summary": summary,
            "stage_seconds": run.stage_seconds,
            "total_seconds": round(time.perf_counter() - started, 1),
            "points": run.points,
            "frontier": rows,
        }
        write_json(os.path.join(output, "results.json"), record)
        return record

    if args.mle_from:
        final, early, early_epoch = load_mle_stage(run, args.mle_from, args.seed)
        summary["mle_from"] = os.path.abspath(args.mle_from)
    else:
        print(
            f"\n== MLE pre-training: {config['mle_epochs']} epochs, Adam "
            f"{config['mle_learning_rate']:g}, {config['generator_initializer']} initializer",
            flush=True,
        )
        final, early, early_epoch = timed(
            "mle", mle_stage, run, config, oracle, real, validation, seed + 5, args.verbose
        )
        save_model(final, os.path.join(output, "generator_mle.keras"))
        save_model(early, os.path.join(output, "generator_mle_early_stopped.keras"))
    summary["mle_final"] = run.evaluate(final)
    summary["mle_early_stopped"] = {**run.evaluate(early), "epoch": early_epoch}
    print(f"MLE final: {summary['mle_final']}; early-stopped (epoch {early_epoch}): "
          f"{summary['mle_early_stopped']}", flush=True)  # fmt: skip
    start = final if args.start == "final" else early

    trained = {}
    if "discriminator" in args.stages or "adversarial" in args.stages:
        discriminator, accuracy = timed(
            "discriminator", discriminator_stage, run, config, oracle, start, real, held_out,
            seed + 100,
        )  # fmt: skip
        summary["discriminator_pretrain_accuracy"] = accuracy
    if "adversarial" in args.stages:
        for objective in config["objectives"]:
            gan, timing = timed(
                f"adversarial-{objective}", adversarial_stage, run, config, objective, start,
                discriminator, real, seed + 200, args.verbose, held_out,
            )  # fmt: skip
            save_model(gan, os.path.join(output, f"seqgan_{objective}.keras"))
            trained[objective] = gan.generator
            summary[objective] = {**run.evaluate(gan.generator), "step_time": timing}
            print(f"{objective}: {summary[objective]}", flush=True)

    if "frontier" in args.stages:
        models = {
            f"mle ({config['mle_epochs']} epochs)": (final, config["mle_temperatures"]),
            f"mle early-stopped ({early_epoch})": (early, config["mle_temperatures"]),
        }
        for objective, generator in trained.items():
            models[objective] = (generator, config["adversarial_temperatures"])
        rows.extend(timed("frontier", frontier, run, models, config))
        start_name = list(models)[0 if args.start == "final" else 1]
        start_rows = [r for r in rows if r["model"] == start_name]
        summary["frontier_margin"] = {
            f"{r['model']} T={r['temperature']:g}": ks.evaluation.frontier_margin(start_rows, r)
            for r in rows
            if r["model"] in trained
        }
        print(f"below the starting MLE frontier by (>0 is better): {summary['frontier_margin']}")

    title = f"SeqGAN oracle experiment, preset {args.preset!r} (paper's oracle, V=5000, T=20)"
    write_csv(os.path.join(output, "curves.csv"), run.points)
    plots = []
    try:
        plot_curves(os.path.join(output, "curves.png"), run.points, entropy, title)
        plots.append("curves.png")
        if rows:
            plot_frontier(os.path.join(output, "frontier.png"), rows, entropy, title)
            plots.append("frontier.png")
    except ImportError:
        print("matplotlib not installed: no plots (pip install 'keras-seqgan[plot]')")
    record = write_record("complete")
    print(f"\nDone in {record['total_seconds']:.0f} s; stage seconds {run.stage_seconds}")
    print(f"Wrote results.json, curves.csv, {', '.join(plots)} and models into {output}")
    return record


if __name__ == "__main__":
    main()
