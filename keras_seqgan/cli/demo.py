"""`keras-seqgan demo`: the whole pipeline on a synthetic oracle, nothing to download.

Its presets, data, networks and stages are also the base of `keras-seqgan tune` and of
`benchmarks/demo_recipes.py`.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

from keras_seqgan.cli._arguments import decay, positive, positive_float, progress_verbosity

PRESETS = {
    # On 2 CPU cores: tiny ~30 s (tests, smoke checks), small a few minutes.
    "tiny": dict(
        vocabulary_size=50,
        sequence_length=8,
        num_samples=512,
        num_eval=256,
        mle_epochs=3,
        d_rounds=1,
        d_epochs=1,
        adversarial_epochs=2,
        adversarial_steps=4,
        num_rollouts=4,
        batch_size=32,
    ),
    "small": dict(
        vocabulary_size=500,
        sequence_length=20,
        num_samples=5000,
        num_eval=2000,
        mle_epochs=30,
        # 20 rounds of fresh negatives, not 3: with 3 the discriminator's rewards hardly
        # differ between samples, and the adversarial stage did no better than a colder
        # temperature (docs/oracle.md, "The demo's adversarial stage", issue 18).
        d_rounds=20,
        d_epochs=1,
        # 25 short epochs, so the x0.95-per-epoch annealing goes from 2.0 to about 0.6.
        adversarial_epochs=25,
        adversarial_steps=2,
        num_rollouts=8,
        batch_size=64,
    ),
}

# The defaults of `keras_seqgan.callbacks.TemperatureAnnealing` (a test keeps them equal);
# spelled out here so that `--help` does not have to import Keras.
TEMPERATURE_START = 2.0
TEMPERATURE_END = 0.5
TEMPERATURE_DECAY = 0.95
# The first columns of history.csv, in order; other logged keys follow, sorted.
HISTORY_COLUMNS = (
    "stage",
    "epoch",
    "stage_epoch",
    "nll_oracle",
    "nll_gen",
    "nll_sum",
    "temperature",
    "loss",
    "d_loss",
    "d_acc",
    "val_d_acc",
    "g_loss",
    "reward_mean",
)
# Held-out rows the discriminator is scored on after each adversarial epoch.
VALIDATION_ROWS = 512
# The MLE model's sampling temperatures that trace its quality-diversity frontier: the
# adversarial model must lie below it to have gained what no temperature gives.
FRONTIER_TEMPERATURES = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0, 1.05, 1.1)
# A margin below this is flagged as unsettled by one seed (docs/oracle.md: the ablation's
# seeds differ by up to 0.3 nats, the demo's recipes by a few hundredths).
SMALL_MARGIN = 0.05
# The adversarial stage's log (Keras's `CSVLogger`), in --output.
LOG = "log.csv"
STAGE_LABELS = {"mle": "MLE pre-training", "adversarial": "adversarial training"}
# The networks' precisions `--dtype-policy` offers.
DTYPE_POLICIES = ("float32", "mixed_bfloat16")
# `--objective`: keras_seqgan.objectives.OBJECTIVES (a whole-sequence discriminator) and
# "dense" (a keras_seqgan.models.PrefixDiscriminator); spelled out so that `--help` does not
# have to import Keras.
DEMO_OBJECTIVES = ("reinforce", "gumbel", "dense")
NO_MATPLOTLIB = (
    "matplotlib not installed; skipping curves.png \u2014 pip install 'keras-seqgan[plot]'"
)


@dataclasses.dataclass
class DemoConfig:
    vocabulary_size: int
    sequence_length: int
    num_samples: int
    num_eval: int
    mle_epochs: int
    d_rounds: int
    d_epochs: int
    adversarial_epochs: int
    adversarial_steps: int
    num_rollouts: int
    batch_size: int
    objective: str = "reinforce"
    seed: int = 66
    output: str = "seqgan-demo"
    verbose: int = 1
    annealing: bool = True
    temperature_start: float = TEMPERATURE_START
    temperature_end: float = TEMPERATURE_END
    temperature_decay: float = TEMPERATURE_DECAY
    preset: str | None = None
    # The networks' Keras dtype policy (e.g. "mixed_bfloat16"); None: Keras's global one.
    dtype_policy: str | None = None
    # The discriminator's own policy; None: `dtype_policy`.
    discriminator_dtype_policy: str | None = None


def preset_values(key: str) -> str:
    return ", ".join(f"{name}: {values[key]}" for name, values in sorted(PRESETS.items()))


def add_parser(commands) -> None:
    """Registers `keras-seqgan demo`."""
    demo = commands.add_parser(
        "demo",
        help="run the whole pipeline on a synthetic oracle (nothing to download)",
        description=(
            "Creates a random oracle LSTM (the SeqGAN paper's synthetic experiment), samples "
            "training data from it, pre-trains the generator (MLE) and the discriminator, "
            "trains adversarially with an annealed sampling temperature, and prints "
            "NLL-oracle (quality: lower is better; the oracle's own samples score its "
            "entropy) and NLL-gen (the generator's NLL on held-out oracle samples: "
            "diversity) after each stage, both measured at temperature 1.0 whatever the "
            "training temperature, and the discriminator's accuracy on held-out real "
            "sequences against fresh samples. It also scores the MLE model sampled at "
            "temperatures 0.5-1.1 (its quality-diversity frontier) and says how far the "
            "adversarial model lies below it (better than any temperature) or above it. "
            "Writes into --output: the trained model "
            "(seqgan.keras), the adversarial training log (log.csv), the per-epoch curves "
            "of both training stages (history.csv, and curves.png and frontier.png when "
            "matplotlib is installed: pip install 'keras-seqgan[plot]') and the results "
            "table with the frontier (results.txt)."
        ),
    )
    demo.set_defaults(run=run, reports_data_errors=False)
    demo.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        default="small",
        help="sizes and schedule (default: small, a few minutes on 2 cores; tiny takes ~30 s)",
    )
    demo.add_argument(
        "--output",
        default="seqgan-demo",
        metavar="FOLDER",
        help="output folder, created if missing (default: ./seqgan-demo)",
    )
    demo.add_argument(
        "--objective",
        choices=DEMO_OBJECTIVES,
        default="reinforce",
        help=(
            "how the generator learns from the discriminator; dense (ScratchGAN's dense "
            "rewards, no rollouts) trains a PrefixDiscriminator instead of the CNN one "
            "(default: reinforce)"
        ),
    )
    demo.add_argument(
        "--seed", type=int, default=66, metavar="N", help="seed for everything (default: 66)"
    )
    _add_size_arguments(demo)
    _add_annealing_arguments(demo)
    _add_precision_arguments(demo)
    demo.add_argument(
        "--quiet",
        action="store_true",
        help="no progress output (default: progress bars on a terminal, one line per epoch "
        "when the output is a file or a pipe)",
    )


def _add_size_arguments(demo) -> None:
    """`--vocabulary-size` and the other sizes, each defaulting to the preset's."""
    for name, description in (
        ("vocabulary-size", "tokens in the vocabulary"),
        ("sequence-length", "tokens per sequence"),
        ("num-samples", "training sequences sampled from the oracle"),
        ("mle-epochs", "epochs of MLE pre-training"),
        ("d-rounds", "rounds of fresh negatives in the discriminator's pre-training"),
        ("adversarial-epochs", "epochs of adversarial training"),
        ("adversarial-steps", "training steps per adversarial epoch"),
        ("num-rollouts", "Monte-Carlo rollouts per prefix, reinforce only"),
        ("batch-size", "sequences per batch"),
    ):
        demo.add_argument(
            f"--{name}",
            type=positive,
            default=None,
            metavar="N",
            help=f"{description} (default: the preset's; {preset_values(name.replace('-', '_'))})",
        )


def _add_precision_arguments(demo) -> None:
    """`--dtype-policy` and `--discriminator-dtype-policy`."""
    demo.add_argument(
        "--dtype-policy",
        choices=DTYPE_POLICIES,
        default=None,
        help=(
            "the networks' precision: mixed_bfloat16 computes in bfloat16 with float32 "
            "weights, losses and log-probabilities (default: Keras's global policy, float32)"
        ),
    )
    demo.add_argument(
        "--discriminator-dtype-policy",
        choices=DTYPE_POLICIES,
        default=None,
        help=(
            "the discriminator's own precision; on a CPU with bfloat16 instructions a "
            "mixed_bfloat16 discriminator beside a float32 generator was the fastest step "
            "measured (docs/speed.md) (default: --dtype-policy's)"
        ),
    )


def _add_annealing_arguments(demo) -> None:
    annealing = demo.add_argument_group(
        "temperature annealing (adversarial stage)",
        "The sampling temperature of adversarial training starts at --temperature-start and "
        "is multiplied by --temperature-decay every epoch, down to --temperature-end "
        "(keras_seqgan.callbacks.TemperatureAnnealing). Evaluation always samples at 1.0.",
    )
    annealing.add_argument(
        "--no-annealing",
        dest="annealing",
        action="store_false",
        help="train at a constant temperature of 1.0 (default: annealing on)",
    )
    annealing.add_argument(
        "--temperature-start",
        type=positive_float,
        default=TEMPERATURE_START,
        metavar="T",
        help=f"temperature of the first adversarial epoch (default: {TEMPERATURE_START})",
    )
    annealing.add_argument(
        "--temperature-end",
        type=positive_float,
        default=TEMPERATURE_END,
        metavar="T",
        help=f"lowest temperature, <= --temperature-start (default: {TEMPERATURE_END})",
    )
    annealing.add_argument(
        "--temperature-decay",
        type=decay,
        default=TEMPERATURE_DECAY,
        metavar="F",
        help=f"factor per epoch, in (0, 1] (default: {TEMPERATURE_DECAY})",
    )


def run(parser: argparse.ArgumentParser, args) -> dict:
    """`keras-seqgan demo`: the preset, with the arguments given, through `run_demo`."""
    if args.temperature_end > args.temperature_start:
        parser.error(
            "--temperature-end must be <= --temperature-start (the temperature only "
            f"decreases). Received: --temperature-start {args.temperature_start} "
            f"--temperature-end {args.temperature_end}"
        )
    values = dict(PRESETS[args.preset])
    for key in list(values):
        override = getattr(args, key, None)
        if override is not None:
            values[key] = override
    config = DemoConfig(
        **values,
        objective=args.objective,
        seed=args.seed,
        output=args.output,
        verbose=progress_verbosity(args.quiet),
        annealing=args.annealing,
        temperature_start=args.temperature_start,
        temperature_end=args.temperature_end,
        temperature_decay=args.temperature_decay,
        preset=args.preset,
        dtype_policy=args.dtype_policy,
        discriminator_dtype_policy=args.discriminator_dtype_policy,
    )
    return run_demo(config)


def oracle_data(config: DemoConfig):
    """The demo's oracle, training sequences and held-out sequences, from `config.seed`."""
    import keras_seqgan as ks

    oracle = ks.data.OracleLSTM(
        vocabulary_size=config.vocabulary_size,
        sequence_length=config.sequence_length,
        seed=config.seed,
    )
    real = oracle.sample(config.num_samples, seed=config.seed + 1)
    held_out = oracle.sample(config.num_eval, seed=config.seed + 2)
    return oracle, real, held_out


def nll_scorer(oracle, held_out, config: DemoConfig):
    """The demo's one NLL evaluation: an `OracleNLL` sampling at temperature 1.0.

    Used for the per-epoch figures of both stages and for the table, so the table's rows
    equal the last epoch of each stage, and never at the training temperature.
    """
    import keras_seqgan as ks

    return ks.callbacks.OracleNLL(
        oracle,
        num_samples=config.num_eval,
        temperature=1.0,
        held_out=held_out,
        seed=config.seed + 100,
    )


def demo_models(config: DemoConfig):
    """The demo's untrained generator (seeded) and discriminator (filter widths up to the
    sequence length, 64 filters each; for the `dense` objective a `PrefixDiscriminator`
    with its defaults, seeded)."""
    import keras_seqgan as ks

    size = dict(vocabulary_size=config.vocabulary_size, sequence_length=config.sequence_length)
    if config.dtype_policy is not None:
        size["dtype"] = config.dtype_policy
    widths = [w for w in (1, 2, 3, 4, 5, 8, 10, 15, 20) if w <= config.sequence_length]
    generator = ks.models.Generator(**size, seed=config.seed + 3)
    if config.discriminator_dtype_policy is not None:
        size["dtype"] = config.discriminator_dtype_policy
    if config.objective == "dense":
        return generator, ks.models.PrefixDiscriminator(**size, seed=config.seed + 5)
    discriminator = ks.models.Discriminator(
        **size, filter_sizes=widths, num_filters=[64] * len(widths)
    )
    return generator, discriminator


def adversarial_dataset(real, demo: DemoConfig):
    """The adversarial stage's endless, seeded dataset of real batches."""
    import keras_seqgan as ks

    return ks.data.sequence_dataset(real, batch_size=demo.batch_size, seed=demo.seed, repeat=True)


def _report(stage, rows, nll=None, d_acc=None):
    nll = nll or {}
    rows.append((stage, nll.get("nll_oracle"), nll.get("nll_gen"), d_acc))
    parts = []
    if nll:
        parts.append(f"NLL-oracle {nll['nll_oracle']:.3f}   NLL-gen {nll['nll_gen']:.3f}")
    if d_acc is not None:
        parts.append(f"D accuracy {d_acc:.3f}")
    print(f"[{stage}] " + "   ".join(parts), flush=True)


def _table(rows, oracle_entropy):
    def cell(value, width):
        return f"{'-':>{width}}" if value is None else f"{value:>{width}.3f}"

    lines = [f"{'stage':<26}{'NLL-oracle':>12}{'NLL-gen':>10}{'D acc':>8}"]
    lines += [
        f"{stage:<26}{cell(quality, 12)}{cell(diversity, 10)}{cell(accuracy, 8)}"
        for stage, quality, diversity, accuracy in rows
    ]
    lines.append(
        f"{'oracle (its entropy)':<26}{cell(oracle_entropy, 12)}{cell(oracle_entropy, 10)}"
        f"{cell(None, 8)}"
    )
    return "\n".join(lines)


def _frontier_verdict(margin) -> str:
    """What the adversarial model's margin below the MLE model's frontier means."""
    if margin is None:
        return (
            "its NLL-gen lies outside the MLE model's frontier (temperatures "
            f"{FRONTIER_TEMPERATURES[0]:g}-{FRONTIER_TEMPERATURES[-1]:g}): not compared"
        )
    if margin > 0:
        verdict = (
            f"{margin:.3f} nats below the MLE model's temperature frontier at equal NLL-gen: "
            "better than sampling the MLE model colder or hotter"
        )
        if margin < SMALL_MARGIN:
            verdict += (
                f" (by less than {SMALL_MARGIN:g}, which one seed does not settle: "
                "rerun with other --seed values before reading it as a gain)"
            )
        return verdict
    return (
        f"{-margin:.3f} nats above the MLE model's temperature frontier at equal NLL-gen: "
        "sampling the MLE model at another temperature does as well"
    )


def _frontier_table(frontier, verdict) -> str:
    lines = ["The MLE model sampled at other temperatures (its quality-diversity frontier):"]
    lines.append(f"{'temperature':<26}{'NLL-oracle':>12}{'NLL-gen':>10}")
    lines += [
        f"{point['temperature']:<26g}{point['nll_oracle']:>12.3f}{point['nll_gen']:>10.3f}"
        for point in frontier
    ]
    lines.append(f"after adversarial: {verdict}")
    return "\n".join(lines)


def _history_rows(stage: str, history, first_epoch: int) -> list[dict]:
    """One row per epoch of a Keras `History`, numbered on from `first_epoch`."""
    epochs = len(history.epoch)
    rows = []
    for index in range(epochs):
        row = {"stage": stage, "epoch": first_epoch + index, "stage_epoch": index + 1}
        for key, values in history.history.items():
            if len(values) == epochs:
                row[key] = float(values[index])
        rows.append(row)
    return rows


def write_history(path: str, rows: list[dict]) -> None:
    """Writes per-epoch rows to a CSV file atomically (`HISTORY_COLUMNS` first)."""
    from keras_seqgan.saving import write_csv

    extra = sorted({key for row in rows for key in row} - set(HISTORY_COLUMNS))
    write_csv(path, rows, columns=[*HISTORY_COLUMNS, *extra])


def _title(config: DemoConfig) -> str:
    preset = config.preset or "custom"
    if config.annealing:
        temperature = (
            f"temperature {config.temperature_start:g} \u2192 {config.temperature_end:g} "
            f"(\u00d7{config.temperature_decay:g} per epoch)"
        )
    else:
        temperature = "temperature 1.0 (no annealing)"
    return (
        f"keras-seqgan demo, preset {preset}: vocabulary {config.vocabulary_size}, "
        f"length {config.sequence_length}, {config.num_samples} training sequences\n"
        f"objective {config.objective}, {temperature}; NLLs sampled at temperature 1.0"
    )


def pretrain_demo_discriminator(discriminator, generator, real, config: DemoConfig) -> None:
    """The demo's discriminator pre-training: Adam 1e-4, `config.d_rounds` rounds of fresh
    negatives, `config.d_epochs` epochs each."""
    import keras

    from keras_seqgan.pipeline import pretrain_discriminator

    discriminator.compile(optimizer=keras.optimizers.Adam(1e-4))
    pretrain_discriminator(
        discriminator, generator, real, rounds=config.d_rounds, epochs=config.d_epochs,
        batch_size=config.batch_size, seed=config.seed, fake_seed=config.seed + 200,
        verbose=config.verbose,
    )  # fmt: skip


def _demo_mle(config: DemoConfig, generator, real, oracle, held_out):
    """The demo's MLE pre-training; returns its Keras `History`."""
    import keras

    import keras_seqgan as ks

    print(f"\n== MLE pre-training of the generator ({config.mle_epochs} epochs)", flush=True)
    generator.compile(optimizer=keras.optimizers.Adam(1e-2, global_clipnorm=5.0))
    return generator.fit(
        ks.data.mle_dataset(real, batch_size=config.batch_size, seed=config.seed),
        epochs=config.mle_epochs,
        verbose=config.verbose,
        shuffle=False,
        callbacks=[nll_scorer(oracle, held_out, config)],
    )


def _demo_frontier(config: DemoConfig, generator, oracle, held_out, seed) -> list[dict]:
    """The MLE model scored at `FRONTIER_TEMPERATURES` (the same seed as its T=1 row)."""
    import keras_seqgan as ks

    frontier = ks.evaluation.temperature_frontier(
        generator, oracle, held_out, FRONTIER_TEMPERATURES, num_samples=config.num_eval,
        seed=seed,
    )  # fmt: skip
    for point in frontier:
        print(
            f"[MLE model at T={point['temperature']:<4g}] NLL-oracle {point['nll_oracle']:.3f}"
            f"   NLL-gen {point['nll_gen']:.3f}",
            flush=True,
        )
    return frontier


def _demo_adversarial(config: DemoConfig, generator, discriminator, real, oracle, held_out):
    """The demo's adversarial stage (its log written to `LOG`); returns the SeqGAN and its
    `History`."""
    import keras

    import keras_seqgan as ks
    from keras_seqgan.pipeline import adversarial_model

    if config.annealing:
        schedule = (
            f"temperature {config.temperature_start:g} -> {config.temperature_end:g}, "
            f"x{config.temperature_decay:g} per epoch"
        )
    else:
        schedule = "temperature 1.0"
    # Dense rewards need no rollouts.
    rollouts = "" if config.objective == "dense" else f", {config.num_rollouts} rollouts"
    print(
        f"\n== Adversarial training ({config.adversarial_epochs} epochs x "
        f"{config.adversarial_steps} steps{rollouts}, {schedule})",
        flush=True,
    )
    gan = adversarial_model(
        generator,
        discriminator,
        objective=config.objective,
        num_rollouts=config.num_rollouts,
        seed=config.seed + 4,
    )
    dataset = adversarial_dataset(real, config)
    callbacks = []
    if config.annealing:
        callbacks.append(
            ks.callbacks.TemperatureAnnealing(
                start=config.temperature_start,
                end=config.temperature_end,
                decay=config.temperature_decay,
            )
        )
    callbacks += [
        nll_scorer(oracle, held_out, config),
        ks.callbacks.BatchTimer(verbose=0),
        ks.callbacks.TrainingDisplay(),
        keras.callbacks.CSVLogger(os.path.join(config.output, LOG)),
    ]
    # Held-out real rows against fresh fakes after each epoch (`val_d_acc`): beside the
    # training batches' `d_acc`, it shows when the discriminator memorizes.
    validation = ks.data.sequence_dataset(
        held_out[:VALIDATION_ROWS], batch_size=256, shuffle=False, drop_remainder=False
    )
    history = gan.fit(
        dataset,
        epochs=config.adversarial_epochs,
        steps_per_epoch=config.adversarial_steps,
        validation_data=validation,
        verbose=config.verbose,
        callbacks=callbacks,
    )
    return gan, history


def _demo_plots(config: DemoConfig, history_rows, oracle_entropy, frontier, points, margin):
    """curves.png and frontier.png; `(None, None)` without matplotlib (said once)."""
    from keras_seqgan.plotting import plot_frontier, plot_training_curves

    curves_path = os.path.join(config.output, "curves.png")
    title = "keras-seqgan demo: the models against the MLE model's temperatures\n" + (
        "after adversarial: outside the frontier's range"
        if margin is None
        else f"after adversarial: {margin:+.3f} nats below it at equal NLL-gen"
    )
    try:
        plot_training_curves(
            history_rows,
            curves_path,
            title=_title(config),
            reference_lines={"oracle entropy": oracle_entropy},
            secondary_keys=("temperature", "d_acc", "val_d_acc"),
            secondary_reference_lines={"evaluation temperature": 1.0},
            secondary_ylabel="temperature, D accuracy",
            labels=STAGE_LABELS,
            xlabel="epoch (epoch 0: untrained generator)",
        )
        frontier_path = plot_frontier(
            frontier, points, os.path.join(config.output, "frontier.png"), title=title,
            detail=True,
        )  # fmt: skip
    except ImportError as error:
        if error.name != "matplotlib":
            raise
        print(NO_MATPLOTLIB, flush=True)
        return None, None
    return curves_path, frontier_path


def run_demo(config: DemoConfig) -> dict:
    """Runs the demo pipeline and returns its results (table rows and file paths)."""
    import keras

    import keras_seqgan as ks

    started = time.perf_counter()
    os.makedirs(config.output, exist_ok=True)
    keras.utils.set_random_seed(config.seed)
    size = dict(vocabulary_size=config.vocabulary_size, sequence_length=config.sequence_length)
    print(
        f"keras-seqgan demo: oracle with {size}, {config.num_samples} training sequences, "
        f"objective={config.objective}{_precision(config)}",
        flush=True,
    )
    oracle, real, held_out = oracle_data(config)
    oracle_entropy = oracle.nll(held_out)
    scorer = nll_scorer(oracle, held_out, config)
    generator, discriminator = demo_models(config)
    rows: list[tuple[str, float | None, float | None, float | None]] = []
    untrained = scorer.evaluate(generator)
    _report("untrained", rows, untrained)
    history_rows = [{"stage": "mle", "epoch": 0, "stage_epoch": 0, **untrained}]

    history = _demo_mle(config, generator, real, oracle, held_out)
    history_rows += _history_rows("mle", history, first_epoch=1)
    after_mle = scorer.evaluate(generator)
    _report("after MLE", rows, after_mle)
    frontier = _demo_frontier(config, generator, oracle, held_out, scorer.seed)
    d_accuracy = _demo_discriminator(config, discriminator, generator, real, held_out)
    _report("after D pre-training", rows, d_acc=d_accuracy())

    gan, history = _demo_adversarial(config, generator, discriminator, real, oracle, held_out)
    history_rows += _history_rows("adversarial", history, first_epoch=config.mle_epochs + 1)
    after_adversarial = scorer.evaluate(generator)
    _report("after adversarial", rows, after_adversarial, d_acc=d_accuracy())
    margin = ks.evaluation.frontier_margin(frontier, after_adversarial)
    verdict = _frontier_verdict(margin)
    print(f"[after adversarial] {verdict}", flush=True)

    table = _table(rows, oracle_entropy) + "\n\n" + _frontier_table(frontier, verdict)
    points = {"after MLE (T=1.0)": after_mle, "after adversarial (T=1.0)": after_adversarial}
    paths = _demo_files(
        config, gan, history_rows, table, (oracle_entropy, frontier, points, margin)
    )
    print("\n" + table)
    written = [paths[key] for key in ("model", "log", "history", "results")]
    written += [paths["curves"], paths["frontier_plot"]] if paths["curves"] else []
    names = ", ".join(os.path.basename(path) for path in written[:-1])
    print(
        f"\nDone in {time.perf_counter() - started:.0f} s. Wrote {names} and "
        f"{os.path.basename(written[-1])} into {os.path.abspath(config.output)}",
        flush=True,
    )
    return {
        "rows": rows,
        "history_rows": history_rows,
        **paths,
        "frontier": frontier,
        "frontier_margin": margin,
        "oracle_entropy": oracle_entropy,
    }


def _precision(config: DemoConfig) -> str:
    """The precision options given, for the first line (empty without any)."""
    return "".join(
        f", {name}={value}"
        for name, value in (
            ("dtype_policy", config.dtype_policy),
            ("discriminator_dtype_policy", config.discriminator_dtype_policy),
        )
        if value is not None
    )


def _demo_discriminator(config: DemoConfig, discriminator, generator, real, held_out):
    """Pre-trains the discriminator; returns a function of no arguments that scores it on
    held-out real sequences against fresh samples at temperature 1.0."""
    from keras_seqgan.pipeline import discriminator_accuracy

    print(
        f"\n== Discriminator pre-training ({config.d_rounds} rounds of fresh negatives)", flush=True
    )
    pretrain_demo_discriminator(discriminator, generator, real, config)

    def d_accuracy():
        fresh = generator.generate(config.num_eval, temperature=1.0, seed=config.seed + 300)
        return discriminator_accuracy(discriminator, held_out, fresh)

    return d_accuracy


def _demo_files(config: DemoConfig, gan, history_rows, table, plotted) -> dict:
    """Writes the model, history.csv, results.txt and the plots (`plotted`: the oracle's
    entropy, the frontier, the points and the margin); returns the paths of those and of
    the adversarial log (the plots' `None` without matplotlib)."""
    from keras_seqgan.saving import save_model, write_text

    names = dict(model="seqgan.keras", log=LOG, history="history.csv", results="results.txt")
    paths = {key: os.path.join(config.output, name) for key, name in names.items()}
    save_model(gan, paths["model"])
    write_history(paths["history"], history_rows)
    write_text(paths["results"], table + "\n")
    paths["curves"], paths["frontier_plot"] = _demo_plots(config, history_rows, *plotted)
    return paths
