"""SeqGAN on real text: COCO image captions, and Shakespeare's lines conditioned on the speaker.

Experiments (`--experiment`):

- `coco`: the text benchmark of Texygen, LeakGAN and RelGAN. Word-level tokenizer from
  `coco_captions_train.txt`; one MLE pre-training; one discriminator pre-trained against
  that MLE generator; then, from the same MLE weights and each with its own copy of that
  pre-trained discriminator, adversarial training with `reinforce` and with `gumbel`. Each
  model (MLE and each adversarial one) is scored on `coco_captions_test.txt`: BLEU-2..5 of
  generated captions against all test captions, Self-BLEU-2..5 of the generated captions
  (Texygen's definitions; token lists from the tokenizer's `split` on both sides), and
  NLL-test (`nll_gen` on the tokenized test set), all at sampling temperature 1.0.
- `shakespeare`: `shakespeare_dialogue.csv`, the 30 most frequent speakers, conditioned on
  `character` and `play`. A conditional model (MLE, then adversarial training) and an
  unconditional one with the same budget. A condition classifier for `character`, trained
  on the real training lines, scores lines each model generates for the held-out rows'
  characters (and plays): the unconditional model's score is the chance-level baseline, the
  classifier's accuracy on the real held-out lines the ceiling. Also BLEU-2..4 against the
  held-out lines, NLL on them, and ten generated lines each for two well-known speakers.

Objectives (`--set objectives='[...]'`, names in `ARMS`): `reinforce` and `gumbel` with
the CNN `Discriminator`; `dense` (ScratchGAN's `DenseReward()`, no rollouts) with a
`PrefixDiscriminator`, conditioned like the generator and pre-trained on the same rounds
of fresh fakes. A run pre-trains only the discriminators its arms use.
`--mle-from FOLDER` loads the MLE generators of an earlier run of the same data and seed
instead of training them.

Presets (`--preset`): `full` fits about 45 minutes per experiment on 2 idle CPU cores (the
estimates, and the step times measured behind them, are beside each preset); `smoke` reads
a few hundred lines and runs one or two steps of everything, for the tests.

Outputs in `--output` (default `benchmarks/results/text_<experiment>`): `results.json`
(machine, command line, config, seconds per stage, every figure, the generated lines;
rewritten atomically after every stage) and the trained models (`.keras`).

    python benchmarks/text.py --experiment coco --preset full
    python benchmarks/text.py --experiment shakespeare --preset full --data-dir ../shared/data
    python benchmarks/text.py --experiment shakespeare --set kinds='["conditional"]' \
        --set objectives='["dense"]' --mle-from benchmarks/results/text_shakespeare_reinforce
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import os
import shutil
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _machine import (  # noqa: E402
    apply_overrides,
    command_line,
    endless,
    machine_record,
    matmul_gflops,
    write_json,
)

DATA_FILES = {
    "coco": ("coco_captions_train.txt", "coco_captions_test.txt"),
    "shakespeare": ("shakespeare_dialogue.csv",),
}

# Shared by both experiments and both presets: the oracle benchmark's cpu preset (Adam 0.01
# for REINFORCE at temperature 1, as the SeqGAN authors' code; Adam 1e-3 for Gumbel-softmax
# with the temperature annealed 2.0 -> x0.95 per logged epoch; D Adam 1e-4; 3 D updates on
# fresh fakes per generator update), and Texygen's SeqGAN sizes (embedding and hidden 32).
COMMON = dict(
    embedding_dim=32,
    hidden_dim=32,
    condition_embedding_dim=8,
    batch_size=64,
    mle_learning_rate=0.01,
    d_learning_rate=1e-4,
    # Dense rewards at Adam 1e-3, ten times below REINFORCE's 0.01: on the oracle
    # (time_to_quality.py), dense rewards at 0.01 collapsed the MLE generator within ~1,000
    # steps (NLL-gen 9.07 -> 11.0). Both experiments' REINFORCE rate is 0.01, so 1e-3 it is.
    g_learning_rate={"reinforce": 0.01, "gumbel": 1e-3, "dense": 1e-3},
    annealing={"reinforce": False, "gumbel": True, "dense": False},
    num_rollouts=16,
    d_steps=3,
    rollout_jit_compile=True,
    # The small discriminator of `keras-seqgan train` and the oracle benchmark's cpu preset:
    # these widths (up to the sequence length), 64 filters each.
    filter_sizes=[1, 2, 3, 4, 5, 8, 10, 15, 20],
    seed_lines=10,
)
# The adversarial stages a run can train (`objectives`): name -> (objective, its arguments,
# extra `SeqGAN.compile` arguments). Learning rate and annealing follow the objective
# (`g_learning_rate`, `annealing`); `dense` arms train a `PrefixDiscriminator` of their own,
# the others copies of the CNN `Discriminator`.
ARMS = {
    "reinforce": ("reinforce", {}, {}),
    "gumbel": ("gumbel", {}, {}),
    # ScratchGAN's dense rewards (`DenseReward()`, its defaults): a reward at every position
    # from a per-prefix discriminator, no rollouts.
    "dense": ("dense", {}, {}),
    "dense_mismatched": ("dense", {}, {"mismatched_conditions": 0.5}),
    # The one discriminator loss that kept the discriminator from memorizing in issue 18's
    # oracle ablation (held-out accuracy 0.54 against ~1.0; docs/oracle.md).
    "reinforce_least_squares": ("reinforce", {"loss": "least_squares"}, {}),
    "gumbel_least_squares": ("gumbel", {"loss": "least_squares"}, {}),
    # A matching-aware discriminator: real lines under another line's speaker and play as
    # negatives too (conditional models; pair with `d_mismatched_conditions`).
    "reinforce_mismatched": ("reinforce", {}, {"mismatched_conditions": 0.5}),
    "gumbel_mismatched": ("gumbel", {}, {"mismatched_conditions": 0.5}),
    # Both of the above: the least-squares loss that stops memorizing, and the
    # matching-aware negatives that made the speaker count (docs/text.md).
    "reinforce_mismatched_least_squares": (
        "reinforce",
        {"loss": "least_squares"},
        {"mismatched_conditions": 0.5},
    ),
}
KINDS = ("conditional", "unconditional")  # the Shakespeare models
# What `--mle-from` needs the same in the earlier run (with the seed): the settings that
# decide the training lines (so that the loaded models never saw this run's held-out
# lines) and the generator's sizes. How that run trained its MLE models is recorded.
MLE_FROM_SAME = {
    "coco": ("max_train_lines", "max_test_lines", "sequence_length", "max_tokens"),
    "shakespeare": (
        "max_rows", "top_characters", "validation_fraction", "sequence_length", "max_tokens"
    ),
}  # fmt: skip
GENERATOR_SIZES = ("embedding_dim", "hidden_dim", "condition_embedding_dim")
MLE_SETTINGS = ("mle_epochs", "mle_learning_rate", "batch_size")
PRESETS = {
    "coco": {
        # Sequence length 24: the tokenizer splits punctuation off, so train captions run to
        # a median of 11 and a maximum of 37 tokens (99th percentile 21); 24 (23 tokens and
        # <eos>) keeps 99.5% of them whole, where 20 would cut 1.4%. RelGAN pads to 37, the
        # maximum, at ~2.4x the rollout cost of 24. max_tokens 5000 keeps every one of the
        # 4,637 train word types (the test set has 1,880 more: 3.8% of its tokens are <unk>).
        #
        # Measured on 2 cores, 2026-12-05 (benchmarks/results/text_coco/results.json):
        # 1,828 s in all: MLE 481 s, D pre-training 231 s, reinforce 799 s (2.4-2.5 s a
        # step), gumbel 290 s (0.5 s a step), evaluations 25 s; a 30 s test ran beside it
        # twice. The estimate it was sized by, before those figures:
        # Time on 2 idle cores: about 35 minutes. Step times were measured with a few steps
        # of each stage (`full` sizes) on a machine shared with another benchmark, about
        # 4x slower than idle by two figures of ../shared/PERFORMANCE.md (MLE step 85 ms
        # against its 19 ms, 10,000 generated sequences 7.3 s against its 1.6 s, at
        # ~1.1x this work); they are divided by 3.5 here (err on the slow side):
        # - MLE: 85 ms/step -> 24 ms x 157 steps x 80 epochs + NLL-test every 2: ~360 s.
        # - D pre-training: 10 x (10,000 fresh fakes, 7.3 s -> 2.1 s; 3 epochs x 313 steps
        #   of 58 ms -> 17 ms): ~180 s.
        # - reinforce: 12.4 s/step -> 3.5 s x 300 steps, plus ~20 s tracing: ~1,090 s.
        # - gumbel: 2.65 s/step -> 0.76 s x 600 steps: ~460 s.
        # - dense (not measured here): as many generator steps as gumbel, each far cheaper
        #   than a rollout step (a hundredth with one D update, step_time_dense_paper.json;
        #   here the 3 D updates weigh more): a few minutes, plus pre-training its
        #   PrefixDiscriminator on the CNN's rounds.
        # - each evaluation (2,000 captions, BLEU against 10,000, NLL on 10,000): ~6 s.
        # Both objectives log (and gumbel anneals its temperature) once per 30 steps: 20
        # annealing epochs for gumbel, 2.0 -> 0.72, as the oracle benchmark's cpu preset.
        "full": dict(
            COMMON,
            max_train_lines=None,
            max_test_lines=None,
            sequence_length=24,
            max_tokens=5000,
            mle_epochs=80,  # Texygen's SeqGAN pre-trains 80 epochs
            mle_eval_every=2,  # test NLL every 2 epochs: picks the early-stopped model
            d_rounds=10,
            d_epochs=3,
            objectives=["reinforce", "gumbel"],
            adversarial_steps={"reinforce": 300, "gumbel": 600, "dense": 600},
            log_every=30,
            num_eval=2000,
            max_n=5,
            measure_gflops=True,
        ),
        "smoke": dict(
            COMMON,
            max_train_lines=300,
            max_test_lines=200,
            sequence_length=8,
            max_tokens=300,
            batch_size=16,
            mle_epochs=1,
            mle_eval_every=1,
            d_rounds=1,
            d_epochs=1,
            objectives=["reinforce", "gumbel"],
            adversarial_steps={"reinforce": 2, "gumbel": 2, "dense": 2},
            log_every=1,
            num_rollouts=2,
            d_steps=1,
            rollout_jit_compile=False,
            filter_sizes=[2, 3],  # two branches: less to trace
            num_eval=32,
            max_n=5,
            seed_lines=3,
            measure_gflops=False,
        ),
    },
    "shakespeare": {
        # Sequence length 20: lines run to a median of 10 tokens, a maximum of 21 (99.9th
        # percentile 17); 20 cuts 4 lines in 25,873. max_tokens 5000 covers 95.4% of the
        # tokens of the 30 speakers' lines (13,565 word types).
        # Objective: gumbel, the cheaper per step here. Measured with the conditional model
        # at `full` sizes (16 rollouts, 3 D updates a step) on the shared machine: gumbel
        # 2.15 s/step, reinforce 8.1 s/step (3.8x). `--set objectives='["reinforce"]'` runs
        # reinforce instead, for 150 steps: about the same time as gumbel's 600. Each arm
        # in `objectives` (names in `ARMS`) starts from the same MLE generator and
        # pre-trained discriminator, `adversarial_seeds` times; `kinds` picks the models.
        # Every model is also sampled at each of `temperatures`: the MLE model's points
        # are the quality-diversity frontier (BLEU-n against Self-BLEU-n) the adversarial
        # models are measured against at equal Self-BLEU.
        #
        # MLE: 10 epochs. A 30-epoch run of the conditional model (results of 2026-11-26)
        # overfits from the first evaluation on: validation NLL 2.418 after 5 epochs,
        # 2.433 after 10, 2.650 after 30, while the training loss kept falling.
        #
        # Time on 2 idle cores: about 25 minutes, from step times measured as for coco
        # (divided by 3.5), for each of the two models (conditional, unconditional):
        # - MLE: 128 ms/step -> 37 ms x 364 steps x 10 epochs: ~135 s.
        # - D pre-training: 5 x (23,286 fresh fakes, 14.3 s -> 4.1 s; 3 epochs x 728 steps
        #   of 50 ms -> 14 ms): ~175 s.
        # - gumbel: 2.15 s/step -> 0.61 s x 600 steps, plus ~8 s tracing: ~375 s.
        # - dense (not measured here): as many generator steps as gumbel, each far cheaper
        #   than a rollout step (a hundredth with one D update, step_time_dense_paper.json;
        #   here the 3 D updates weigh more): a few minutes, plus pre-training its
        #   PrefixDiscriminator on the CNN's rounds.
        # and once: the classifier, 5 epochs of 5.0 s -> 1.4 s; evaluations, ~5 s each.
        "full": dict(
            COMMON,
            max_rows=None,
            top_characters=30,
            validation_fraction=0.1,
            sequence_length=20,
            max_tokens=5000,
            mle_epochs=10,
            mle_eval_every=1,  # held-out NLL every epoch: picks the early-stopped model
            d_rounds=5,
            d_epochs=3,
            # The share of real lines under another line's speaker and play among the
            # conditional discriminator's pre-training negatives (`pipeline`).
            d_mismatched_conditions=0.0,
            kinds=["conditional", "unconditional"],
            objectives=["gumbel"],
            adversarial_steps={"reinforce": 150, "gumbel": 600, "dense": 600},
            adversarial_seeds=1,
            temperatures=[0.8, 0.9, 1.0, 1.1, 1.2],
            log_every=30,
            classifier_epochs=5,
            num_eval=2000,
            max_n=4,
            showcase=["HAMLET", "FALSTAFF"],
            measure_gflops=True,
        ),
        "smoke": dict(
            COMMON,
            max_rows=400,
            top_characters=30,
            validation_fraction=0.2,
            sequence_length=8,
            max_tokens=300,
            batch_size=16,
            mle_epochs=1,
            mle_eval_every=1,
            d_rounds=1,
            d_epochs=1,
            # The share of real lines under another line's speaker and play among the
            # conditional discriminator's pre-training negatives (`pipeline`).
            d_mismatched_conditions=0.0,
            kinds=["conditional", "unconditional"],
            objectives=["gumbel"],
            adversarial_steps={"reinforce": 2, "gumbel": 2, "dense": 2},
            adversarial_seeds=1,
            temperatures=[0.9, 1.0],
            log_every=1,
            num_rollouts=2,
            d_steps=1,
            rollout_jit_compile=False,
            filter_sizes=[2, 3],
            classifier_epochs=1,
            num_eval=32,
            max_n=4,
            showcase=["HAMLET", "FALSTAFF"],
            seed_lines=3,
            measure_gflops=False,
        ),
    },
}


# --------------------------------------------------------------------- helpers
def words_of(tokenizer, text):
    """The tokenizer's `split` of a text, with `<unk>` (from `decode`) kept as one token."""
    from keras_seqgan.data.tokenizer import OOV_TOKEN

    pieces = text.split(OOV_TOKEN)
    words = tokenizer.split(pieces[0])
    for piece in pieces[1:]:
        words += [OOV_TOKEN, *tokenizer.split(piece)]
    return words


def rounded(values):
    return {key: round(float(value), 5) for key, value in values.items()}


def make_generator(tokenizer, config, seed):
    import keras_seqgan as ks

    return ks.models.Generator(
        vocabulary_size=tokenizer.vocabulary_size,
        sequence_length=tokenizer.sequence_length,
        embedding_dim=config["embedding_dim"],
        hidden_dim=config["hidden_dim"],
        start_token=tokenizer.pad_id,
        conditions=tokenizer.condition_sizes or None,
        condition_embedding_dim=config["condition_embedding_dim"],
        tokenizer=tokenizer,
        seed=seed,
    )


def make_discriminator(tokenizer, config):
    import keras_seqgan as ks

    widths = [w for w in config["filter_sizes"] if w <= tokenizer.sequence_length]
    return ks.models.Discriminator(
        vocabulary_size=tokenizer.vocabulary_size,
        sequence_length=tokenizer.sequence_length,
        filter_sizes=widths,
        num_filters=[64] * len(widths),
        conditions=tokenizer.condition_sizes or None,
        condition_embedding_dim=config["condition_embedding_dim"],
    )


def make_prefix_discriminator(tokenizer, config, seed):
    """The `dense` arms' discriminator: a `PrefixDiscriminator` (its defaults, as
    `keras-seqgan train --objective dense` builds it) with the generator's conditions."""
    import keras_seqgan as ks

    return ks.models.PrefixDiscriminator(
        vocabulary_size=tokenizer.vocabulary_size,
        sequence_length=tokenizer.sequence_length,
        conditions=tokenizer.condition_sizes or None,
        condition_embedding_dim=config["condition_embedding_dim"],
        seed=seed,
    )


def discriminator_family(arm):
    """`"prefix"` for an arm of dense rewards (a `PrefixDiscriminator`), else `"cnn"`."""
    return "prefix" if ARMS[arm][0] == "dense" else "cnn"


def pretrained_discriminators(record, tokenizer, generator, real, conditions, held_out,
                              held_out_conditions, config, seed, verbose, kind=None):  # fmt: skip
    """The discriminators the run's arms train, each pre-trained against `generator` in a
    stage of its own: the CNN one (stage `discriminator[-KIND]`) and/or the prefix one
    (`prefix-discriminator[-KIND]`), on the same rounds of fresh fakes. Their held-out
    accuracies go into `[prefix_]discriminator_pretrain_accuracy[_KIND]`. {family: model}."""
    wanted = {discriminator_family(arm) for arm in config["objectives"]}
    suffix = "" if kind is None else f"_{kind}"
    discriminators = {}
    for family in ("cnn", "prefix"):  # the CNN first, so its initial weights are as before
        if family not in wanted:
            continue
        if family == "cnn":
            discriminator, label = make_discriminator(tokenizer, config), ""
        else:
            discriminator = make_prefix_discriminator(tokenizer, config, seed + 4)
            label = "prefix_"
        record.body[f"{label}discriminator_pretrain_accuracy{suffix}"] = record.stage(
            f"{label.replace('_', '-')}discriminator{suffix.replace('_', '-')}",
            pretrain_discriminator, discriminator, generator, real, conditions, held_out,
            held_out_conditions, config, seed + 100, verbose,
        )  # fmt: skip
        discriminators[family] = discriminator
    return discriminators


# ---------------------------------------------------------------------- stages
def train_mle(generator, tokens, conditions, held_out, held_out_conditions, config, seed, verbose,
              best=None):  # fmt: skip
    """MLE pre-training; `val_loss` on the held-out set every `mle_eval_every` epochs.

    The final model is the one trained; with `best` (a `BestWeights`), the weights at the
    lowest `val_loss` are kept beside it, for an early-stopped model.
    """
    import keras

    import keras_seqgan as ks

    generator.compile(
        optimizer=keras.optimizers.Adam(config["mle_learning_rate"], global_clipnorm=5.0)
    )
    history = generator.fit(
        ks.data.mle_dataset(
            tokens, batch_size=config["batch_size"], seed=seed, conditions=conditions or None
        ),
        validation_data=ks.data.mle_dataset(
            held_out, batch_size=256, shuffle=False, conditions=held_out_conditions or None
        ),
        validation_freq=config["mle_eval_every"],
        epochs=config["mle_epochs"],
        shuffle=False,  # the dataset shuffles, seeded
        verbose=verbose,
        callbacks=[] if best is None else [best],
    )
    return {key: [round(float(v), 5) for v in values] for key, values in history.history.items()}


def best_weights_callback():
    """A callback that keeps a copy of the weights at the lowest `val_loss` so far (the
    epochs without validation are skipped): `.epoch` (1-based), `.val_loss`, `.weights`."""
    import keras

    class BestWeights(keras.callbacks.Callback):
        epoch = val_loss = weights = None

        def on_epoch_end(self, epoch, logs=None):
            loss = (logs or {}).get("val_loss")
            if loss is not None and (self.val_loss is None or loss < self.val_loss):
                self.epoch, self.val_loss = epoch + 1, float(loss)
                self.weights = self.model.get_weights()

    return BestWeights()


class EarlyStopped:
    """The early-stopped MLE model of a run (`kind`: "" or "_conditional" ...):
    `generator_mle_early_stopped{kind}.keras`, the weights at the lowest `val_loss` of the
    MLE stage (`callback` keeps them, `save` writes them), or, with `--mle-from`, that
    run's file copied; its epoch in the record as `mle_early_stopped_epoch{kind}`."""

    def __init__(self, record, output, earlier, kind):
        self.record, self.key = record, f"mle_early_stopped_epoch{kind}"
        name = f"generator_mle_early_stopped{kind}.keras"
        self.path = os.path.join(output, name)
        self.callback = best_weights_callback()
        if earlier is not None:
            source = os.path.join(earlier["folder"], name)
            if os.path.isfile(source) and os.path.abspath(source) != os.path.abspath(self.path):
                shutil.copyfile(source, self.path)
            if self.key in earlier:
                record.body[self.key] = earlier[self.key]

    def save(self, generator):
        """Writes the kept weights as the early-stopped model; `generator` keeps its own."""
        from keras_seqgan.saving import save_model

        if self.callback.weights is None:
            return
        final = generator.get_weights()
        generator.set_weights(self.callback.weights)
        save_model(generator, self.path)
        generator.set_weights(final)
        self.record.body[self.key] = self.callback.epoch

    def exists(self):
        return os.path.isfile(self.path)

    def load(self):
        import keras

        return keras.saving.load_model(self.path)


def earlier_mle_run(folder, experiment, config, seed):
    """`--mle-from FOLDER`: the earlier run's `results.json` (and `folder`), once its seed,
    data settings (`MLE_FROM_SAME`) and generator sizes are this run's and its MLE files
    are there; exits with what differs otherwise."""
    path = os.path.join(folder, "results.json")
    if not os.path.isfile(path):
        raise SystemExit(f"--mle-from: {path} not found; pass a text.py output folder")
    with open(path, encoding="utf-8") as handle:
        earlier = json.load(handle)
    if earlier.get("experiment") != experiment:
        raise SystemExit(
            f"--mle-from {folder}: a run of experiment {earlier.get('experiment')!r}, not "
            f"{experiment!r}"
        )
    differ = [] if earlier.get("seed") == seed else [f"seed {earlier.get('seed')} (here {seed})"]
    for key in MLE_FROM_SAME[experiment] + GENERATOR_SIZES:
        if earlier["config"].get(key) != config[key]:
            differ.append(f"{key} {earlier['config'].get(key)!r} (here {config[key]!r})")
    if differ:
        raise SystemExit(
            f"--mle-from {folder}: that run's MLE models come from other data or sizes: "
            f"{'; '.join(differ)}. Pass the same --seed and --set values."
        )
    names = (
        ["generator_mle.keras"]
        if experiment == "coco"
        else [f"generator_mle_{kind}.keras" for kind in config["kinds"]]
    )
    missing = [name for name in names if not os.path.isfile(os.path.join(folder, name))]
    if missing:
        raise SystemExit(f"--mle-from {folder}: {', '.join(missing)} not found")
    return {**earlier, "folder": os.path.abspath(folder)}


def load_mle(record, earlier, tokenizer, kind=None):
    """The MLE generator of the `--mle-from` run `earlier` (`generator_mle[_KIND].keras`),
    checked to carry this run's tokenizer. Its MLE history becomes this run's; the
    folder, that run's command, MLE settings and MLE stage seconds go into `mle_from`."""
    import keras

    import keras_seqgan as ks  # noqa: F401 (registers the classes the file names)

    suffix = "" if kind is None else f"_{kind}"
    path = os.path.join(earlier["folder"], f"generator_mle{suffix}.keras")
    generator = keras.saving.load_model(path)
    tokenizer_config = None if generator.tokenizer is None else generator.tokenizer.get_config()
    if tokenizer_config != tokenizer.get_config():
        raise SystemExit(
            f"--mle-from: {path} carries another tokenizer than this run's (its vocabulary or "
            "condition values differ: other data?)"
        )
    entry = record.body.setdefault(
        "mle_from",
        {
            "folder": earlier["folder"],
            "command": earlier["command"],
            "config": {key: earlier["config"].get(key) for key in MLE_SETTINGS},
            "stage_seconds": {},
        },
    )
    stage = f"mle{suffix.replace('_', '-')}"
    entry["stage_seconds"][stage] = earlier["stage_seconds"].get(stage)
    record.body[f"mle_history{suffix}"] = earlier.get(f"mle_history{suffix}")
    print(f"MLE generator loaded from {path}", flush=True)
    return generator


def pretrain_discriminator(discriminator, generator, real, conditions, held_out,
                           held_out_conditions, config, seed, verbose):  # fmt: skip
    """`d_rounds` x (as many fresh fakes as real lines, made for the real lines' conditions,
    `d_epochs` epochs); returns the accuracy on held-out real lines against fresh fakes."""
    import keras

    from keras_seqgan import pipeline

    discriminator.compile(optimizer=keras.optimizers.Adam(config["d_learning_rate"]))
    pipeline.pretrain_discriminator(
        discriminator, generator, real, rounds=config["d_rounds"], epochs=config["d_epochs"],
        batch_size=config["batch_size"], seed=seed, conditions=conditions or None,
        mismatched_conditions=config.get("d_mismatched_conditions", 0.0) if conditions else 0.0,
        verbose=verbose,
    )  # fmt: skip
    held_out_conditions = held_out_conditions or None
    fake = generator.generate(len(held_out), seed=seed + 999, conditions=held_out_conditions)
    accuracy = pipeline.discriminator_accuracy(
        discriminator, held_out, fake, real_conditions=held_out_conditions,
        fake_conditions=held_out_conditions,
    )  # fmt: skip
    return round(accuracy, 5)


def make_objective(arm, config):
    """The objective of an arm of `ARMS`, with the preset's `num_rollouts` for reinforce."""
    import keras_seqgan as ks

    objective, options, _ = ARMS[arm]
    if objective == "reinforce":
        return ks.objectives.Reinforce(num_rollouts=config["num_rollouts"], **options)
    if objective == "dense":
        return ks.objectives.DenseReward(**options)
    return ks.objectives.Gumbel(**options)


def train_adversarial(arm, generator, discriminator, real, conditions, config, seed, verbose):
    """`adversarial_steps[objective]` `fit` steps of the arm's objective (each `d_steps` D
    updates on fresh fakes, then one G update), logged every `log_every` steps (whole
    logging intervals: the count is rounded down to a multiple of `log_every`); returns
    the SeqGAN and its logs."""
    import keras

    import keras_seqgan as ks
    from keras_seqgan.pipeline import copy_model

    objective = ARMS[arm][0]
    generator = copy_model(generator)
    discriminator = copy_model(discriminator)
    discriminator.compile(optimizer=keras.optimizers.Adam(config["d_learning_rate"]))
    gan = ks.SeqGAN(generator, discriminator, objective=make_objective(arm, config), seed=seed)
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(config["g_learning_rate"][objective]),
        discriminator_optimizer=keras.optimizers.Adam(config["d_learning_rate"]),
        d_steps=config["d_steps"],
        gradient_clip=5.0,
        rollout_jit_compile=objective == "reinforce" and config["rollout_jit_compile"],
        **ARMS[arm][2],
    )
    timer = ks.callbacks.BatchTimer(verbose=0)
    callbacks = [timer]
    if config["annealing"][objective]:
        callbacks.insert(0, ks.callbacks.TemperatureAnnealing())  # 2.0, x0.95 / epoch, >= 0.5
    steps, every = config["adversarial_steps"][objective], config["log_every"]
    dataset = ks.data.sequence_dataset(
        real, batch_size=config["batch_size"], seed=seed, conditions=conditions or None
    )
    history = gan.fit(
        endless(dataset, real, config["batch_size"], seed, conditions=conditions or None),
        epochs=max(1, steps // every),
        steps_per_epoch=min(every, steps),
        shuffle=False,
        verbose=verbose,
        callbacks=callbacks,
    )
    logs = {
        key: [round(float(v), 5) for v in values]
        for key, values in history.history.items()
        if key in ("d_loss", "d_acc", "g_loss", "reward_mean", "temperature")
    }
    timing = {  # no mean etc. after a single (tracing) step: None, not NaN
        key: value if isinstance(value, int) else None if math.isnan(value) else round(value, 1)
        for key, value in timer.summary.items()
    }
    return gan, {"history": logs, "step_time": timing, "describe": timer.describe()}


def generated_set(generator, tokenizer, count, seed, conditions=None, temperature=1.0):
    """`count` generated rows (ids cut after `<eos>`) and their text."""
    from keras_seqgan.evaluation.sweep import end_at_eos

    tokens = generator.generate(count, temperature=temperature, seed=seed, conditions=conditions)
    tokens = end_at_eos(tokens, tokenizer)
    return tokens, tokenizer.decode(tokens)


def sweep_figures(generator, tokenizer, references, temperatures, count, config, seed, nll,
                  conditions=None, extra_scores=None, label=None):  # fmt: skip
    """`keras_seqgan.evaluation.temperature_sweep` of `count` lines sampled with `seed`:
    BLEU-2..max_n against the references, Self-BLEU-2..max_n and MS-Jaccard-2..max_n at
    each temperature (and what `extra_scores` adds), with `nll` ({name: held-out NLL},
    not sampled) beside them. {"T": figures}; each printed with `label`."""
    import keras_seqgan as ks

    def progress(row):
        if label is not None:
            print(f"[{label} T={row['temperature']:g}] {figures(row)}", flush=True)

    def figures(row):
        return rounded({**{k: v for k, v in row.items() if k != "temperature"}, **nll})

    rows = ks.evaluation.temperature_sweep(
        generator, references, temperatures, num_samples=count, conditions=conditions,
        max_n=config["max_n"], seed=seed, tokenizer=tokenizer, extra_scores=extra_scores,
        progress=progress,
    )  # fmt: skip
    return {f"{row['temperature']:g}": figures(row) for row in rows}


def versus_frontier(point, frontier, max_n):
    """A model's BLEU-n against the MLE model's temperature sweep at equal Self-BLEU-n.

    `point`: figures at one temperature; `frontier`: {temperature: figures} of the MLE
    model. For each n, the MLE BLEU-n at `point`'s Self-BLEU-n, linear between the sweep's
    points (`None` outside their range), and the margin `point - frontier` (> 0: better
    than any temperature of the MLE model at that diversity;
    `keras_seqgan.evaluation.frontier_margin`).
    """
    import keras_seqgan as ks

    result = {}
    for n in range(2, max_n + 1):
        bleu, self_bleu = f"bleu_{n}", f"self_bleu_{n}"
        margin = ks.evaluation.frontier_margin(
            list(frontier.values()), point, x=self_bleu, y=bleu, higher_is_better=True
        )
        at = None if margin is None else round(point[bleu] - margin, 5)
        result[f"mle_{bleu}_at_equal_{self_bleu}"] = at
        result[f"{bleu}_margin"] = margin
    return result


def speaker_judgement(discriminator, tokens, conditions, seed):
    """How a conditional discriminator scores real lines under their own and other speakers.

    Every held-out line is scored with its own conditions and with those of another row
    (one permutation of the rows: the `(character, play)` pairs move together, so each is
    a real pair, just not this line's). Rows whose character the permutation left
    unchanged are dropped from the wrong-speaker figures. Returns the share of own-speaker
    lines judged real (P > 0.5), of wrong-speaker lines judged fake (P < 0.5), the mean
    P(real) of each, and the share of lines the discriminator prefers with their own
    speaker (P own > P wrong): 0.5 means it ignores the speaker. A `PrefixDiscriminator`
    is judged by its last position's logit, the whole (padded) line's.
    """
    import keras

    order = np.random.default_rng(seed).permutation(len(tokens))
    wrong = {name: ids[order] for name, ids in conditions.items()}
    changed = wrong["character"] != conditions["character"]

    def probability(names):
        logits = discriminator.predict({"tokens": tokens, **names}, batch_size=512, verbose=0)
        logits = np.asarray(logits).reshape(len(tokens), -1)[:, -1]  # [B, 1] or [B, T]
        return np.asarray(keras.ops.sigmoid(logits)).reshape(-1)

    own, other = probability(conditions), probability(wrong)[changed]
    shares = rounded(
        {
            "own_speaker_judged_real": np.mean(own > 0.5),
            "wrong_speaker_judged_fake": np.mean(other < 0.5),
            "mean_p_real_own_speaker": np.mean(own),
            "mean_p_real_wrong_speaker": np.mean(other),
            "prefers_own_speaker": np.mean(own[changed] > other),
        }
    )
    return {**shares, "rows": len(tokens), "rows_with_another_speaker": int(np.sum(changed))}


def print_table(title, rows, columns):
    """rows: {name: {column: value}}; prints a fixed-width table."""
    width = max(len(name) for name in rows)
    widths = [max(len(c), 7) for c in columns]
    print(f"\n{title}")
    print(" " * width + "  " + "  ".join(c.rjust(w) for c, w in zip(columns, widths, strict=True)))
    for name, values in rows.items():
        cells = []
        for column, w in zip(columns, widths, strict=True):
            value = values.get(column)
            cells.append(("-" if value is None else f"{value:.4f}").rjust(w))
        print(name.ljust(width) + "  " + "  ".join(cells))


# ------------------------------------------------------------------------ runs
class Record:
    """results.json, rewritten atomically after every stage."""

    def __init__(self, path, head):
        self.path, self.head = path, head
        self.stage_seconds: dict[str, float] = {}
        self.body: dict = {}
        self.started = time.perf_counter()

    def stage(self, name, fn, *args, **kwargs):
        begin = time.perf_counter()
        print(f"\n== {name}", flush=True)
        result = fn(*args, **kwargs)
        self.stage_seconds[name] = round(time.perf_counter() - begin, 1)
        print(f"-- stage {name}: {self.stage_seconds[name]:.0f} s", flush=True)
        self.write(f"after {name}")
        return result

    def write(self, status):
        record = {
            **self.head,
            "status": status,
            "stage_seconds": self.stage_seconds,
            "total_seconds": round(time.perf_counter() - self.started, 1),
            **self.body,
        }
        write_json(self.path, record)
        return record


def run_coco(config, data_dir, output, record, seed, verbose, earlier=None):
    import keras_seqgan as ks
    from keras_seqgan.saving import save_model

    train_file, test_file = (os.path.join(data_dir, name) for name in DATA_FILES["coco"])

    def load():
        train = ks.data.load_text_corpus(train_file, max_lines=config["max_train_lines"])
        test = ks.data.load_text_corpus(test_file, max_lines=config["max_test_lines"])
        tokenizer = ks.data.Tokenizer(config["sequence_length"], max_tokens=config["max_tokens"])
        tokenizer.adapt(train.texts)
        real, _ = train.tokenize(tokenizer)
        test_tokens, _ = test.tokenize(tokenizer)
        references = [words_of(tokenizer, text) for text in test.texts]
        limit = config["sequence_length"] - 1
        record.body["data"] = {
            "train_lines": len(train),
            "test_lines": len(test),
            "vocabulary_size": tokenizer.vocabulary_size,
            "sequence_length": tokenizer.sequence_length,
            "train_lines_cut": round(
                float(np.mean([len(tokenizer.split(t)) > limit for t in train.texts])), 5
            ),
            "test_unk_token_share": round(
                float(np.mean(test_tokens[test_tokens > tokenizer.eos_id] == tokenizer.oov_id)),
                5,
            ),
        }
        print(f"data: {record.body['data']}", flush=True)
        return tokenizer, real, test_tokens, references

    tokenizer, real, test_tokens, references = record.stage("data", load)
    figures = record.body.setdefault("figures", {})
    samples = record.body.setdefault("samples", {})
    adversarial = record.body.setdefault("adversarial", {})

    def evaluate(name, generator):
        nll = {"nll_test": ks.evaluation.nll_gen(generator, test_tokens)}
        figures[name] = sweep_figures(
            generator, tokenizer, references, (1.0,), config["num_eval"], config, seed + 7, nll
        )["1"]
        _, lines = generated_set(generator, tokenizer, config["num_eval"], seed + 7)
        samples[name] = lines[: config["seed_lines"]]
        print(f"[{name}] {figures[name]}", flush=True)
        for line in samples[name]:
            print(f"    {line}")

    # The early-stopped model: the weights at the lowest test NLL of the evaluated epochs.
    # Picked on the test captions (COCO has no validation split), which can only flatter
    # this baseline, never the adversarial models.
    early = EarlyStopped(record, output, earlier, "")
    if earlier is None:
        generator = make_generator(tokenizer, config, seed + 1)
        record.body["mle_history"] = record.stage(
            "mle", train_mle, generator, real, None, test_tokens, None, config, seed + 2, verbose,
            early.callback,
        )  # fmt: skip
        early.save(generator)
    else:
        generator = record.stage("load-mle", load_mle, record, earlier, tokenizer, None)
    save_model(generator, os.path.join(output, "generator_mle.keras"))
    record.stage("evaluate-mle", evaluate, "mle", generator)
    if early.exists():
        record.stage("evaluate-mle-early-stopped", evaluate, "mle_early_stopped", early.load())

    # One discriminator of each family the arms use, pre-trained against the MLE
    # generator; each arm trains a copy of its family's (and a copy of the MLE generator),
    # so all start from the same pair.
    discriminators = pretrained_discriminators(
        record, tokenizer, generator, real, None, test_tokens, None, config, seed, verbose
    )
    for objective in config["objectives"]:
        gan, logs = record.stage(
            f"adversarial-{objective}", train_adversarial, objective, generator,
            discriminators[discriminator_family(objective)], real, None, config, seed + 200,
            verbose,
        )  # fmt: skip
        adversarial[objective] = logs
        print(logs["describe"], flush=True)
        save_model(gan, os.path.join(output, f"seqgan_{objective}.keras"))
        save_model(gan.generator, os.path.join(output, f"generator_{objective}.keras"))
        record.stage(f"evaluate-{objective}", evaluate, objective, gan.generator)

    n = config["max_n"]
    columns = [
        f"{name}_{k}" for name in ("bleu", "self_bleu", "ms_jaccard") for k in range(2, n + 1)
    ]
    print_table(
        f"COCO captions: {config['num_eval']} generated captions at temperature 1.0 against "
        f"{record.body['data']['test_lines']} test captions",
        figures,
        columns + ["nll_test"],
    )


def shakespeare_data(config, data_dir, seed):
    """What the Shakespeare experiment reads and derives from `shakespeare_dialogue.csv`:
    the same for a run and for `--rescore` of its models (same config and seed)."""
    import types

    import keras_seqgan as ks

    path = os.path.join(data_dir, DATA_FILES["shakespeare"][0])
    corpus = ks.data.load_csv_corpus(
        path, condition_columns=["character", "play"], max_rows=config["max_rows"]
    )
    corpus = corpus.most_frequent("character", config["top_characters"])
    train, validation = corpus.split(config["validation_fraction"], seed=seed)
    tokenizer = ks.data.Tokenizer(config["sequence_length"], max_tokens=config["max_tokens"])
    tokenizer.adapt(train.texts, train.conditions)
    known = validation.known_to(tokenizer)
    validation, dropped = known, len(validation) - len(known)
    # The unconditional model: the same word ids, no conditions.
    plain = ks.data.Tokenizer(config["sequence_length"], vocabulary=tokenizer.vocabulary)
    real, real_conditions = train.tokenize(tokenizer)
    held_out, held_out_conditions = validation.tokenize(tokenizer)
    # The held-out rows whose speakers (and plays) the models generate for.
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(validation), min(config["num_eval"], len(validation)), False))
    return types.SimpleNamespace(
        corpus=corpus, train=train, validation=validation, dropped=dropped,
        tokenizer=tokenizer, plain=plain, real=real, real_conditions=real_conditions,
        held_out=held_out, held_out_conditions=held_out_conditions, rows=rows,
        wanted={name: ids[rows] for name, ids in held_out_conditions.items()},
        references=[words_of(tokenizer, text) for text in validation.texts],
    )  # fmt: skip


def temperature_sweep(generator, data, classifier, config, seed, temperatures, conditional,
                      label):  # fmt: skip
    """A generator's figures at each temperature: BLEU against the held-out lines,
    Self-BLEU, MS-Jaccard, speaker accuracy (by `classifier`), held-out NLL. {"T": figures};
    printed."""
    import keras_seqgan as ks

    held_out_conditions = data.held_out_conditions if conditional else None
    nll = ks.evaluation.nll_gen(generator, data.held_out, conditions=held_out_conditions)

    def speaker(tokens, temperature):
        return {
            "condition_accuracy_character": classifier.accuracy(tokens, data.wanted["character"])
        }

    return sweep_figures(
        generator, data.tokenizer if conditional else data.plain, data.references,
        temperatures, len(data.rows), config, seed + 7, {"nll_held_out": nll},
        conditions=data.wanted if conditional else None, extra_scores=speaker, label=label,
    )  # fmt: skip


def run_shakespeare(config, data_dir, output, record, seed, verbose, earlier=None):
    import keras_seqgan as ks
    from keras_seqgan.saving import save_model

    def load():
        data = shakespeare_data(config, data_dir, seed)
        record.body["data"] = {
            "rows": len(data.corpus),
            "train_lines": len(data.train),
            "validation_lines": len(data.validation),
            "validation_dropped_unseen_conditions": data.dropped,
            "vocabulary_size": data.tokenizer.vocabulary_size,
            "sequence_length": data.tokenizer.sequence_length,
            "conditions": data.tokenizer.condition_sizes,
            "characters": data.tokenizer.condition_values("character"),
        }
        print({k: v for k, v in record.body["data"].items() if k != "characters"}, flush=True)
        return data

    data = record.stage("data", load)
    train, tokenizer, plain = data.train, data.tokenizer, data.plain
    real, real_conditions = data.real, data.real_conditions
    held_out, held_out_conditions = data.held_out, data.held_out_conditions
    rows, wanted = data.rows, data.wanted

    classifier = record.stage(
        "classifier", ks.evaluation.train_condition_classifier, real,
        real_conditions["character"], num_classes=tokenizer.condition_sizes["character"],
        vocabulary_size=tokenizer.vocabulary_size, epochs=config["classifier_epochs"],
        seed=seed + 3, validation_fraction=0.0,
    )  # fmt: skip
    record.body["classifier"] = {
        "accuracy_real_held_out": round(
            classifier.accuracy(held_out, held_out_conditions["character"]), 5
        ),
        "accuracy_real_held_out_requested_rows": round(
            classifier.accuracy(held_out[rows], wanted["character"]), 5
        ),
        "chance": round(classifier.chance, 5),
        "num_classes": tokenizer.condition_sizes["character"],
    }
    print(f"classifier: {record.body['classifier']}", flush=True)
    save_model(classifier, os.path.join(output, "classifier_character.keras"))

    # The speakers to show; one not among the kept speakers (smoke runs read a few hundred
    # rows of one play) gives way to the commonest speaker not shown yet.
    known = tokenizer.condition_values("character")
    showcase = [name for name in config["showcase"] if name in known]
    spare = [name for name in known if name not in showcase]
    showcase += spare[: len(config["showcase"]) - len(showcase)]
    pairs = collections.Counter(
        zip(train.conditions["character"], train.conditions["play"], strict=True)
    )
    plays = {  # each speaker's commonest play in the training lines
        name: max((count, play) for (who, play), count in pairs.items() if who == name)[1]
        for name in showcase
    }

    figures = record.body.setdefault("figures", {})
    sweeps = record.body.setdefault("temperature_sweep", {})
    versus = record.body.setdefault("versus_mle_frontier", {})
    judgements = record.body.setdefault("speaker_judgement", {})
    samples = record.body.setdefault("samples", {})
    adversarial = record.body.setdefault("adversarial", {})
    n = config["max_n"]
    temperatures = sorted(set(config["temperatures"]) | {1.0})

    def evaluate(name, generator, conditional):
        sweep = temperature_sweep(
            generator, data, classifier, config, seed, temperatures, conditional, name
        )
        sweeps[name] = sweep
        figures[name] = sweep["1"]
        if conditional:
            samples[name] = {}
            for character in showcase:
                lines = generator.generate_text(
                    config["seed_lines"],
                    conditions={"character": character, "play": plays[character]},
                    temperature=1.0,
                    seed=seed + 11,
                )
                samples[name][character] = {"play": plays[character], "lines": lines}
                print(f"  {character} ({plays[character]}; the same sampling seed for every "
                      "speaker, so differences come from the condition):")  # fmt: skip
                for line in lines:
                    print(f"    {line}")
        else:
            samples[name] = generator.generate_text(config["seed_lines"], seed=seed + 11)
            print("  (unconditional):")
            for line in samples[name]:
                print(f"    {line}")

    def judge(name, discriminator):
        judgements[name] = speaker_judgement(discriminator, held_out, held_out_conditions, seed + 5)
        print(f"[{name}] discriminator on real held-out lines, own vs another speaker: "
              f"{judgements[name]}", flush=True)  # fmt: skip

    seeds = config["adversarial_seeds"]
    for kind in config["kinds"]:
        conditional = kind == "conditional"
        tok = tokenizer if conditional else plain
        conditions = real_conditions if conditional else None
        held_conditions = held_out_conditions if conditional else None
        early = EarlyStopped(record, output, earlier, f"_{kind}")  # by held-out NLL
        if earlier is None:
            generator = make_generator(tok, config, seed + 1)
            record.body[f"mle_history_{kind}"] = record.stage(
                f"mle-{kind}", train_mle, generator, real, conditions, held_out,
                held_conditions, config, seed + 2, verbose, early.callback,
            )  # fmt: skip
            early.save(generator)
        else:
            generator = record.stage(f"load-mle-{kind}", load_mle, record, earlier, tok, kind)
        save_model(generator, os.path.join(output, f"generator_mle_{kind}.keras"))
        record.stage(f"evaluate-mle-{kind}", evaluate, f"mle_{kind}", generator, conditional)
        if early.exists():
            record.stage(f"evaluate-mle-early-stopped-{kind}", evaluate,
                         f"mle_early_stopped_{kind}", early.load(), conditional)  # fmt: skip
        discriminators = pretrained_discriminators(
            record, tok, generator, real, conditions, held_out, held_conditions, config, seed,
            verbose, kind,
        )  # fmt: skip
        if conditional:
            for family, discriminator in discriminators.items():
                judge(f"pretrained_{'prefix_' if family == 'prefix' else ''}{kind}", discriminator)
        for arm in config["objectives"]:
            discriminator = discriminators[discriminator_family(arm)]
            for index in range(seeds):
                name = f"{arm}_{kind}" + (f"_seed{index}" if seeds > 1 else "")
                gan, logs = record.stage(
                    f"adversarial-{name}", train_adversarial, arm, generator, discriminator,
                    real, conditions, config, seed + 200 + index, verbose,
                )  # fmt: skip
                adversarial[name] = logs
                print(logs["describe"], flush=True)
                save_model(gan, os.path.join(output, f"seqgan_{name}.keras"))
                save_model(gan.generator, os.path.join(output, f"generator_{name}.keras"))
                record.stage(f"evaluate-{name}", evaluate, name, gan.generator, conditional)
                versus[name] = versus_frontier(figures[name], sweeps[f"mle_{kind}"], n)
                print(f"[{name}] against the MLE model's temperature sweep: {versus[name]}")
                if conditional:
                    judge(name, gan.discriminator)

    rows_table = dict(figures)
    rows_table["real held-out lines"] = {
        "condition_accuracy_character": record.body["classifier"]["accuracy_real_held_out"]
    }
    rows_table["chance (commonest speaker)"] = {
        "condition_accuracy_character": record.body["classifier"]["chance"]
    }
    print_table(
        f"Shakespeare, {len(rows)} lines generated for held-out rows' speakers and plays at "
        f"temperature 1.0 (speaker accuracy by a classifier trained on real lines)",
        rows_table,
        ["condition_accuracy_character"]
        + [f"bleu_{k}" for k in range(2, n + 1)]
        + [f"self_bleu_{k}" for k in range(2, n + 1)]
        + [f"ms_jaccard_{k}" for k in range(2, n + 1)]
        + ["nll_held_out"],
    )


def rescore_shakespeare(folder, config, data_dir, seed, temperatures):
    """Scores every `generator_*.keras` of a Shakespeare run's folder again, at each of
    `temperatures`, with the run's own classifier and data (rebuilt from its config and
    seed), and places each against its kind's MLE model (`mle_<kind>`) at equal
    Self-BLEU. Returns the record `rescore.json` holds."""
    import glob

    import keras

    import keras_seqgan as ks  # noqa: F401 (registers the classes the files name)

    data = shakespeare_data(config, data_dir, seed)
    classifier = keras.saving.load_model(os.path.join(folder, "classifier_character.keras"))
    sweeps = {}
    for path in sorted(glob.glob(os.path.join(folder, "generator_*.keras"))):
        name = os.path.basename(path)[len("generator_") : -len(".keras")]
        conditional = "_unconditional" not in name
        generator = keras.saving.load_model(path)
        sweeps[name] = temperature_sweep(
            generator, data, classifier, config, seed, temperatures, conditional, name
        )
    versus = {}
    for name, sweep in sweeps.items():
        kind = "unconditional" if "_unconditional" in name else "conditional"
        if not name.startswith("mle_") and f"mle_{kind}" in sweeps and "1" in sweep:
            versus[name] = versus_frontier(sweep["1"], sweeps[f"mle_{kind}"], config["max_n"])
            print(f"[{name}] against the MLE model's temperature sweep: {versus[name]}")
    return {"temperature_sweep": sweeps, "versus_mle_frontier": versus}


# ------------------------------------------------------------------------- main
def parse_args(argv):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--experiment", choices=sorted(PRESETS), required=True)
    parser.add_argument("--preset", choices=["full", "smoke"], default="full")
    parser.add_argument(
        "--data-dir",
        default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
                             "data"),
        help="folder holding the data files (default: ../shared/data beside the repository)",
    )  # fmt: skip
    parser.add_argument(
        "--output", default=None, help="default: benchmarks/results/text_EXPERIMENT"
    )
    parser.add_argument(
        "--set", metavar="KEY=VALUE", action="append", default=[],
        help="override one preset value, VALUE as JSON, e.g. --set mle_epochs=40 or "
        "--set objective='\"reinforce\"'; repeatable",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=88)
    parser.add_argument(
        "--mle-from", metavar="FOLDER", default=None,
        help="train no MLE models: load generator_mle*.keras from an earlier run's output "
        "FOLDER of the same experiment, seed and data settings (its MLE curve is copied; "
        "the models are scored and saved here again)",
    )  # fmt: skip
    parser.add_argument("--verbose", type=int, default=2, choices=[0, 1, 2])
    parser.add_argument(
        "--rescore", metavar="FOLDER", default=None,
        help="shakespeare only: train nothing; score the generator_*.keras files of an earlier "
        "run's output FOLDER again at `temperatures` (its config and seed, with --set "
        "overrides, e.g. --set 'temperatures=[0.6,0.7,0.8]'), into FOLDER/rescore.json",
    )  # fmt: skip
    return parser.parse_args(argv)


def rescore(args, argv):
    """`--rescore FOLDER`: the earlier run's config and seed, `--set` applied."""
    if args.experiment != "shakespeare":
        raise SystemExit("--rescore: only the shakespeare experiment saves its generators")
    path = os.path.join(args.rescore, "results.json")
    if not os.path.isfile(path):
        raise SystemExit(f"--rescore: {path} not found; pass a text.py output folder")
    data_file = os.path.join(args.data_dir, DATA_FILES["shakespeare"][0])
    if not os.path.isfile(data_file):
        raise SystemExit(f"--data-dir: {data_file} not found (see ../shared/data/README.md)")
    with open(path, encoding="utf-8") as handle:
        earlier = json.load(handle)
    config = dict(earlier["config"])
    config.setdefault("temperatures", [0.8, 0.9, 1.0, 1.1, 1.2])
    apply_overrides(config, args.set)
    temperatures = sorted(set(config["temperatures"]) | {1.0})
    result = {
        "benchmark": "text_shakespeare_rescore",
        **machine_record(None),
        "command": command_line(__file__, argv),
        "rescored_run": earlier["command"],
        "seed": earlier["seed"],
        "temperatures": temperatures,
        **rescore_shakespeare(args.rescore, config, args.data_dir, earlier["seed"], temperatures),
    }
    write_json(os.path.join(args.rescore, "rescore.json"), result)
    print(f"Wrote {os.path.join(args.rescore, 'rescore.json')}", flush=True)
    return result


def main(argv=None):
    args = parse_args(argv)
    if args.rescore:
        return rescore(args, argv)
    config = dict(PRESETS[args.experiment][args.preset])
    apply_overrides(config, args.set)
    unknown = [arm for arm in config["objectives"] if arm not in ARMS]
    if unknown:
        raise SystemExit(f"--set objectives: unknown {unknown}; choose from {list(ARMS)}")
    unknown = [kind for kind in config.get("kinds", ()) if kind not in KINDS]
    if unknown:
        raise SystemExit(f"--set kinds: unknown {unknown}; choose from {list(KINDS)}")
    earlier = None
    if args.mle_from:
        earlier = earlier_mle_run(args.mle_from, args.experiment, config, args.seed)
    missing = [
        os.path.join(args.data_dir, name)
        for name in DATA_FILES[args.experiment]
        if not os.path.isfile(os.path.join(args.data_dir, name))
    ]
    if missing:
        raise SystemExit(
            f"--data-dir: {', '.join(missing)} not found. The {args.experiment} experiment needs "
            f"{', '.join(DATA_FILES[args.experiment])} (see ../shared/data/README.md); pass "
            "--data-dir FOLDER."
        )
    output = args.output or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "results", f"text_{args.experiment}"
    )
    os.makedirs(output, exist_ok=True)

    import keras

    keras.utils.set_random_seed(args.seed)
    gflops = matmul_gflops() if config["measure_gflops"] else None
    head = {
        "benchmark": f"text_{args.experiment}",
        **machine_record(gflops),
        "command": command_line(__file__, argv),
        "experiment": args.experiment,
        "preset": args.preset,
        "seed": args.seed,
        "data_dir": os.path.abspath(args.data_dir),
        "config": config,
    }
    record = Record(os.path.join(output, "results.json"), head)
    record.write("started")
    run = run_coco if args.experiment == "coco" else run_shakespeare
    run(config, args.data_dir, output, record, args.seed, args.verbose, earlier)
    result = record.write("complete")
    print(f"\nDone in {result['total_seconds']:.0f} s; stage seconds {record.stage_seconds}")
    print(f"Wrote results.json and the models (.keras) into {output}", flush=True)
    return result


if __name__ == "__main__":
    main()
