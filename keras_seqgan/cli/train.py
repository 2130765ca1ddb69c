"""`keras-seqgan train`: SeqGAN on the user's own text.

`train` reads a text file (one sequence a line) or a CSV (a text column and condition
columns), builds a word-level tokenizer (or a subword one, `--tokenizer bpe`), and runs the
three stages (MLE pre-training, discriminator pre-training, adversarial training). The
tokenizer, with its vocabulary and condition vocabularies, travels inside the saved
`.keras` model, so `generate` and `evaluate` need nothing but that file. An interrupted
run continues when the same command is run again (`_Progress`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time

from keras_seqgan.cli._arguments import (
    DefaultsHelpFormatter,
    decay,
    fraction,
    name_count,
    positive,
    positive_float,
    progress_verbosity,
    share,
)
from keras_seqgan.cli._text import (
    generate_lines,
    generate_tokens,
    load_corpus,
    print_scores,
    text_scores,
)

# The defaults of `keras-seqgan train`, in one place for `--help` and the tests.
TRAIN_DEFAULTS = dict(
    sequence_length=20,
    max_tokens=5000,
    tokenizer="word",
    validation_fraction=0.1,
    embedding_dim=32,
    hidden_dim=32,
    condition_embedding_dim=8,
    mle_epochs=10,
    d_rounds=3,
    d_epochs=1,
    adversarial_epochs=10,
    adversarial_steps=20,
    num_rollouts=8,
    batch_size=64,
    num_eval=500,
)

TRAIN_FILES = {
    "model": "seqgan.keras",
    "mle": "generator_mle.keras",
    "log": "log.csv",
    "samples": "samples.txt",
    "results": "results.json",
}

# An unfinished run's progress, inside --output; removed when the run completes.
RESUME_DIR = "resume"

# `--objective`: keras_seqgan.objectives.OBJECTIVES (a whole-sequence discriminator) and
# "dense" (a keras_seqgan.models.PrefixDiscriminator); spelled out so that `--help` does not
# have to import Keras.
TRAIN_OBJECTIVES = ("reinforce", "gumbel", "dense")


@dataclasses.dataclass
class TrainConfig:
    data: str
    text_column: str = "text"
    encoding: str = "utf-8"
    conditions: tuple[str, ...] = ()
    keep_top: dict = dataclasses.field(default_factory=dict)
    max_lines: int | None = None
    objective: str = "reinforce"
    mismatched_conditions: float = 0.0
    annealing: bool = True
    temperature_start: float = 2.0
    temperature_end: float = 0.5
    temperature_decay: float = 0.95
    seed: int = 66
    output: str = "seqgan-train"
    verbose: int = 1
    sequence_length: int = TRAIN_DEFAULTS["sequence_length"]
    max_tokens: int = TRAIN_DEFAULTS["max_tokens"]
    tokenizer: str = TRAIN_DEFAULTS["tokenizer"]
    validation_fraction: float = TRAIN_DEFAULTS["validation_fraction"]
    embedding_dim: int = TRAIN_DEFAULTS["embedding_dim"]
    hidden_dim: int = TRAIN_DEFAULTS["hidden_dim"]
    condition_embedding_dim: int = TRAIN_DEFAULTS["condition_embedding_dim"]
    mle_epochs: int = TRAIN_DEFAULTS["mle_epochs"]
    d_rounds: int = TRAIN_DEFAULTS["d_rounds"]
    d_epochs: int = TRAIN_DEFAULTS["d_epochs"]
    adversarial_epochs: int = TRAIN_DEFAULTS["adversarial_epochs"]
    adversarial_steps: int = TRAIN_DEFAULTS["adversarial_steps"]
    num_rollouts: int = TRAIN_DEFAULTS["num_rollouts"]
    batch_size: int = TRAIN_DEFAULTS["batch_size"]
    num_eval: int = TRAIN_DEFAULTS["num_eval"]


def add_parser(commands) -> None:
    """Registers `keras-seqgan train`."""
    train = commands.add_parser(
        "train",
        help="train a SeqGAN on your own text file or CSV (optionally conditional)",
        description=(
            "Reads --data (a .csv with --text-column and --condition columns, or any other "
            "file as one sequence a line), splits off a validation set, builds a word-level "
            "or (--tokenizer) subword tokenizer, then runs MLE pre-training, discriminator "
            "pre-training and adversarial training, and writes into --output: seqgan.keras "
            "(with the tokenizer inside), generator_mle.keras, log.csv, samples.txt and "
            "results.json."
        ),
        formatter_class=DefaultsHelpFormatter,
    )
    train.set_defaults(run=run, reports_data_errors=True)
    train.add_argument(
        "--data", required=True, metavar="FILE",
        help="a .csv file, or a text file (one sequence a line)",
    )  # fmt: skip
    train.add_argument(
        "--text-column", default="text", metavar="COLUMN", help="CSV column holding the text"
    )
    train.add_argument("--encoding", default="utf-8", help="the file's text encoding")
    train.add_argument(
        "--condition", action="append", default=[], metavar="COLUMN",
        help="a CSV column to condition on (repeatable), e.g. --condition character",
    )  # fmt: skip
    train.add_argument(
        "--keep-top", action="append", default=[], type=name_count, metavar="COLUMN=N",
        help="keep only the rows whose COLUMN value is among its N most frequent (repeatable)",
    )  # fmt: skip
    train.add_argument(
        "--max-lines", type=positive, default=None, metavar="N",
        help="read at most N lines (default: all)",
    )  # fmt: skip
    _add_size_arguments(train)
    _add_training_arguments(train)


def _add_size_arguments(train) -> None:
    d = TRAIN_DEFAULTS
    train.add_argument(
        "--sequence-length", type=positive, default=d["sequence_length"], metavar="N",
        help="tokens per sequence, <eos> included: longer lines are cut, shorter ones padded",
    )  # fmt: skip
    train.add_argument(
        "--max-tokens", type=positive, default=d["max_tokens"], metavar="N",
        help="vocabulary cap, counting <pad>, <eos> and <unk>",
    )  # fmt: skip
    train.add_argument(
        "--tokenizer", choices=("word", "bpe", "wordpiece", "unigram"), default=d["tokenizer"],
        help="word-level, or subword pieces trained on the data (needs the `tokenizers` "
        'library: pip install "keras-seqgan[subword]"; bpe needs --max-tokens >= 260)',
    )  # fmt: skip
    train.add_argument(
        "--validation-fraction", type=fraction, default=d["validation_fraction"], metavar="F",
        help="share of the lines held out: MLE validation loss, NLL and BLEU references",
    )  # fmt: skip
    train.add_argument(
        "--embedding-dim", type=positive, default=d["embedding_dim"], metavar="N",
        help="token embedding size of the generator and the discriminator",
    )  # fmt: skip
    train.add_argument(
        "--hidden-dim", type=positive, default=d["hidden_dim"], metavar="N",
        help="the generator's LSTM units",
    )  # fmt: skip
    train.add_argument(
        "--condition-embedding-dim", type=positive, default=d["condition_embedding_dim"],
        metavar="N", help="embedding size of each condition, with --condition",
    )  # fmt: skip


def _add_training_arguments(train) -> None:
    d = TRAIN_DEFAULTS
    train.add_argument(
        "--mle-epochs", type=positive, default=d["mle_epochs"], metavar="N",
        help="epochs of MLE pre-training of the generator",
    )  # fmt: skip
    train.add_argument(
        "--d-rounds", type=positive, default=d["d_rounds"], metavar="N",
        help="discriminator pre-training rounds, each with fresh generated negatives",
    )  # fmt: skip
    train.add_argument(
        "--d-epochs", type=positive, default=d["d_epochs"], metavar="N",
        help="discriminator epochs per pre-training round",
    )  # fmt: skip
    train.add_argument(
        "--adversarial-epochs", type=positive, default=d["adversarial_epochs"], metavar="N",
        help="epochs of adversarial training",
    )  # fmt: skip
    train.add_argument(
        "--adversarial-steps", type=positive, default=d["adversarial_steps"], metavar="N",
        help="training steps per adversarial epoch",
    )  # fmt: skip
    train.add_argument(
        "--num-rollouts", type=positive, default=d["num_rollouts"], metavar="N",
        help="Monte-Carlo rollouts per prefix, reinforce only",
    )  # fmt: skip
    train.add_argument(
        "--batch-size", type=positive, default=d["batch_size"], metavar="N",
        help="sequences per batch",
    )  # fmt: skip
    train.add_argument(
        "--num-eval", type=positive, default=d["num_eval"], metavar="N",
        help="generated lines scored (BLEU against the validation set, self-BLEU)",
    )  # fmt: skip
    train.add_argument(
        "--objective", choices=TRAIN_OBJECTIVES, default="reinforce",
        help="how the generator learns from the discriminator; dense (ScratchGAN's dense "
        "rewards, no rollouts) trains a PrefixDiscriminator instead of the CNN one",
    )  # fmt: skip
    train.add_argument(
        "--mismatched-conditions", type=share, default=0.0, metavar="W",
        help="with --condition: the share of the discriminator's negatives that are real "
        "lines under another line's conditions, in pre-training and in each adversarial "
        "update, so that it checks that a line fits its conditions (0 = off)",
    )  # fmt: skip
    train.add_argument(
        "--no-annealing", dest="annealing", action="store_false",
        help="train at a constant temperature of 1.0 (default: annealing on, from "
        "--temperature-start down to --temperature-end)",
    )  # fmt: skip
    train.add_argument(
        "--temperature-start", type=positive_float, default=2.0, metavar="T",
        help="sampling temperature of the first adversarial epoch",
    )  # fmt: skip
    train.add_argument(
        "--temperature-end", type=positive_float, default=0.5, metavar="T",
        help="lowest temperature, <= --temperature-start",
    )  # fmt: skip
    train.add_argument(
        "--temperature-decay", type=decay, default=0.95, metavar="F",
        help="factor per epoch, in (0, 1]",
    )  # fmt: skip
    train.add_argument("--seed", type=int, default=66, metavar="N", help="seed for everything")
    train.add_argument("--output", default="seqgan-train", metavar="FOLDER", help="output folder")
    train.add_argument(
        "--quiet", action="store_true",
        help="no progress output (default: progress bars on a terminal, one line per epoch "
        "when the output is a file or a pipe)",
    )  # fmt: skip


def run(parser: argparse.ArgumentParser, args) -> dict:
    """`keras-seqgan train`: the arguments checked, then `run_train`."""
    return run_train(train_config(parser, args))


def train_config(parser, args) -> TrainConfig:
    if args.temperature_end > args.temperature_start:
        parser.error("--temperature-end must be <= --temperature-start")
    keep_top = dict(args.keep_top)
    unknown = sorted(set(keep_top) - set(args.condition))
    if unknown:
        parser.error(f"--keep-top names {unknown}, which are not --condition columns")
    if args.mismatched_conditions and not args.condition:
        parser.error(
            "--mismatched-conditions needs --condition (a conditional model); received "
            f"--mismatched-conditions {args.mismatched_conditions} and no --condition"
        )
    if args.tokenizer != "word":
        _check_subword_arguments(parser, args)
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    values = {k: v for k, v in vars(args).items() if k in fields}
    values.update(
        conditions=tuple(args.condition),
        keep_top=keep_top,
        verbose=progress_verbosity(args.quiet),
    )
    return TrainConfig(**values)


def _check_subword_arguments(parser, args) -> None:
    import importlib.util

    if importlib.util.find_spec("tokenizers") is None:
        parser.error(
            f"--tokenizer {args.tokenizer} needs the Hugging Face `tokenizers` library: "
            'pip install "keras-seqgan[subword]"'
        )
    if args.tokenizer == "bpe" and args.max_tokens < 260:
        parser.error(
            "--tokenizer bpe needs --max-tokens >= 260 (the 256 bytes, <pad>, <eos>, <unk> "
            f"and one merge); received --max-tokens {args.max_tokens}"
        )


def _train_data(config: TrainConfig, adapted: dict | None = None):
    """The corpus split, the tokenizer adapted on the training lines, both sets tokenized.

    `adapted` (a serialized tokenizer, an unfinished run's) is used instead of adapting a
    new one: a resumed run encodes its data exactly as the models it continues were
    trained on, even with a subword trainer that breaks ties differently between runs.
    """
    import keras

    import keras_seqgan as ks

    corpus = load_corpus(
        config.data, config.text_column, config.conditions, config.max_lines, config.encoding
    )
    for name, count in config.keep_top.items():
        corpus = corpus.most_frequent(name, count)
    train, validation = corpus.split(config.validation_fraction, seed=config.seed)
    if len(train) < config.batch_size:
        raise ValueError(
            f"--data: {len(train)} training lines after the validation split, fewer than "
            f"--batch-size {config.batch_size}. Use more data or a smaller batch size."
        )
    if adapted is not None:
        tokenizer = keras.saving.deserialize_keras_object(adapted)
    else:
        if config.tokenizer == "word":
            tokenizer = ks.data.Tokenizer(config.sequence_length, max_tokens=config.max_tokens)
        else:
            tokenizer = ks.data.SubwordTokenizer(
                config.sequence_length, kind=config.tokenizer, max_tokens=config.max_tokens
            )
        tokenizer.adapt(train.texts, train.conditions or None)
    known = validation.known_to(tokenizer)
    validation, dropped = known, len(validation) - len(known)
    print(
        f"keras-seqgan train: {config.data}: {len(train)} training and {len(validation)} "
        f"validation lines ({dropped} dropped: condition values unseen in training); "
        f"vocabulary {tokenizer.vocabulary_size}; conditions "
        f"{tokenizer.condition_sizes or 'none'}",
        flush=True,
    )
    return train, validation, tokenizer, train.tokenize(tokenizer), validation.tokenize(tokenizer)


def _train_models(config: TrainConfig, tokenizer):
    """The untrained generator (seeded, carrying the tokenizer) and discriminator: the CNN
    `Discriminator`, or for `--objective dense` a `PrefixDiscriminator` (its defaults)."""
    import keras_seqgan as ks

    conditions = dict(tokenizer.condition_sizes) or None
    generator = ks.models.Generator(
        vocabulary_size=tokenizer.vocabulary_size,
        sequence_length=config.sequence_length,
        embedding_dim=config.embedding_dim,
        hidden_dim=config.hidden_dim,
        start_token=tokenizer.pad_id,
        conditions=conditions,
        condition_embedding_dim=config.condition_embedding_dim,
        tokenizer=tokenizer,
        seed=config.seed + 1,
    )
    if config.objective == "dense":
        discriminator = ks.models.PrefixDiscriminator(
            vocabulary_size=tokenizer.vocabulary_size,
            sequence_length=config.sequence_length,
            conditions=conditions,
            condition_embedding_dim=config.condition_embedding_dim,
            seed=config.seed + 3,
        )
        return generator, discriminator
    widths = [w for w in (1, 2, 3, 4, 5, 8, 10, 15, 20) if w <= config.sequence_length]
    discriminator = ks.models.Discriminator(
        vocabulary_size=tokenizer.vocabulary_size,
        sequence_length=config.sequence_length,
        filter_sizes=widths,
        num_filters=[64] * len(widths),
        conditions=conditions,
        condition_embedding_dim=config.condition_embedding_dim,
    )
    return generator, discriminator


def _train_mle(config: TrainConfig, generator, real, held_out, progress, after):
    """MLE pre-training, or the earlier run's MLE model; `after(generator)` scores it."""
    import keras

    import keras_seqgan as ks
    from keras_seqgan.saving import save_model

    (tokens, conditions), (held_tokens, held_conditions) = real, held_out
    mle_path = os.path.join(config.output, TRAIN_FILES["mle"])
    generator.compile(optimizer=keras.optimizers.Adam(1e-2, global_clipnorm=5.0))
    if progress.state["stage"] != "start":
        print(f"\n== MLE pre-training: done by the earlier run ({mle_path})", flush=True)
        return keras.models.load_model(mle_path)
    print(f"\n== MLE pre-training ({config.mle_epochs} epochs)", flush=True)
    generator.fit(
        ks.data.mle_dataset(
            tokens, batch_size=config.batch_size, seed=config.seed, conditions=conditions or None
        ),
        validation_data=ks.data.mle_dataset(
            held_tokens, batch_size=256, shuffle=False, conditions=held_conditions or None
        ),
        epochs=config.mle_epochs,
        verbose=config.verbose,
        shuffle=False,
        callbacks=[progress.backup("mle")],
    )
    after(generator)
    save_model(generator, mle_path)
    progress.update(stage="mle")
    return generator


def _train_discriminator(config: TrainConfig, discriminator, generator, real, progress):
    """Discriminator pre-training, resumed after the earlier run's last finished round."""
    import keras

    from keras_seqgan.pipeline import pretrain_discriminator
    from keras_seqgan.saving import save_model

    tokens, conditions = real
    print(f"\n== Discriminator pre-training ({config.d_rounds} rounds)", flush=True)
    discriminator.compile(optimizer=keras.optimizers.Adam(1e-4))
    done = progress.state["d_rounds"]
    if done:
        discriminator = keras.models.load_model(progress.path("discriminator.keras"))
        print(f"Rounds 1-{done}: done by the earlier run", flush=True)

    def round_done(rounds):
        save_model(discriminator, progress.path("discriminator.keras"))
        progress.update(d_rounds=rounds)

    pretrain_discriminator(
        discriminator, generator, tokens, rounds=config.d_rounds, epochs=config.d_epochs,
        batch_size=config.batch_size, seed=config.seed, fake_seed=config.seed + 100,
        conditions=conditions or None, first_round=done, after_round=round_done,
        mismatched_conditions=config.mismatched_conditions, verbose=config.verbose,
    )  # fmt: skip
    return discriminator


def _train_adversarial(config: TrainConfig, generator, discriminator, real, progress):
    """Adversarial training (resumed from its backup); returns the SeqGAN."""
    import keras

    import keras_seqgan as ks
    from keras_seqgan.pipeline import adversarial_model

    tokens, conditions = real
    print(
        f"\n== Adversarial training ({config.objective}, {config.adversarial_epochs} epochs x "
        f"{config.adversarial_steps} steps)",
        flush=True,
    )
    gan = adversarial_model(
        generator,
        discriminator,
        objective=config.objective,
        num_rollouts=config.num_rollouts,
        seed=config.seed + 2,
        mismatched_conditions=config.mismatched_conditions,
    )
    # First, so that its epoch-end backup precedes the log line of that epoch.
    backup = progress.backup("adversarial")
    resuming = os.path.exists(backup._training_metadata_path)
    callbacks = [backup, ks.callbacks.BatchTimer(verbose=0), ks.callbacks.TrainingDisplay()]
    if config.annealing:
        callbacks.insert(
            1,
            ks.callbacks.TemperatureAnnealing(
                start=config.temperature_start,
                end=config.temperature_end,
                decay=config.temperature_decay,
            ),
        )
    log_path = os.path.join(config.output, TRAIN_FILES["log"])
    callbacks.append(keras.callbacks.CSVLogger(log_path, append=resuming))
    dataset = ks.data.sequence_dataset(
        tokens,
        batch_size=config.batch_size,
        seed=config.seed,
        conditions=conditions or None,
        repeat=True,
    )
    gan.fit(
        dataset,
        epochs=config.adversarial_epochs,
        steps_per_epoch=config.adversarial_steps,
        verbose=config.verbose,
        callbacks=callbacks,
    )
    return gan


def run_train(config: TrainConfig) -> dict:
    """Runs `keras-seqgan train` and returns its figures and file paths."""
    import keras
    import numpy as np

    from keras_seqgan.saving import save_model, write_text

    started = time.perf_counter()
    adapted = _Progress.saved_state(config).get("tokenizer")
    train, validation, tokenizer, real, held_out = _train_data(config, adapted)
    sizes = tokenizer.condition_sizes
    os.makedirs(config.output, exist_ok=True)
    keras.utils.set_random_seed(config.seed)
    generator, discriminator = _train_models(config, tokenizer)
    rng = np.random.default_rng(config.seed)
    count = min(config.num_eval, len(validation))
    eval_rows = rng.choice(len(validation), size=count, replace=False)
    eval_conditions = {name: [validation.conditions[name][i] for i in eval_rows] for name in sizes}

    def scores(stage, model):
        tokens = generate_tokens(
            model, count, eval_conditions, temperature=1.0, seed=config.seed + 7
        )
        values = text_scores(
            model, tokens, validation.texts, held_out[0], held_out[1] or None,
            "nll_validation", config.seed,
        )  # fmt: skip
        print_scores(stage, values)
        return values

    progress = _Progress(config)
    if adapted is None:  # a resumed run reads the tokenizer back (see `_train_data`)
        progress.update(tokenizer=keras.saving.serialize_keras_object(tokenizer))
    results = progress.state["results"]
    if "untrained" not in results:
        results["untrained"] = scores("untrained", generator)

    def after_mle(model):
        results["mle"] = scores("after MLE", model)

    generator = _train_mle(config, generator, real, held_out, progress, after_mle)
    discriminator = _train_discriminator(config, discriminator, generator, real, progress)
    gan = _train_adversarial(config, generator, discriminator, real, progress)
    results["adversarial"] = scores("after adversarial", generator)

    model_path = os.path.join(config.output, TRAIN_FILES["model"])
    save_model(gan, model_path)
    samples_path = os.path.join(config.output, TRAIN_FILES["samples"])
    write_text(samples_path, _samples_text(generator, train, config.seed))
    results_path = os.path.join(config.output, TRAIN_FILES["results"])
    record = {
        "command": "keras-seqgan " + " ".join(sys.argv[1:]) if sys.argv else None,
        "config": dataclasses.asdict(config),
        "vocabulary_size": tokenizer.vocabulary_size,
        "conditions": sizes,
        "train_lines": len(train),
        "validation_lines": len(validation),
        "scores": results,
        "seconds": round(time.perf_counter() - started, 1),
    }
    write_text(results_path, json.dumps(record, indent=2) + "\n")
    progress.finish()
    print(
        f"\nDone in {record['seconds']:.0f} s. Wrote {', '.join(TRAIN_FILES.values())} into "
        f"{os.path.abspath(config.output)}",
        flush=True,
    )
    return {"results": results, "model": model_path, "record": record}


class _Progress:
    """An unfinished `train` run's progress in `--output`/resume: which stages are done,
    their scores, and Keras's backups, so that the same command run again continues.

    Each stage resumes at an epoch's end: MLE pre-training and adversarial training from
    their `BackupAndRestore` backups, discriminator pre-training after its last finished
    round. Their data orders are functions of the seed and the epoch, so the resumed run
    ends equal to an uninterrupted one.
    """

    def __init__(self, config: TrainConfig):
        self.folder = os.path.join(config.output, RESUME_DIR)
        self.settings = _settings(config)
        self.state = {"stage": "start", "d_rounds": 0, "results": {}}
        state_path = self.path("state.json")
        if os.path.exists(state_path):
            with open(state_path, encoding="utf-8") as handle:
                saved = json.load(handle)
            if saved["settings"] != self.settings:
                changed = sorted(
                    name
                    for name in set(saved["settings"]) | set(self.settings)
                    if saved["settings"].get(name) != self.settings.get(name)
                )
                raise ValueError(
                    f"--output {config.output} holds an unfinished run with other "
                    f"arguments (differing: {', '.join(changed)}). Run the same command "
                    "to resume it, or choose another --output."
                )
            self.state = saved["state"]
            print(
                f"Resuming the unfinished run in {config.output}: "
                f"{_describe_progress(self.state)}.",
                flush=True,
            )
        else:
            os.makedirs(self.folder, exist_ok=True)
            self.update()  # from now on a rerun knows it continues this run

    @staticmethod
    def saved_state(config: TrainConfig) -> dict:
        """The unfinished run's state in `--output` if its arguments are these, else `{}`."""
        state_path = os.path.join(config.output, RESUME_DIR, "state.json")
        if not os.path.exists(state_path):
            return {}
        with open(state_path, encoding="utf-8") as handle:
            saved = json.load(handle)
        return saved["state"] if saved["settings"] == _settings(config) else {}

    def path(self, name: str) -> str:
        return os.path.join(self.folder, name)

    def backup(self, stage: str):
        import keras

        return keras.callbacks.BackupAndRestore(self.path(stage), save_freq="epoch")

    def update(self, **changes) -> None:
        from keras_seqgan.saving import write_text

        self.state.update(changes)
        record = {"settings": self.settings, "state": self.state}
        write_text(self.path("state.json"), json.dumps(record, indent=2) + "\n")

    def finish(self) -> None:
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)


def _settings(config: TrainConfig) -> dict:
    """The arguments that decide a run's result (all but where it writes and how it talks)."""
    settings = dataclasses.asdict(config)
    for name in ("output", "verbose"):
        settings.pop(name)
    return json.loads(json.dumps(settings))  # as it reads back from JSON


def _describe_progress(state: dict) -> str:
    if state["stage"] == "start":
        return "MLE pre-training continues from its last finished epoch, if any"
    rounds = state["d_rounds"]
    return (
        f"MLE pre-training done, {rounds} discriminator round(s) done; the run continues "
        "from there (adversarial training from its last finished epoch, if any)"
    )


def _samples_text(generator, corpus, seed, per_value=3, max_values=5) -> str:
    """A few lines for each of the first condition's most frequent values (ten lines for an
    unconditional model); the other conditions take their commonest value beside it in
    `corpus`, so no pair is asked for that training never showed."""
    from collections import Counter

    names = generator.tokenizer.condition_names
    if not names:
        return "\n".join(generate_lines(generator, 10, seed=seed)) + "\n"
    first, others = names[0], names[1:]
    lines = []
    for value in generator.tokenizer.condition_values(first)[:max_values]:
        rows = [i for i, v in enumerate(corpus.conditions[first]) if v == value]
        condition = {first: value}
        for name in others:
            condition[name] = Counter(corpus.conditions[name][i] for i in rows).most_common(1)[0][0]
        label = ", ".join(f"{k}={v}" for k, v in condition.items())
        for line in generate_lines(generator, per_value, condition, seed=seed):
            lines.append(f"[{label}] {line}")
    return "\n".join(lines) + "\n"
