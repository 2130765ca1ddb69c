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

`--objectives dense` adds ScratchGAN's recipe (`DENSE`): `DenseReward()` with a
`PrefixDiscriminator()`, pre-trained like the CNN discriminator, both networks with Adam
`beta_1=0.5` at ScratchGAN's rates, one discriminator update per generator update.

`--from-scratch` trains the adversarial stage from a freshly initialized generator and
discriminator (ScratchGAN's setting): no MLE stage, no discriminator pre-training; the
preset's steps become `SCRATCH`'s (`--steps` sets them). `--mle-from` then gives the MLE
model whose temperature frontier the final point is placed against. `--backup-dir`
checkpoints every evaluation with `keras.callbacks.BackupAndRestore`: the same command run
again after a kill continues where the last evaluation left off, keeping the evaluation
points already in `results.json`, and ends as the uninterrupted run would have; a larger
`--steps` continues a finished run, a `--steps` at the backup's step ends a stopped one
(the model is saved and placed on the frontiers, nothing is trained), and the frontier's
temperatures (`--set adversarial_temperatures=[...]`, `mle_temperatures`) may change on a
resume: they are used after training only.

Outputs in `--output`: `results.json` (every evaluation point, stage wall times, the
frontier, the targets), `curves.csv`, `curves.png` (with the paper's reference lines and
the authors' logged curve), `frontier.png`, and the trained models (`.keras`; from
scratch, `seqgan_OBJECTIVE.keras` with both networks and optimizers, and the generator
alone, `generator_OBJECTIVE.keras`).

    python benchmarks/oracle.py --preset cpu --oracle ../shared/data/seqgan_oracle_lstm.npz
    python benchmarks/oracle.py --preset paper --stages mle --oracle ...   # the MLE stage only
    python benchmarks/oracle.py --preset cpu --from-scratch --objectives dense \\
        --batch-size 512 --backup-dir backup --mle-from benchmarks/results/oracle_cpu_mle
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import types

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
# ScratchGAN's recipe for `--objectives dense` (de Masson d'Autume et al., 2019; the flags
# of deepmind-research scratchgan/experiment.py): Adam with beta_1 = 0.5 for both networks
# at its rates (tuned there for a 2 x 512 LSTM generator on news text, 200,000 steps of
# batch 512), one discriminator update per generator update, no temperature annealing;
# `DenseReward()` and `PrefixDiscriminator()` hold its other settings. A run that trains
# "dense" gets these as `config["dense"]` (`--set 'dense={"g_learning_rate": 1e-3}'`
# changes one), so that the presets and the other runs' records stay as they were.
DENSE = dict(g_learning_rate=9.59e-5, d_learning_rate=9.38e-3, beta_1=0.5, d_steps=1)
# `DenseReward` settings `--set dense=...` may add (absent: the class's defaults, ScratchGAN's
# discount 0.23 and baseline decay 0.08, and bounded rewards).
DENSE_OBJECTIVE = ("discount", "baseline_decay", "reward")
# `--from-scratch`: generator steps and the evaluation interval (ScratchGAN trained
# 200,000 steps); `--steps` sets the steps, `--set adversarial_eval_every=N` the interval.
SCRATCH = {
    "paper": dict(steps=20_000, eval_every=500),
    "cpu": dict(steps=20_000, eval_every=500),
    "smoke": dict(steps=2, eval_every=1),
}
# The logs an evaluation point keeps; a from-scratch run also keeps these.
POINT_LOGS = ("val_loss", "d_acc", "val_d_acc", "reward_mean", "temperature")
SCRATCH_POINT_LOGS = ("d_loss", "g_loss", "g_skipped", "d_skipped")
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


def oracle_data(oracle, config, seed):
    """A run's oracle samples and its evaluator, as every oracle benchmark draws them.

    `real` (`config["num_train"]` training rows), `validation` and `held_out`
    (`config["num_eval"]` rows each, for early stopping and for NLL-gen) and `evaluator`, an
    `Evaluator` on `held_out`, each from its own offset of the run's `seed`: a script that
    continues or re-scores a run (`scratch_rate_drop.py`, `oracle_ngram.py`) gets the same rows.
    """
    held_out = oracle.sample(config["num_eval"], seed=seed + 3)
    return types.SimpleNamespace(
        real=oracle.sample(config["num_train"], seed=seed + 1),
        validation=oracle.sample(config["num_eval"], seed=seed + 2),
        held_out=held_out,
        evaluator=Evaluator(oracle, held_out, config["num_eval"], seed + 4),
    )


def diagnostic_parser(doc):
    """The argument parser of a script that works on a run's oracle rows
    (`oracle_data`): its description from `doc`, `--oracle` and `--seed`."""
    parser = argparse.ArgumentParser(
        description=doc.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--oracle", required=True, help="seqgan_oracle_lstm.npz")
    parser.add_argument("--seed", type=int, default=88, help="the runs' --seed (oracle.py's)")
    return parser


def load_oracle(path):
    """The oracle of `--oracle`, or a clear exit when the file is not there."""
    if not os.path.exists(path):
        raise SystemExit(f"--oracle: {path} does not exist (seqgan_oracle_lstm.npz)")
    import keras_seqgan as ks

    return ks.data.OracleLSTM.from_file(path)


class Run:
    """Collects evaluation points and stage times; prints progress as it goes."""

    def __init__(self, evaluator):
        self.evaluate = evaluator
        self.points: list[dict] = []
        self.stage_seconds: dict[str, float] = {}
        self.models: dict[str, dict] = {}
        self.started = time.perf_counter()
        self.offset = 0.0  # seconds of earlier sessions (a resumed from-scratch run)

    def point(self, stage, step, generator, **extra):
        values = self.evaluate(generator)
        row = {
            "stage": stage,
            "step": int(step),
            "nll_oracle": round(values["nll_oracle"], 5),
            "nll_gen": round(values["nll_gen"], 5),
            "wall_s": round(self.offset + time.perf_counter() - self.started, 1),
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


def evaluation_callback(run, stage, every, steps_per_epoch=1, on_evaluated=None, keys=POINT_LOGS):
    import keras

    class Evaluate(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if (epoch + 1) % every:
                return
            generator = getattr(self.model, "generator", self.model)
            extra = {}
            for key in keys:
                if logs and key in logs:
                    extra[key] = round(float(logs[key]), 5)
            row = run.point(stage, (epoch + 1) * steps_per_epoch, generator, **extra)
            if on_evaluated is not None:
                on_evaluated(row, self.model)

    return Evaluate()


# ---------------------------------------------------------------------- stages
def fresh_generator(config, oracle, seed):
    """An untrained generator of the oracle's sizes, with the config's initializer."""
    import keras_seqgan as ks

    return ks.models.Generator(
        vocabulary_size=oracle.vocabulary_size,
        sequence_length=oracle.sequence_length,
        embedding_dim=oracle.embedding_dim,
        hidden_dim=oracle.hidden_dim,
        start_token=oracle.start_token,
        seed=seed,
        initializer=INITIALIZERS[config["generator_initializer"]],
    )


def mle_stage(run, config, oracle, real, validation, seed, verbose):
    import keras

    import keras_seqgan as ks
    from keras_seqgan.pipeline import copy_model

    generator = fresh_generator(config, oracle, seed)
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


def objective_settings(config, objective):
    """What training `objective` takes from `config`: the two Adam rates and `beta_1`
    (`None`: Keras's), `d_steps`, the generator steps, annealing, the paper's schedule."""
    if objective == "dense":
        dense = config["dense"]
        return {
            "g_learning_rate": dense["g_learning_rate"],
            "d_learning_rate": dense["d_learning_rate"],
            "beta_1": dense["beta_1"],
            "d_steps": dense["d_steps"],
            "steps": config["adversarial_steps"]["dense"],
            "annealing": False,
            "paper_schedule": False,  # ScratchGAN's: d_steps updates per generator update
        }
    return {
        "g_learning_rate": config["g_learning_rate"][objective],
        "d_learning_rate": config["d_learning_rate"],
        "beta_1": None,
        "d_steps": config["d_steps"],
        "steps": config["adversarial_steps"][objective],
        "annealing": config["annealing"][objective],
        "paper_schedule": config["schedule"] == "paper",
    }


def adam(learning_rate, beta_1=None):
    import keras

    if beta_1 is None:
        return keras.optimizers.Adam(learning_rate)
    return keras.optimizers.Adam(learning_rate, beta_1=beta_1)


def make_discriminator(config, oracle, objective="reinforce", seed=None):
    """The preset's CNN discriminator; for `dense`, a `PrefixDiscriminator()` (seeded)."""
    import keras_seqgan as ks

    size = dict(vocabulary_size=oracle.vocabulary_size, sequence_length=oracle.sequence_length)
    if objective == "dense":
        return ks.models.PrefixDiscriminator(**size, seed=seed)
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


def discriminator_stage(run, config, oracle, generator, real, held_out, seed, objective=None):
    """The pre-trained discriminator: the preset's CNN, or for `objective="dense"` a
    `PrefixDiscriminator` with that recipe's optimizer, on the same rounds."""
    settings = objective_settings(config, objective or "reinforce")
    discriminator = make_discriminator(config, oracle, objective or "reinforce", seed=seed)
    discriminator.compile(optimizer=adam(settings["d_learning_rate"], settings["beta_1"]))
    rounds, epochs = config["d_pretrain_rounds"], config["d_pretrain_epochs"]
    which = f" ({type(discriminator).__name__})" if objective else ""
    print(f"\n== Discriminator pre-training{which}: {rounds} x (fresh negatives, {epochs} epochs)")
    train_discriminator(discriminator, generator, real, rounds, epochs, config, seed)
    accuracy = discriminator_accuracy(discriminator, generator, held_out, seed + 999)
    print(f"discriminator accuracy on held-out real vs fresh fakes: {accuracy}", flush=True)
    return discriminator, accuracy


def objective_for(config, objective):
    """What `SeqGAN(objective=...)` gets: the name, or a `DenseReward` with the settings
    of `DENSE_OBJECTIVE` that the config sets."""
    import keras_seqgan as ks

    dense = config.get("dense", {})
    settings = {key: dense[key] for key in DENSE_OBJECTIVE if key in dense}
    if objective == "dense" and settings:
        return ks.objectives.DenseReward(**settings)
    return objective


def adversarial_stage(
    run, config, objective, generator, discriminator, real, seed, verbose, held_out=None
):
    import keras_seqgan as ks
    from keras_seqgan.pipeline import copy_model

    settings = objective_settings(config, objective)
    generator = copy_model(generator)
    d_clone = copy_model(discriminator)
    d_clone.compile(optimizer=adam(settings["d_learning_rate"], settings["beta_1"]))
    gan = ks.SeqGAN(
        generator, d_clone, objective=objective_for(config, objective),
        num_rollouts=config["num_rollouts"], seed=seed,
    )  # fmt: skip
    paper = settings["paper_schedule"]
    gan.compile(
        generator_optimizer=adam(settings["g_learning_rate"], settings["beta_1"]),
        discriminator_optimizer=adam(settings["d_learning_rate"], settings["beta_1"]),
        d_steps=0 if paper else settings["d_steps"],
        gradient_clip=5.0,
        rollout_jit_compile=objective == "reinforce",
    )
    steps, every = settings["steps"], config["adversarial_eval_every"]
    annealing = (
        ks.callbacks.TemperatureAnnealing() if settings["annealing"] else None
    )  # the defaults: start 2.0, end 0.5, x0.95 per epoch (of `every` steps)
    stage = f"adversarial-{objective}"
    print(
        f"\n== Adversarial training, {objective}: {steps} generator steps, schedule "
        f"{'paper' if paper else 'keras'!r}, annealing {'on' if annealing else 'off'}",
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


def backup_epochs(backup_dir, objective):
    """Epochs finished according to `objective`'s `BackupAndRestore` backup in
    `backup_dir` (`None`: no backup)."""
    path = os.path.join(backup_dir, objective, "training_metadata.json")
    if not os.path.exists(path):
        return None
    with open(path) as file:
        return int(json.load(file)["epoch"])


def scratch_stage(
    run, config, objective, oracle, real, held_out, seed, verbose, backup_dir=None, on_point=None
):
    """Adversarial training from a fresh generator and discriminator (ScratchGAN's
    setting): no MLE start, no discriminator pre-training.

    Evaluates at step 0 and every `adversarial_eval_every` steps; `wall_s` counts from
    the start of this model's training, summed over sessions. With `backup_dir`, a
    `BackupAndRestore` backup (kept after the last epoch, so that a rerun of a finished run
    trains nothing) follows every evaluation, and the run resumes from it: the points of
    `run` past the backup are dropped (the rerun evaluates them again) and the clock goes
    on from the backup's point. `on_point()` runs after every point (to write them).
    """
    import keras

    import keras_seqgan as ks

    settings = objective_settings(config, objective)
    stage = f"adversarial-{objective}"
    steps, every = settings["steps"], config["adversarial_eval_every"]
    generator = fresh_generator(config, oracle, seed + 5)
    discriminator = make_discriminator(config, oracle, objective, seed=seed + 6)
    gan = ks.SeqGAN(
        generator, discriminator, objective=objective_for(config, objective),
        num_rollouts=config["num_rollouts"], seed=seed,
    )  # fmt: skip
    gan.compile(
        generator_optimizer=adam(settings["g_learning_rate"], settings["beta_1"]),
        discriminator_optimizer=adam(settings["d_learning_rate"], settings["beta_1"]),
        d_steps=settings["d_steps"],
        gradient_clip=5.0,
        rollout_jit_compile=objective == "reinforce",
    )
    done = backup_epochs(backup_dir, objective) if backup_dir else None
    resumed_at = None if done is None else done * every
    mine = [p for p in run.points if p["stage"] == stage]
    if resumed_at is not None and any(p["step"] == resumed_at for p in mine):
        run.points[:] = [p for p in run.points if p["stage"] != stage or p["step"] <= resumed_at]
        run.offset = next(p["wall_s"] for p in mine if p["step"] == resumed_at)
        print(f"Resuming {stage} from its backup after step {resumed_at}", flush=True)
    else:
        if resumed_at is not None:
            raise SystemExit(
                f"--backup-dir {backup_dir}: the backup of {objective} is at step "
                f"{resumed_at}, but results.json has no evaluation point there; pass the "
                "--output of the run that wrote the backup, or delete the backup to start over."
            )
        run.points[:] = [p for p in run.points if p["stage"] != stage]
        run.offset = 0.0
    run.started = time.perf_counter()
    if resumed_at is None:
        run.point(stage, 0, generator)
        if on_point is not None:
            on_point()

    timer = ks.callbacks.BatchTimer(verbose=0)
    callbacks = [timer]
    if settings["annealing"]:
        callbacks.insert(0, ks.callbacks.TemperatureAnnealing())
    # The point first, then the backup: a kill between the two repeats that epoch, and
    # the rerun's point replaces the one written (see above).
    callbacks.append(
        evaluation_callback(
            run, stage, 1, steps_per_epoch=every, keys=POINT_LOGS + SCRATCH_POINT_LOGS,
            on_evaluated=None if on_point is None else lambda row, model: on_point(),
        )
    )  # fmt: skip
    if backup_dir:
        callbacks.append(
            keras.callbacks.BackupAndRestore(
                os.path.join(backup_dir, objective), delete_checkpoint=False
            )
        )
    validation = ks.data.sequence_dataset(
        held_out[:512], batch_size=256, shuffle=False, drop_remainder=False
    )
    # An endless stream whose batches are a function of the seed and the step, so that a
    # resumed fit reads on where the backup left off.
    dataset = ks.data.sequence_dataset(
        real, batch_size=config["batch_size"], seed=seed, repeat=True
    )
    gan.fit(
        dataset,
        epochs=steps // every,
        steps_per_epoch=every,
        validation_data=validation,
        verbose=verbose,
        callbacks=callbacks,
    )
    timed = timer.summary and timer.summary["batches"] + timer.summary["first_batch_steps"]
    # This session's steps (a run that resumed at its last backup trains none).
    return gan, timer.describe() if timed else "no step trained in this session"


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
        # MLE models solid, count models (oracle_ngram.py) dotted, adversarial ones dashed.
        style = "-" if name.startswith("mle") else ":" if name.endswith("(counts)") else "--"
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
    parser.add_argument(
        "--output", default=None,
        help="default: benchmarks/results/oracle_PRESET (with --from-scratch: "
        "oracle_PRESET_scratch)",
    )  # fmt: skip
    parser.add_argument(
        "--objectives", nargs="+", choices=["reinforce", "gumbel", "dense"], default=None,
        help="default: the preset's (paper: reinforce; cpu: reinforce gumbel); with "
        "--from-scratch: dense",
    )  # fmt: skip
    parser.add_argument(
        "--stages", default=",".join(STAGES), help=f"comma-separated subset of {STAGES}"
    )
    parser.add_argument(
        "--start",
        choices=["final", "early-stopped"],
        default="final",
        help="which MLE model adversarial training starts from (default: final, the paper's); "
        "with --from-scratch: whose frontier the margins are measured against",
    )
    parser.add_argument(
        "--from-scratch", action="store_true",
        help="adversarial training from a freshly initialized generator and discriminator: "
        "no MLE stage, no discriminator pre-training; steps per SCRATCH (--steps)",
    )  # fmt: skip
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
        "(and the MLE curve) from an earlier run's output folder of the same preset and seed; "
        "with --from-scratch, for the frontier only",
    )  # fmt: skip
    parser.add_argument(
        "--batch-size", type=int, default=None, metavar="N",
        help="sequences per batch in every stage this run trains (default: the preset's; "
        "ScratchGAN's is 512)",
    )  # fmt: skip
    parser.add_argument(
        "--steps", type=int, default=None, metavar="N",
        help="generator steps of each adversarial stage, a multiple of "
        "adversarial_eval_every (default: the preset's; with --from-scratch, SCRATCH's)",
    )  # fmt: skip
    parser.add_argument(
        "--backup-dir", metavar="DIR", default=None,
        help="with --from-scratch: a keras.callbacks.BackupAndRestore backup after every "
        "evaluation; the same command run again resumes from it (delete DIR to start over)",
    )  # fmt: skip
    parser.add_argument(
        "--set", metavar="KEY=VALUE", action="append", default=[],
        help="override one preset value, VALUE as JSON, e.g. --set d_steps=1 or "
        "--set 'g_learning_rate={\"reinforce\": 0.01, \"gumbel\": 0.003}'; repeatable",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=88)
    parser.add_argument(
        "--adversarial-seed", type=int, default=None, metavar="N",
        help="seed of the discriminator pre-training and the adversarial stages only "
        "(default: --seed); the oracle's samples and the MLE stage keep --seed, so a run "
        "with --mle-from repeats the adversarial stage from the same MLE start with "
        "another seed",
    )  # fmt: skip
    parser.add_argument("--verbose", type=int, default=2, choices=[0, 1, 2])
    args = parser.parse_args(argv)
    args.stages = comma_names(parser, "--stages", args.stages, STAGES)
    for flag, value in (("--batch-size", args.batch_size), ("--steps", args.steps)):
        if value is not None and value < 1:
            parser.error(f"{flag} must be >= 1. Received: {value}")
    if args.backup_dir and not args.from_scratch:
        parser.error("--backup-dir needs --from-scratch (the one mode that resumes)")
    return args


def build_config(args):
    """The preset, with the objectives' settings and the command line's changes."""
    config = dict(PRESETS[args.preset])
    if args.objectives:
        config["objectives"] = tuple(args.objectives)
    elif args.from_scratch:
        config["objectives"] = ("dense",)
    if args.generator_initializer:
        config["generator_initializer"] = args.generator_initializer
    steps = dict(config["adversarial_steps"])
    if "dense" in config["objectives"]:
        config["dense"] = dict(DENSE)
        steps["dense"] = steps["reinforce"]
    if args.from_scratch:
        steps.update(dict.fromkeys(config["objectives"], SCRATCH[args.preset]["steps"]))
        config["adversarial_eval_every"] = SCRATCH[args.preset]["eval_every"]
    config["adversarial_steps"] = steps
    apply_overrides(config, args.set)
    if "dense" in config:
        known = sorted({*DENSE, *DENSE_OBJECTIVE})
        unknown = sorted(set(config["dense"]) - set(known))
        if unknown:
            raise SystemExit(f"--set dense=...: unknown keys {unknown}; known: {known}")
        config["dense"] = {**DENSE, **config["dense"]}
        try:  # refused here, before any work, as DenseReward refuses them
            objective_for(config, "dense")
        except (TypeError, ValueError) as error:
            raise SystemExit(f"--set dense=...: {error}") from None
    if args.mle_epochs is not None:
        if args.mle_epochs < 1:
            raise SystemExit(f"--mle-epochs must be >= 1. Received: {args.mle_epochs}")
        config["mle_epochs"] = args.mle_epochs
    if args.batch_size is not None:
        config["batch_size"] = args.batch_size
    if args.steps is not None:
        config["adversarial_steps"] = {
            **config["adversarial_steps"],
            **dict.fromkeys(config["objectives"], args.steps),
        }
    if args.from_scratch:
        every = config["adversarial_eval_every"]
        for objective in config["objectives"]:
            if config["adversarial_steps"][objective] % every:
                raise SystemExit(
                    f"--steps must be a multiple of adversarial_eval_every ({every}): each "
                    "evaluation ends an epoch (and takes a backup). Received: "
                    f"{config['adversarial_steps'][objective]} steps for {objective}"
                )
    return config


def earlier_scratch_run(output, args, config):
    """The record of the from-scratch run that `--backup-dir` holds backups of, from
    `output`/results.json; `None` when there is no backup (a fresh start)."""
    if not args.backup_dir or all(
        backup_epochs(args.backup_dir, objective) is None for objective in config["objectives"]
    ):
        return None
    path = os.path.join(output, "results.json")
    if not os.path.exists(path):
        raise SystemExit(
            f"--backup-dir {args.backup_dir} holds a backup, but {path} does not exist: pass "
            "the --output of the run that wrote it, or delete the backup to start over."
        )
    with open(path) as file:
        earlier = json.load(file)

    def settings(values):
        # `--steps` may grow (a larger one continues the run), and the frontier's
        # temperatures may change: they are used after training only.
        values = json.loads(json.dumps(values))
        for key in ("adversarial_steps", "mle_temperatures", "adversarial_temperatures"):
            values.pop(key, None)
        return values

    if (
        not earlier.get("from_scratch")
        or earlier.get("seed") != args.seed
        or settings(earlier["config"]) != settings(config)
    ):
        raise SystemExit(
            f"--backup-dir {args.backup_dir}: its run (results.json in {output}) had other "
            "settings; run the same command to resume it (only --steps and the frontier's "
            "temperatures may change), or delete the backup to start over."
        )
    return earlier


def main(argv=None):
    args = parse_args(argv)
    config = build_config(args)
    suffix = "_scratch" if args.from_scratch else ""
    output = args.output or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "results", f"oracle_{args.preset}{suffix}"
    )
    if not os.path.exists(args.oracle):
        raise SystemExit(
            f"--oracle: {args.oracle} does not exist. The benchmark needs the SeqGAN paper's "
            "oracle weights: save/target_params_py3.pkl of https://github.com/LantaoYu/SeqGAN "
            "(or its .npz conversion, OracleLSTM.save_npz)."
        )
    earlier = earlier_scratch_run(output, args, config) if args.from_scratch else None
    os.makedirs(output, exist_ok=True)

    import keras

    import keras_seqgan as ks
    from keras_seqgan.saving import save_model, write_csv

    keras.utils.set_random_seed(args.seed)
    seed = args.seed
    oracle = ks.data.OracleLSTM.from_file(args.oracle)
    started = time.perf_counter()
    data = oracle_data(oracle, config, seed)
    real, validation, held_out = data.real, data.validation, data.held_out
    entropy = round(oracle.nll(held_out), 5)
    run = Run(data.evaluator)
    run.stage_seconds["oracle_samples"] = round(time.perf_counter() - started, 1)
    print(
        f"oracle {args.oracle}: V={oracle.vocabulary_size} T={oracle.sequence_length}; "
        f"{config['num_train']} training sequences; entropy (NLL of its own held-out "
        f"samples) {entropy}",
        flush=True,
    )
    summary: dict = {"oracle_entropy": entropy}
    earlier_seconds: dict = {}
    if earlier is not None:
        # The points so far (the MLE curve comes again from --mle-from); each stage's
        # seconds add up over the sessions.
        run.points.extend(p for p in earlier["points"] if p["stage"] != "mle")
        earlier_seconds = earlier["stage_seconds"]
        summary["sessions"] = earlier["summary"].get("sessions", 1) + 1
        print(f"Resuming the run in {output} (session {summary['sessions']})", flush=True)

    def timed(name, fn, *a, **k):
        begin = time.perf_counter()
        result = fn(*a, **k)
        seconds = time.perf_counter() - begin
        if name.startswith("adversarial"):
            seconds += earlier_seconds.get(name) or 0.0
        run.stage_seconds[name] = round(seconds, 1)
        print(f"-- stage {name}: {run.stage_seconds[name]:.0f} s", flush=True)
        write_record(f"after {name}")
        return result

    rows: list[dict] = []
    commands = (earlier.get("commands") or [earlier["command"]]) if earlier else []

    def write_record(status):
        """results.json now: after every stage, so a run that dies keeps what it measured."""
        record = {
            "benchmark": "oracle",
            "status": status,
            **machine_record(),
            "command": command_line(__file__, argv),
            # A from-scratch run over several sessions: every session's command, in order.
            **({"commands": [*commands, command_line(__file__, argv)]} if earlier else {}),
            "preset": args.preset,
            "config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in config.items()},
            "start": args.start,
            "seed": args.seed,
            "adversarial_seed": (
                args.seed if args.adversarial_seed is None else args.adversarial_seed
            ),
            **({"from_scratch": True} if args.from_scratch else {}),
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

    final = early = None
    mle_epochs = config["mle_epochs"]
    if args.mle_from:
        final, early, early_epoch = load_mle_stage(run, args.mle_from, args.seed)
        summary["mle_from"] = os.path.abspath(args.mle_from)
        with open(os.path.join(args.mle_from, "results.json")) as file:
            mle_epochs = json.load(file)["config"]["mle_epochs"]  # that run's
    elif not args.from_scratch:
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
    if final is not None:
        summary["mle_final"] = run.evaluate(final)
        summary["mle_early_stopped"] = {**run.evaluate(early), "epoch": early_epoch}
        print(f"MLE final: {summary['mle_final']}; early-stopped (epoch {early_epoch}): "
              f"{summary['mle_early_stopped']}", flush=True)  # fmt: skip
    start = final if args.start == "final" else early

    trained = {}
    if args.from_scratch:
        if "adversarial" in args.stages:
            trained = scratch_stages(args, config, run, timed, write_record, oracle, real,
                                     held_out, output, summary)  # fmt: skip
    else:
        trained = mle_start_stages(args, config, run, timed, oracle, start, real, held_out,
                                   output, summary)  # fmt: skip

    if "frontier" in args.stages:
        models = {}
        if final is not None:
            models[f"mle ({mle_epochs} epochs)"] = (final, config["mle_temperatures"])
            models[f"mle early-stopped ({early_epoch})"] = (early, config["mle_temperatures"])
        for objective, generator in trained.items():
            models[objective] = (generator, config["adversarial_temperatures"])
        rows.extend(timed("frontier", frontier, run, models, config))

        def margins(mle_name):
            mle_rows = [r for r in rows if r["model"] == mle_name]
            return {
                f"{r['model']} T={r['temperature']:g}": ks.evaluation.frontier_margin(mle_rows, r)
                for r in rows
                if r["model"] in trained
            }

        if final is not None:
            start_name = list(models)[0 if args.start == "final" else 1]
            summary["frontier_margin"] = margins(start_name)
            if not args.from_scratch:
                print(f"below the starting MLE frontier by (>0 is better): "
                      f"{summary['frontier_margin']}")  # fmt: skip
            else:
                # No MLE start: the margins below both MLE models' frontiers (`None`: the
                # point's NLL-gen lies outside that frontier's range).
                summary["frontier_margins"] = {name: margins(name) for name in list(models)[:2]}
                for name, values in summary["frontier_margins"].items():
                    print(f"below the frontier of {name} by (>0 is better): {values}")

    how = ", from scratch" if args.from_scratch else ""
    title = f"SeqGAN oracle experiment, preset {args.preset!r}{how} (paper's oracle, V=5000, T=20)"
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


def adversarial_seed(args):
    """The seed of the stages after MLE: `--adversarial-seed`, or `--seed`. A different
    one also reseeds Keras's global generators (dropout, initializers) before them."""
    import keras

    if args.adversarial_seed is None or args.adversarial_seed == args.seed:
        return args.seed
    keras.utils.set_random_seed(args.adversarial_seed)
    return args.adversarial_seed


def mle_start_stages(args, config, run, timed, oracle, start, real, held_out, output, summary):
    """Discriminator pre-training and adversarial training from the MLE model `start`;
    returns the trained generators by objective."""
    from keras_seqgan.saving import save_model

    seed = adversarial_seed(args)
    discriminators = {}
    if "discriminator" in args.stages or "adversarial" in args.stages:
        if any(objective != "dense" for objective in config["objectives"]):
            discriminators["cnn"], accuracy = timed(
                "discriminator", discriminator_stage, run, config, oracle, start, real,
                held_out, seed + 100,
            )  # fmt: skip
            summary["discriminator_pretrain_accuracy"] = accuracy
        if "dense" in config["objectives"]:
            discriminators["dense"], accuracy = timed(
                "discriminator-dense", discriminator_stage, run, config, oracle, start, real,
                held_out, seed + 100, objective="dense",
            )  # fmt: skip
            summary["discriminator_dense_pretrain_accuracy"] = accuracy
    trained = {}
    if "adversarial" in args.stages:
        for objective in config["objectives"]:
            discriminator = discriminators["dense" if objective == "dense" else "cnn"]
            gan, timing = timed(
                f"adversarial-{objective}", adversarial_stage, run, config, objective, start,
                discriminator, real, seed + 200, args.verbose, held_out,
            )  # fmt: skip
            save_model(gan, os.path.join(output, f"seqgan_{objective}.keras"))
            trained[objective] = gan.generator
            summary[objective] = {**run.evaluate(gan.generator), "step_time": timing}
            print(f"{objective}: {summary[objective]}", flush=True)
    return trained


def scratch_stages(args, config, run, timed, write_record, oracle, real, held_out, output,
                   summary):  # fmt: skip
    """Adversarial training of each objective from fresh networks (`scratch_stage`);
    returns the trained generators by objective."""
    from keras_seqgan.saving import save_model

    seed = adversarial_seed(args)
    trained = {}
    for objective in config["objectives"]:
        settings = objective_settings(config, objective)
        print(
            f"\n== From scratch, {objective}: {settings['steps']} generator steps of batch "
            f"{config['batch_size']}, Adam {settings['g_learning_rate']:g} (G) and "
            f"{settings['d_learning_rate']:g} (D), {settings['d_steps']} D update(s) per step; "
            f"no MLE stage, no discriminator pre-training",
            flush=True,
        )
        stage = f"adversarial-{objective}"
        gan, timing = timed(
            stage, scratch_stage, run, config, objective, oracle, real, held_out,
            seed + 200, args.verbose, args.backup_dir,
            lambda stage=stage: write_record(f"during {stage}"),
        )  # fmt: skip
        save_model(gan, os.path.join(output, f"seqgan_{objective}.keras"))
        # The generator alone too: small enough to commit behind a results table.
        save_model(gan.generator, os.path.join(output, f"generator_{objective}.keras"))
        trained[objective] = gan.generator
        summary[objective] = {**run.evaluate(gan.generator), "step_time": timing}
        print(f"{objective}: {summary[objective]}", flush=True)
    return trained


if __name__ == "__main__":
    main()
