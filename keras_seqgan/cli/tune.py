"""`keras-seqgan tune`: KerasTuner search of the adversarial stage on the demo's oracle."""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

from keras_seqgan.cli._arguments import positive
from keras_seqgan.cli.demo import (
    PRESETS,
    DemoConfig,
    adversarial_dataset,
    demo_models,
    oracle_data,
    preset_values,
    pretrain_demo_discriminator,
)

TUNERS = ("random", "bayesian", "hyperband")
TUNE_OBJECTIVES = ("nll_sum", "nll_oracle", "nll_gen")
HYPERBAND_FACTOR = 3
# What `keras-seqgan tune` writes into --output, besides KerasTuner's folders.
TUNE_FILES = {
    "best": "best.keras",
    "csv": "trials.csv",
    "json": "trials.json",
    "settings": "tune_settings.json",
    "generator": "pretrained_generator.keras",
    "discriminator": "pretrained_discriminator.keras",
}


@dataclasses.dataclass
class TuneConfig:
    demo: DemoConfig  # the oracle, data, pre-training, seed and output folder
    epochs: int
    steps_per_epoch: int
    tuner: str = "random"
    max_trials: int = 8
    objective: str = "nll_sum"
    compare_defaults: bool = True
    tune_learning_rates: bool = False
    overwrite: bool = False


def add_parser(commands) -> None:
    """Registers `keras-seqgan tune`."""
    tune = commands.add_parser(
        "tune",
        help="tune the adversarial stage's annealing and D/G balance with KerasTuner",
        description=(
            "Searches the hyper-parameters of adversarial training on a random oracle LSTM "
            "(the demo's synthetic experiment) with KerasTuner: the temperature schedule "
            "(kind, start, end, decay), d_train_interval and d_steps (and, on request, the "
            "learning rates). The generator is pre-trained by maximum likelihood and the "
            "discriminator on its samples once; every trial starts adversarial training from "
            "copies of them, with the same seeds, and is scored by the objective after "
            "every epoch (its best epoch counts). The default objective, nll_sum = "
            "nll_oracle + nll_gen, both sampled at temperature 1.0, cannot be lowered by "
            "sampling sharply: nll_oracle alone would reward a low temperature (less "
            "diversity). Prints the trials table, best first, with a row for the library's "
            "default settings (see --compare-defaults) trained with the same budget, and "
            "writes into --output: the best model (best.keras), the table (trials.csv, "
            "trials.json), the pre-trained networks and KerasTuner's folders (search/, "
            "defaults/). Running the same command again resumes the search: finished "
            "trials are kept."
        ),
    )
    tune.set_defaults(run=run, reports_data_errors=False)
    tune.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        default="small",
        help="oracle sizes, data, pre-training and rollouts, as in the demo (default: small)",
    )
    _add_search_arguments(tune)
    _add_run_arguments(tune)


def _add_run_arguments(tune) -> None:
    tune.add_argument(
        "--compare-defaults",
        dest="compare_defaults",
        action="store_true",
        default=True,
        help=(
            "also train the library's default settings with the same budget and add them "
            "to the table as 'defaults': the temperature annealed from 2.0 by x0.95 per "
            "epoch, never below 0.5 (the exponential schedule), and one discriminator "
            "update on every step, d_train_interval 1 and d_steps 1 (default: on)"
        ),
    )
    tune.add_argument(
        "--no-compare-defaults",
        dest="compare_defaults",
        action="store_false",
        help="skip that row (default: the row is added)",
    )
    tune.add_argument(
        "--tune-learning-rates",
        action="store_true",
        help=(
            "also search the Adam learning rates, G 1e-4 to 1e-2 and D 1e-5 to 1e-3, log "
            "scale (default: off; G 1e-3, D 1e-4)"
        ),
    )
    tune.add_argument(
        "--output",
        default="seqgan-tune",
        metavar="FOLDER",
        help="output folder, created if missing (default: ./seqgan-tune)",
    )
    tune.add_argument(
        "--seed", type=int, default=66, metavar="N", help="seed for everything (default: 66)"
    )
    tune.add_argument(
        "--overwrite",
        action="store_true",
        help=(
            "start afresh, replacing a search in --output (default: resume it; finished "
            "trials are kept, an interrupted one runs again)"
        ),
    )
    tune.add_argument(
        "--quiet",
        action="store_true",
        help="no per-trial and per-epoch lines (default: shown)",
    )


def _add_search_arguments(tune) -> None:
    tune.add_argument(
        "--tuner",
        choices=TUNERS,
        default="random",
        help=(
            "random: RandomSearch; bayesian: BayesianOptimization (half the trials random, "
            "then a Gaussian process; needs scipy and scikit-learn); hyperband: Hyperband "
            f"(max_epochs --epochs, factor {HYPERBAND_FACTOR}, stopped after --max-trials "
            "trials) (default: random)"
        ),
    )
    tune.add_argument(
        "--max-trials",
        type=positive,
        default=8,
        metavar="N",
        help="trials to run; more than a finished search had extends it (default: 8)",
    )
    tune.add_argument(
        "--epochs",
        type=positive,
        default=None,
        metavar="N",
        help=(
            "adversarial epochs per trial (Hyperband's max_epochs) (default: the preset's; "
            f"{preset_values('adversarial_epochs')})"
        ),
    )
    tune.add_argument(
        "--steps-per-epoch",
        type=positive,
        default=None,
        metavar="N",
        help=(
            "adversarial training steps per epoch (default: the preset's; "
            f"{preset_values('adversarial_steps')})"
        ),
    )
    tune.add_argument(
        "--objective",
        choices=TUNE_OBJECTIVES,
        default="nll_sum",
        help=(
            "the figure to minimise, sampled at temperature 1.0 after every epoch (default: "
            "nll_sum, quality plus diversity)"
        ),
    )


def run(parser: argparse.ArgumentParser, args) -> dict:
    """`keras-seqgan tune`: the arguments checked, then `run_tune`."""
    return run_tune(_tune_config(parser, args))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _tune_settings(config: TuneConfig) -> dict:
    """What must not change when a search in the same folder is resumed."""
    demo = config.demo
    return {
        "preset": demo.preset,
        "seed": demo.seed,
        "tuner": config.tuner,
        "epochs": config.epochs,
        "steps_per_epoch": config.steps_per_epoch,
        "objective": config.objective,
        "tune_learning_rates": config.tune_learning_rates,
    }


def _tune_config(parser: argparse.ArgumentParser, args) -> TuneConfig:
    import importlib.util
    import json

    if args.tuner == "bayesian":
        missing = [name for name in ("scipy", "sklearn") if importlib.util.find_spec(name) is None]
        if missing:
            parser.error(
                "--tuner bayesian needs scipy and scikit-learn (missing: "
                f"{', '.join(missing)}): pip install 'keras-tuner[bayesian]'"
            )
    preset = dict(PRESETS[args.preset])
    demo = DemoConfig(
        **preset,
        seed=args.seed,
        output=args.output,
        verbose=0 if args.quiet else 2,
        preset=args.preset,
    )
    config = TuneConfig(
        demo=demo,
        epochs=args.epochs or preset["adversarial_epochs"],
        steps_per_epoch=args.steps_per_epoch or preset["adversarial_steps"],
        tuner=args.tuner,
        max_trials=args.max_trials,
        objective=args.objective,
        compare_defaults=args.compare_defaults,
        tune_learning_rates=args.tune_learning_rates,
        overwrite=args.overwrite,
    )
    settings_path = os.path.join(args.output, TUNE_FILES["settings"])
    if not args.overwrite and os.path.isfile(settings_path):
        with open(settings_path, encoding="utf-8") as handle:
            previous = json.load(handle)
        current = _tune_settings(config)
        if previous != current:
            changed = ", ".join(
                f"{key}: {previous.get(key)!r} -> {value!r}"
                for key, value in current.items()
                if previous.get(key) != value
            )
            parser.error(
                f"--output {args.output} holds a search with other settings ({changed}); "
                "it would resume that search. Pass --overwrite to replace it, or another "
                "--output."
            )
    return config


def _pretrain(demo: DemoConfig, real):
    """The demo's MLE pre-training of the generator and pre-training of the discriminator."""
    import keras

    import keras_seqgan as ks

    generator, discriminator = demo_models(demo)
    print(
        f"\n== MLE pre-training of the generator ({_count(demo.mle_epochs, 'epoch')})", flush=True
    )
    generator.compile(optimizer=keras.optimizers.Adam(1e-2, global_clipnorm=5.0))
    generator.fit(
        ks.data.mle_dataset(real, batch_size=demo.batch_size, seed=demo.seed),
        epochs=demo.mle_epochs,
        verbose=demo.verbose,
        shuffle=False,
    )
    print(
        f"\n== Discriminator pre-training ({_count(demo.d_rounds, 'round')} of fresh negatives)",
        flush=True,
    )
    pretrain_demo_discriminator(discriminator, generator, real, demo)
    return generator, discriminator


def _make_tuner(config: TuneConfig, hypermodel, objective, **common):
    import keras_tuner as kt

    if config.tuner == "bayesian":
        initial = min(config.max_trials, max(2, config.max_trials // 2))
        return kt.BayesianOptimization(
            hypermodel,
            objective=objective,
            max_trials=config.max_trials,
            num_initial_points=initial,
            **common,
        )
    if config.tuner == "hyperband":
        tuner = kt.Hyperband(
            hypermodel,
            objective=objective,
            max_epochs=config.epochs,
            factor=HYPERBAND_FACTOR,
            **common,
        )
        tuner.oracle.max_trials = config.max_trials  # Hyperband has no max_trials argument
        return tuner
    return kt.RandomSearch(hypermodel, objective=objective, max_trials=config.max_trials, **common)


def run_tune(config: TuneConfig) -> dict:
    """Pre-trains once, searches the adversarial stage, prints the table, saves the best."""
    import json

    import keras

    from keras_seqgan import tuning
    from keras_seqgan.saving import write_text

    demo = config.demo
    started = time.perf_counter()
    os.makedirs(demo.output, exist_ok=True)
    paths = {key: os.path.join(demo.output, name) for key, name in TUNE_FILES.items()}
    keras.utils.set_random_seed(demo.seed)
    print(
        f"keras-seqgan tune: {config.tuner} search of the adversarial stage, "
        f"{_count(config.max_trials, 'trial')} of {_count(config.epochs, 'epoch')} x "
        f"{_count(config.steps_per_epoch, 'step')}, objective {config.objective} (min), "
        f"preset {demo.preset}: vocabulary {demo.vocabulary_size}, length "
        f"{demo.sequence_length}, {demo.num_rollouts} rollouts",
        flush=True,
    )
    oracle, real, held_out = oracle_data(demo)
    oracle_entropy = oracle.nll(held_out)
    scorer = tuning.oracle_nll_callback(
        oracle, num_samples=demo.num_eval, held_out=held_out, seed=demo.seed + 100
    )
    generator, discriminator = _tune_networks(config, paths, real)
    write_text(paths["settings"], json.dumps(_tune_settings(config), indent=2) + "\n")
    mle = scorer.evaluate(generator)
    print(
        f"[after pre-training] NLL-oracle {mle['nll_oracle']:.3f}   NLL-gen "
        f"{mle['nll_gen']:.3f}   nll_sum {mle['nll_sum']:.3f}",
        flush=True,
    )

    hypermodel = tuning.SeqGANHyperModel(
        generator_weights=generator,
        discriminator_weights=discriminator,
        objective=demo.objective,
        num_rollouts=demo.num_rollouts,
        seed=demo.seed + 4,
        tune_learning_rates=config.tune_learning_rates,
        annealing_epochs=config.epochs,
    )
    tuner, every_row, best_row, defaults_row = _tune_search(config, hypermodel, real, scorer)
    _tune_files(config, paths, tuner, every_row, best_row, defaults_row, mle, oracle_entropy)
    table = _tune_report(config.objective, every_row, best_row, defaults_row, mle, oracle_entropy)
    written = [paths["best"], paths["csv"], paths["json"]]
    print(
        f"\nDone in {time.perf_counter() - started:.0f} s. Wrote "
        f"{', '.join(os.path.basename(path) for path in written)} into "
        f"{os.path.abspath(demo.output)}",
        flush=True,
    )
    return {
        "rows": every_row,
        "best": best_row,
        "defaults": defaults_row,
        "after_pretraining": mle,
        "oracle_entropy": oracle_entropy,
        "table": table,
        **{key: paths[key] for key in ("best", "csv", "json")},
    }


def _tune_files(
    config: TuneConfig, paths, tuner, every_row, best_row, defaults_row, mle, oracle_entropy
) -> None:
    """Writes the best model, trials.csv and trials.json."""
    import json

    from keras_seqgan.saving import save_model, write_csv, write_text

    best_model = tuner.get_best_models(1)[0]
    save_model(best_model, paths["best"])
    write_csv(paths["csv"], every_row)
    record = {
        "tuner": config.tuner,
        "objective": {"name": config.objective, "direction": "min"},
        "settings": _tune_settings(config),
        "max_trials": config.max_trials,
        "oracle_entropy": oracle_entropy,
        "after_pretraining": mle,
        "best_trial": best_row["trial"],
        "best_model": TUNE_FILES["best"],
        "defaults": defaults_row,
        "trials": every_row,
    }
    write_text(paths["json"], json.dumps(record, indent=2) + "\n")


def _tune_search(config: TuneConfig, hypermodel, real, scorer):
    """The search, and (with --compare-defaults) one trial of the library's default settings
    on the same budget; returns the tuner, every trial's row (finished ones best first), the
    best row and the defaults' row (or `None`)."""
    import keras_tuner as kt

    from keras_seqgan import tuning

    demo = config.demo
    objective = kt.Objective(config.objective, direction="min")
    common = dict(seed=demo.seed, directory=demo.output, overwrite=config.overwrite)

    # A function, so that every trial gets a fresh dataset: the same batches in the same order.
    def dataset():
        return adversarial_dataset(real, demo)

    search_kwargs = dict(
        epochs=config.epochs,
        steps_per_epoch=config.steps_per_epoch,
        verbose=demo.verbose,
        callbacks=[scorer],
    )
    print(f"\n== Search ({config.tuner})", flush=True)
    tuner = _make_tuner(config, hypermodel, objective, project_name="search", **common)
    tuner.search(dataset, **search_kwargs)
    rows = tuning.trials_table(tuner)
    if not rows or rows[0][config.objective] is None:
        raise RuntimeError(
            f"No trial of the search in {tuner.project_dir} completed; see KerasTuner's "
            "messages above."
        )
    best_row = rows[0]

    defaults_row = None
    if config.compare_defaults:
        print("\n== The library's default settings, same budget", flush=True)
        defaults_tuner = kt.RandomSearch(
            hypermodel,
            objective=objective,
            max_trials=1,
            hyperparameters=hypermodel.default_hyperparameters(),
            tune_new_entries=False,
            project_name="defaults",
            **common,
        )
        defaults_tuner.search(dataset, **search_kwargs)
        defaults_rows = tuning.trials_table(defaults_tuner)
        if defaults_rows:
            defaults_row = dict(defaults_rows[0], trial="defaults")
    every_row = rows + ([defaults_row] if defaults_row else [])
    finished = [row for row in every_row if row[config.objective] is not None]
    every_row = sorted(finished, key=lambda row: row[config.objective]) + [
        row for row in every_row if row[config.objective] is None
    ]

    return tuner, every_row, best_row, defaults_row


def _tune_networks(config: TuneConfig, paths: dict, real):
    """The pre-trained generator and discriminator: an earlier run's from --output (unless
    --overwrite), else pre-trained now and saved there."""
    from keras_seqgan.saving import load_model, save_model

    cached = [paths["generator"], paths["discriminator"]]
    if not config.overwrite and all(os.path.isfile(path) for path in cached):
        print(
            f"Reusing the pre-trained networks in {os.path.abspath(config.demo.output)}",
            flush=True,
        )
        return tuple(load_model(path) for path in cached)
    generator, discriminator = _pretrain(config.demo, real)
    save_model(generator, paths["generator"])
    save_model(discriminator, paths["discriminator"])
    return generator, discriminator


def _tune_report(name, every_row, best_row, defaults_row, mle, oracle_entropy) -> str:
    """Prints the trials table, the best trial and how it compares; returns the table."""
    from keras_seqgan import tuning

    table = tuning.format_trials_table(every_row)
    print(f"\nTrials, best first ({name}: the best epoch's value, lower is better)")
    print(table)
    print(
        f"\nbest: trial {best_row['trial']}, {name} {best_row[name]:.4f}; after pre-training "
        f"{mle[name]:.4f}; the oracle's own samples score {oracle_entropy:.4f} on each NLL "
        f"(nll_sum {2 * oracle_entropy:.4f})"
    )
    if defaults_row is not None and defaults_row[name] is not None:
        difference = defaults_row[name] - best_row[name]
        verdict = (
            f"the best trial beats them by {difference:.4f}"
            if difference > 0
            else f"no trial beats them (the best is worse by {-difference:.4f})"
            if difference < 0
            else "the best trial ties with them"
        )
        print(f"library defaults: {name} {defaults_row[name]:.4f}: {verdict}")
    return table
