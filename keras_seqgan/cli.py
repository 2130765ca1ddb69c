"""The `keras-seqgan` command line."""

from __future__ import annotations

import argparse
import dataclasses
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
        adversarial_epochs=5,
        adversarial_steps=10,
        num_rollouts=8,
        batch_size=64,
    ),
}


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


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text}")
    return value


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
            "trains adversarially, and prints NLL-oracle (quality: lower is better; the "
            "oracle's own samples score its entropy) and NLL-gen (the generator's NLL on "
            "held-out oracle samples: diversity) after each stage. Writes the trained model "
            "(seqgan.keras) and the adversarial training log (log.csv) into --output."
        ),
    )
    demo.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        default="small",
        help="sizes and schedule (default: small, a few minutes on 2 cores)",
    )
    demo.add_argument(
        "--output",
        default="seqgan-demo",
        help="output folder, created if missing (default: ./seqgan-demo)",
    )
    demo.add_argument(
        "--objective",
        choices=["reinforce", "gumbel"],
        default="reinforce",
        help="how the generator learns from the discriminator",
    )
    demo.add_argument("--seed", type=int, default=66, help="seed for everything (default 66)")
    for name in (
        "vocabulary-size",
        "sequence-length",
        "num-samples",
        "mle-epochs",
        "adversarial-epochs",
        "adversarial-steps",
        "num-rollouts",
        "batch-size",
    ):
        demo.add_argument(
            f"--{name}",
            type=_positive,
            default=None,
            help=f"override the preset's {name.replace('-', ' ')}",
        )
    demo.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo":
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
        )
        run_demo(config)
    return 0


def _evaluate(oracle, generator, held_out, config, stage, rows):
    from keras_seqgan import evaluation

    samples = generator.generate(config.num_eval, seed=config.seed + 100)
    row = (stage, evaluation.nll_oracle(oracle, samples), evaluation.nll_gen(generator, held_out))
    rows.append(row)
    print(f"[{stage}] NLL-oracle {row[1]:.3f}   NLL-gen {row[2]:.3f}", flush=True)


def _table(rows, oracle_entropy):
    lines = [f"{'stage':<26}{'NLL-oracle':>12}{'NLL-gen':>10}"]
    lines += [f"{stage:<26}{nll:>12.3f}{diversity:>10.3f}" for stage, nll, diversity in rows]
    lines.append(f"{'oracle (its entropy)':<26}{oracle_entropy:>12.3f}{oracle_entropy:>10.3f}")
    return "\n".join(lines)


def run_demo(config: DemoConfig) -> dict:
    """Runs the demo pipeline and returns its results (rows and file paths)."""
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

    oracle = ks.data.OracleLSTM(**size, seed=config.seed)
    real = oracle.sample(config.num_samples, seed=config.seed + 1)
    held_out = oracle.sample(config.num_eval, seed=config.seed + 2)
    oracle_entropy = oracle.nll(held_out)

    generator = ks.models.Generator(**size, seed=config.seed + 3)
    small_filters = [w for w in (1, 2, 3, 4, 5, 8, 10, 15, 20) if w <= config.sequence_length]
    discriminator = ks.models.Discriminator(
        **size, filter_sizes=small_filters, num_filters=[64] * len(small_filters)
    )
    rows: list[tuple[str, float, float]] = []
    _evaluate(oracle, generator, held_out, config, "untrained", rows)

    print(f"\n== MLE pre-training of the generator ({config.mle_epochs} epochs)", flush=True)
    generator.compile(optimizer=keras.optimizers.Adam(1e-2, global_clipnorm=5.0))
    generator.fit(
        ks.data.mle_dataset(real, batch_size=config.batch_size, seed=config.seed),
        epochs=config.mle_epochs,
        verbose=config.verbose,
        shuffle=False,
    )
    _evaluate(oracle, generator, held_out, config, "after MLE", rows)

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

    print(
        f"\n== Adversarial training ({config.adversarial_epochs} epochs x "
        f"{config.adversarial_steps} steps, {config.num_rollouts} rollouts)",
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
    gan.fit(
        dataset.repeat(),
        epochs=config.adversarial_epochs,
        steps_per_epoch=config.adversarial_steps,
        verbose=config.verbose,
        callbacks=[
            ks.callbacks.OracleNLL(
                oracle, num_samples=config.num_eval, held_out=held_out, seed=config.seed + 100
            ),
            ks.callbacks.BatchTimer(verbose=0),
            ks.callbacks.TrainingDisplay(),
            keras.callbacks.CSVLogger(log_path),
        ],
    )
    _evaluate(oracle, generator, held_out, config, "after adversarial", rows)

    model_path = os.path.join(config.output, "seqgan.keras")
    save_model(gan, model_path)
    table = _table(rows, oracle_entropy)
    write_text(os.path.join(config.output, "results.txt"), table + "\n")
    print("\n" + table)
    print(
        f"\nDone in {time.perf_counter() - started:.0f} s. Wrote {model_path}, {log_path} "
        f"and results.txt into {os.path.abspath(config.output)}",
        flush=True,
    )
    return {"rows": rows, "model": model_path, "log": log_path, "oracle_entropy": oracle_entropy}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
