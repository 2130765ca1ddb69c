"""The `keras-seqgan` command line."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import math
import os
import sys
import time

PRESETS = {
    # Seconds on 2 CPU cores: tiny ~1 min (tests, smoke checks), small a few minutes.
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
        d_rounds=3,
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
    "g_loss",
    "reward_mean",
)
STAGE_LABELS = {"mle": "MLE pre-training", "adversarial": "adversarial training"}
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


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text}")
    return value


def _decay(text: str) -> float:
    value = _positive_float(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {text}")
    return value


def _preset_values(key: str) -> str:
    return ", ".join(f"{name}: {values[key]}" for name, values in sorted(PRESETS.items()))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="keras-seqgan",
        description="Adversarial training of token generators (SeqGAN family) with Keras 3.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
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
            "sequences against fresh samples. Writes into --output: the trained model "
            "(seqgan.keras), the adversarial training log (log.csv), the per-epoch curves "
            "of both training stages (history.csv, and curves.png when matplotlib is "
            "installed: pip install 'keras-seqgan[plot]') and the results table "
            "(results.txt)."
        ),
    )
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
        choices=["reinforce", "gumbel"],
        default="reinforce",
        help="how the generator learns from the discriminator (default: reinforce)",
    )
    demo.add_argument(
        "--seed", type=int, default=66, metavar="N", help="seed for everything (default: 66)"
    )
    for name, description in (
        ("vocabulary-size", "tokens in the vocabulary"),
        ("sequence-length", "tokens per sequence"),
        ("num-samples", "training sequences sampled from the oracle"),
        ("mle-epochs", "epochs of MLE pre-training"),
        ("adversarial-epochs", "epochs of adversarial training"),
        ("adversarial-steps", "training steps per adversarial epoch"),
        ("num-rollouts", "Monte-Carlo rollouts per prefix, reinforce only"),
        ("batch-size", "sequences per batch"),
    ):
        demo.add_argument(
            f"--{name}",
            type=_positive,
            default=None,
            metavar="N",
            help=f"{description} (default: the preset's; {_preset_values(name.replace('-', '_'))})",
        )
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
        type=_positive_float,
        default=TEMPERATURE_START,
        metavar="T",
        help=f"temperature of the first adversarial epoch (default: {TEMPERATURE_START})",
    )
    annealing.add_argument(
        "--temperature-end",
        type=_positive_float,
        default=TEMPERATURE_END,
        metavar="T",
        help=f"lowest temperature, <= --temperature-start (default: {TEMPERATURE_END})",
    )
    annealing.add_argument(
        "--temperature-decay",
        type=_decay,
        default=TEMPERATURE_DECAY,
        metavar="F",
        help=f"factor per epoch, in (0, 1] (default: {TEMPERATURE_DECAY})",
    )
    demo.add_argument(
        "--quiet", action="store_true", help="no progress bars (default: progress bars shown)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
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
            verbose=0 if args.quiet else 1,
            annealing=args.annealing,
            temperature_start=args.temperature_start,
            temperature_end=args.temperature_end,
            temperature_decay=args.temperature_decay,
            preset=args.preset,
        )
        run_demo(config)
    return 0


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


def _discriminator_accuracy(discriminator, real, fake, batch_size: int = 256) -> float:
    """Accuracy of `discriminator` (a logit > 0 means "real") on `real` and `fake` tokens."""
    import numpy as np
    from keras import ops

    correct = 0
    for tokens, is_real in ((real, True), (fake, False)):
        for start in range(0, len(tokens), batch_size):
            logits = ops.convert_to_numpy(
                discriminator(tokens[start : start + batch_size], training=False)
            )
            correct += int(np.sum((np.asarray(logits).reshape(-1) > 0) == is_real))
    return correct / (len(real) + len(fake))


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
    from keras_seqgan.saving import write_text

    extra = sorted({key for row in rows for key in row} - set(HISTORY_COLUMNS))
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=[*HISTORY_COLUMNS, *extra], restval="", lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    write_text(path, buffer.getvalue())


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


def run_demo(config: DemoConfig) -> dict:
    """Runs the demo pipeline and returns its results (table rows and file paths)."""
    import keras

    import keras_seqgan as ks
    from keras_seqgan.saving import save_model, write_text

    started = time.perf_counter()
    os.makedirs(config.output, exist_ok=True)
    keras.utils.set_random_seed(config.seed)
    size = dict(vocabulary_size=config.vocabulary_size, sequence_length=config.sequence_length)
    print(
        f"keras-seqgan demo: oracle with {size}, {config.num_samples} training sequences, "
        f"objective={config.objective}",
        flush=True,
    )

    oracle, real, held_out = oracle_data(config)
    oracle_entropy = oracle.nll(held_out)
    scorer = nll_scorer(oracle, held_out, config)

    generator = ks.models.Generator(**size, seed=config.seed + 3)
    small_filters = [w for w in (1, 2, 3, 4, 5, 8, 10, 15, 20) if w <= config.sequence_length]
    discriminator = ks.models.Discriminator(
        **size, filter_sizes=small_filters, num_filters=[64] * len(small_filters)
    )
    rows: list[tuple[str, float | None, float | None, float | None]] = []
    untrained = scorer.evaluate(generator)
    _report("untrained", rows, untrained)
    history_rows = [{"stage": "mle", "epoch": 0, "stage_epoch": 0, **untrained}]

    print(f"\n== MLE pre-training of the generator ({config.mle_epochs} epochs)", flush=True)
    generator.compile(optimizer=keras.optimizers.Adam(1e-2, global_clipnorm=5.0))
    history = generator.fit(
        ks.data.mle_dataset(real, batch_size=config.batch_size, seed=config.seed),
        epochs=config.mle_epochs,
        verbose=config.verbose,
        shuffle=False,
        callbacks=[nll_scorer(oracle, held_out, config)],
    )
    history_rows += _history_rows("mle", history, first_epoch=1)
    _report("after MLE", rows, scorer.evaluate(generator))

    print(
        f"\n== Discriminator pre-training ({config.d_rounds} rounds of fresh negatives)", flush=True
    )
    discriminator.compile(optimizer=keras.optimizers.Adam(1e-4))
    for round_index in range(config.d_rounds):
        fake = generator.generate(config.num_samples, seed=config.seed + 200 + round_index)
        discriminator.fit(
            ks.data.discriminator_dataset(
                real, fake, batch_size=config.batch_size, seed=config.seed + round_index
            ),
            epochs=config.d_epochs,
            verbose=config.verbose,
            shuffle=False,
        )

    def d_accuracy():
        # Held-out real sequences against fresh samples at temperature 1.0.
        fresh = generator.generate(config.num_eval, temperature=1.0, seed=config.seed + 300)
        return _discriminator_accuracy(discriminator, held_out, fresh)

    _report("after D pre-training", rows, d_acc=d_accuracy())

    if config.annealing:
        schedule = (
            f"temperature {config.temperature_start:g} -> {config.temperature_end:g}, "
            f"x{config.temperature_decay:g} per epoch"
        )
    else:
        schedule = "temperature 1.0"
    print(
        f"\n== Adversarial training ({config.adversarial_epochs} epochs x "
        f"{config.adversarial_steps} steps, {config.num_rollouts} rollouts, {schedule})",
        flush=True,
    )
    gan = ks.SeqGAN(
        generator,
        discriminator,
        objective=config.objective,
        num_rollouts=config.num_rollouts,
        seed=config.seed + 4,
    )
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(1e-3),
        discriminator_optimizer=keras.optimizers.Adam(1e-4),
    )
    log_path = os.path.join(config.output, "log.csv")
    dataset = ks.data.sequence_dataset(real, batch_size=config.batch_size, seed=config.seed)
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
        keras.callbacks.CSVLogger(log_path),
    ]
    history = gan.fit(
        dataset.repeat(),
        epochs=config.adversarial_epochs,
        steps_per_epoch=config.adversarial_steps,
        verbose=config.verbose,
        callbacks=callbacks,
    )
    history_rows += _history_rows("adversarial", history, first_epoch=config.mle_epochs + 1)
    _report("after adversarial", rows, scorer.evaluate(generator), d_acc=d_accuracy())

    model_path = os.path.join(config.output, "seqgan.keras")
    save_model(gan, model_path)
    history_path = os.path.join(config.output, "history.csv")
    write_history(history_path, history_rows)
    results_path = os.path.join(config.output, "results.txt")
    table = _table(rows, oracle_entropy)
    write_text(results_path, table + "\n")

    curves_path: str | None = os.path.join(config.output, "curves.png")
    try:
        from keras_seqgan.plotting import plot_training_curves

        plot_training_curves(
            history_rows,
            curves_path,
            title=_title(config),
            reference_lines={"oracle entropy": oracle_entropy},
            secondary_reference_lines={"evaluation temperature": 1.0},
            labels=STAGE_LABELS,
            xlabel="epoch (epoch 0: untrained generator)",
        )
    except ImportError as error:
        if error.name != "matplotlib":
            raise
        print(NO_MATPLOTLIB, flush=True)
        curves_path = None

    print("\n" + table)
    written = [model_path, log_path, history_path, results_path]
    written += [curves_path] if curves_path else []
    names = ", ".join(os.path.basename(path) for path in written[:-1])
    print(
        f"\nDone in {time.perf_counter() - started:.0f} s. Wrote {names} and "
        f"{os.path.basename(written[-1])} into {os.path.abspath(config.output)}",
        flush=True,
    )
    return {
        "rows": rows,
        "history_rows": history_rows,
        "model": model_path,
        "log": log_path,
        "history": history_path,
        "results": results_path,
        "curves": curves_path,
        "oracle_entropy": oracle_entropy,
    }


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
