"""`keras-seqgan evaluate`: BLEU, Self-BLEU, MS-Jaccard, NLL, condition accuracy and (with
`--lm-score`) LM scores and the Fréchet distance of saved models, at one sampling
temperature or a sweep of them."""

from __future__ import annotations

import argparse
import json
import os

from keras_seqgan.cli._arguments import DefaultsHelpFormatter, positive, positive_float
from keras_seqgan.cli._text import load_corpus, model_generator

MAX_N = 4
PLOT_FILE = "quality_diversity.png"
LM_KEYS = ("lm_score", "reverse_lm_score", "frechet")
LM_LABELS = {
    "lm_score": "LM score (NLL under a real-data LM; lower: better quality)",
    "reverse_lm_score": "reverse LM score (NLL of real text; lower: better coverage)",
}


def temperature_list(text: str) -> tuple[float, ...]:
    """`0.7,0.8,1` -> (0.7, 0.8, 1.0): numbers > 0, sorted, each once."""
    values = []
    for part in text.split(","):
        try:
            values.append(positive_float(part.strip()))
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(
                f"must be comma-separated numbers > 0 (e.g. 0.7,0.8,0.9,1.0,1.1), got "
                f"{text!r} ({part.strip()!r} is not a number > 0)"
            ) from None
    return tuple(sorted(set(values)))


def add_parser(commands) -> None:
    """Registers `keras-seqgan evaluate`."""
    evaluate = commands.add_parser(
        "evaluate",
        help="BLEU, self-BLEU, MS-Jaccard, NLL and condition accuracy of saved models on a "
        "text set, at one temperature or several",
        formatter_class=DefaultsHelpFormatter,
    )
    evaluate.set_defaults(run=run, reports_data_errors=True)
    evaluate.add_argument("model", help="a .keras file (SeqGAN or Generator) with a tokenizer")
    evaluate.add_argument(
        "--compare", nargs="+", default=[], metavar="MODEL",
        help="more .keras models, scored the same way into the same table and figure; "
        "each is placed against the first model's curve at equal Self-BLEU",
    )  # fmt: skip
    evaluate.add_argument(
        "--data", required=True, metavar="FILE",
        help="reference lines: a .csv file (with the model's condition columns), or a text "
        "file (one line each)",
    )  # fmt: skip
    evaluate.add_argument(
        "--text-column", default="text", metavar="COLUMN", help="CSV column holding the text"
    )
    evaluate.add_argument("--encoding", default="utf-8", help="the file's text encoding")
    evaluate.add_argument(
        "--max-lines", type=positive, default=None, metavar="N",
        help="read at most N lines (default: all)",
    )  # fmt: skip
    evaluate.add_argument(
        "--num-samples", type=positive, default=500, metavar="N",
        help="generated lines scored at each temperature (at most one per reference line)",
    )  # fmt: skip
    sampling = evaluate.add_mutually_exclusive_group()
    sampling.add_argument(
        "--temperature", type=positive_float, default=1.0, metavar="T",
        help="sampling temperature of the generated lines",
    )  # fmt: skip
    sampling.add_argument(
        "--temperatures", type=temperature_list, default=None, metavar="T,T,...",
        help="a sweep instead of --temperature: score each model at each of these "
        "temperatures (e.g. 0.7,0.8,0.9,1.0,1.1), a quality-diversity curve per model",
    )  # fmt: skip
    evaluate.add_argument(
        "--classifier-epochs", type=positive, default=5, metavar="N",
        help="epochs of the condition classifier trained on --data",
    )  # fmt: skip
    evaluate.add_argument(
        "--lm-score", action="store_true",
        help="also score each temperature's lines with language models trained on --data "
        "(LM score: quality; reverse LM score: coverage; frechet: distance of LM "
        "features, not comparable with published figures); costs an LM trained on "
        "--data, and one on each generated set",
    )  # fmt: skip
    evaluate.add_argument(
        "--lm-epochs", type=positive, default=10, metavar="N",
        help="epochs of each language model of --lm-score",
    )  # fmt: skip
    evaluate.add_argument(
        "--lm-hidden-dim", type=positive, default=64, metavar="N",
        help="LSTM size of each language model of --lm-score",
    )  # fmt: skip
    evaluate.add_argument(
        "--lm-max-rows", type=positive, default=10_000, metavar="N",
        help="at most N --data lines train the real-data language model of --lm-score",
    )  # fmt: skip
    evaluate.add_argument(
        "--seed", type=int, default=66, metavar="N",
        help="seed of the sampling, the choice of reference lines, the classifier and the "
        "language models",
    )  # fmt: skip
    evaluate.add_argument(
        "--output", default=None, metavar="PATH",
        help="also write the results: to a .json or .csv file, or else into a folder "
        f"(created) as evaluate.json, evaluate.csv and the plot {PLOT_FILE} "
        "(default: printed only)",
    )  # fmt: skip


def _labels(paths: list[str]) -> list[str]:
    """Each model's name in tables and legends: its file name without `.keras`, or its
    path where two file names are the same."""
    stems = [os.path.splitext(os.path.basename(path))[0] for path in paths]
    if len(set(stems)) == len(stems):
        return stems
    return [os.path.splitext(os.path.normpath(path))[0] for path in paths]


def _describe(settings: dict) -> str:
    return (
        f"{settings['num_generated']} generated lines against {settings['num_references']} "
        f"reference lines; {settings['casing']}; tokens: {settings['tokenization']}; "
        f"Self-BLEU: {settings['self_bleu']}"
    )


class _Classifiers:
    """Condition classifiers trained on `--data`, one per tokenizer and condition (models
    with the same tokenizer share theirs)."""

    def __init__(self, args):
        self.args, self.trained = args, {}

    def get(self, tokenizer, name, tokens, labels):
        import keras_seqgan as ks

        key = (json.dumps(tokenizer.get_config(), sort_keys=True, default=str), name)
        if key not in self.trained:
            self.trained[key] = ks.evaluation.train_condition_classifier(
                tokens,
                labels,
                num_classes=tokenizer.condition_sizes[name],
                vocabulary_size=tokenizer.vocabulary_size,
                epochs=self.args.classifier_epochs,
                seed=self.args.seed,
            )
        return self.trained[key]


class _LanguageModels:
    """`LMScorer`s trained on `--data`, one per tokenizer (models with the same tokenizer
    share theirs), with the figures real lines score."""

    def __init__(self, args):
        self.args, self.trained = args, {}

    def get(self, tokenizer, tokens):
        import keras_seqgan as ks

        key = json.dumps(tokenizer.get_config(), sort_keys=True, default=str)
        if key not in self.trained:
            args = self.args
            print(
                f"Training the real-data language model of --lm-score ({args.lm_epochs} "
                f"epochs, LSTM {args.lm_hidden_dim}) on {args.data}...",
                flush=True,
            )

            def progress(epoch):
                print(f"  [language model] epoch {epoch['epoch']}/{epoch['epochs']}  "
                      f"loss {epoch['loss']:.4f}", flush=True)  # fmt: skip

            scorer = ks.evaluation.LMScorer(
                tokens, vocabulary_size=tokenizer.vocabulary_size, eos_id=tokenizer.eos_id,
                max_rows=args.lm_max_rows, hidden_dim=args.lm_hidden_dim,
                epochs=args.lm_epochs, seed=args.seed, progress=progress,
            )  # fmt: skip
            print(
                f"  real held-out lines: lm_score {scorer.real_lm_score:.4f} "
                f"({scorer.settings['num_train_rows']} lines trained on, "
                f"{scorer.settings['num_held_out_rows']} held out)",
                flush=True,
            )
            self.trained[key] = scorer
        return self.trained[key]


def _score_model(path, label, args, temperatures, classifiers, loud, language_models=None):
    """One model's rows (one per temperature) and what it was scored on."""
    import numpy as np

    import keras_seqgan as ks

    generator = model_generator(path)
    tokenizer = generator.tokenizer
    names = tokenizer.condition_names
    corpus = load_corpus(args.data, args.text_column, names, args.max_lines, args.encoding)
    known = corpus.known_to(tokenizer)
    dropped = len(corpus) - len(known)
    tokens, conditions = known.tokenize(tokenizer)
    rng = np.random.default_rng(args.seed)
    picked = rng.choice(len(known), size=min(args.num_samples, len(known)), replace=False)
    if len(picked) < 2:
        raise ValueError(
            f"--data {args.data}: {len(known)} usable line(s) for {path}; Self-BLEU needs "
            "at least two generated lines, one per reference line"
        )
    wanted = {name: [known.conditions[name][i] for i in picked] for name in names}
    ids = tokenizer.encode_conditions(wanted) if names else None
    constant = {"nll": ks.evaluation.nll_gen(generator, tokens, conditions=conditions or None)}
    judges = {}
    for name in names:
        if tokenizer.condition_sizes[name] < 2:
            print(f"condition {name!r} has one value: no condition accuracy for it")
            continue
        judges[name] = classifiers.get(tokenizer, name, tokens, conditions[name])
        constant[f"condition_accuracy_{name}_real"] = judges[name].validation_accuracy
        constant[f"condition_chance_{name}"] = judges[name].chance

    scorer = language_models.get(tokenizer, tokens) if language_models else None
    if scorer is not None:
        # What real lines score, at the size of a generated set (as far as --data allows).
        reference_rows = min(len(picked), len(scorer.train_tokens))
        reference = scorer.reference_scores(reference_rows)
        constant.update({f"{key}_real": value for key, value in reference.items()})

    def extra_scores(generated, temperature):
        scores = {
            f"condition_accuracy_{name}": judge.accuracy(generated, ids[name])
            for name, judge in judges.items()
        }
        if scorer is not None:
            scores.update(scorer.scores(generated))
        return scores

    def progress(row):
        shown = [f"bleu_2 {row['bleu_2']:.4f}", f"self_bleu_2 {row['self_bleu_2']:.4f}",
                 f"ms_jaccard_2 {row['ms_jaccard_2']:.4f}"]  # fmt: skip
        shown += [f"{key} {row[key]:.4f}" for key in LM_KEYS if key in row]
        print(f"[{label} T={row['temperature']:g}] {'  '.join(shown)}", flush=True)

    settings = ks.evaluation.text_settings(tokenizer, len(known), len(picked))
    print(
        f"{label}: {path} on {args.data} ({len(known)} lines, {dropped} dropped: condition "
        f"values the model does not know); {_describe(settings)}",
        flush=True,
    )
    sweep = ks.evaluation.temperature_sweep(
        generator, known.texts, temperatures, num_samples=len(picked), conditions=ids,
        max_n=MAX_N, seed=args.seed, extra_scores=extra_scores,
        progress=progress if loud else None,
    )  # fmt: skip
    constant = {key: round(float(value), 5) for key, value in constant.items()}
    rows = [
        {"model": label, **{key: round(float(value), 5) for key, value in row.items()}, **constant}
        for row in sweep
    ]
    about = {
        "path": path, "lines": len(known), "dropped": dropped, "settings": settings,
        "not_sampled": constant,
    }  # fmt: skip
    if scorer is not None:
        about["language_model"] = {
            **scorer.settings, "reference_rows": reference_rows, "data": args.data,
            "frechet_features": "mean LSTM state of the real-data language model "
            "(offline; not comparable with published Frechet distances)",
        }  # fmt: skip
    return rows, about


def _add_margins(rows_by_model: dict, first: str) -> str | None:
    """Each other model's BLEU-n minus the first model's curve at equal Self-BLEU-n, in
    the rows as `bleu_<n>_margin`; the note saying so, or `None` with one temperature."""
    import keras_seqgan as ks

    curve = rows_by_model[first]
    if len(rows_by_model) < 2 or len(curve) < 2:
        return None
    for name, rows in rows_by_model.items():
        if name == first:
            continue
        for row in rows:
            for n in range(2, MAX_N + 1):
                row[f"bleu_{n}_margin"] = ks.evaluation.frontier_margin(
                    curve, row, x=f"self_bleu_{n}", y=f"bleu_{n}", higher_is_better=True
                )
    return (
        f"bleu_n_margin: the model's BLEU-n minus {first}'s curve at the same Self-BLEU-n "
        f"(linear between its temperatures; - outside its range): > 0 lies above {first}'s "
        "curve"
    )


def _table(rows: list[dict], columns: list[str]) -> str:
    """Fixed-width text: one line per row; `-` for a missing value."""
    width = max(len("model"), *(len(row["model"]) for row in rows))
    widths = [max(len(column), 7) for column in columns]
    lines = [
        "model".ljust(width) + "  " + "  ".join(
            column.rjust(w) for column, w in zip(columns, widths, strict=True)
        )
    ]  # fmt: skip
    for row in rows:
        cells = []
        for column, w in zip(columns, widths, strict=True):
            value = row.get(column)
            text = "-" if value is None else f"{value:g}" if column == "temperature" else (
                f"{value:+.4f}" if column.endswith("_margin") else f"{value:.4f}"
            )  # fmt: skip
            cells.append(text.rjust(w))
        lines.append(row["model"].ljust(width) + "  " + "  ".join(cells))
    return "\n".join(lines)


def _write(output: str, record: dict, rows: list[dict], curves: dict, title: str) -> None:
    """`--output`: a .json or .csv file, or a folder of both and the plot."""
    from keras_seqgan.saving import write_csv, write_text

    # The CSV states, on every row, what its figures were scored against and how.
    settings = {label: about["settings"] for label, about in record["models"].items()}
    table = [{**row, **{k: v for k, v in settings[row["model"]].items() if k != "self_bleu"}}
             for row in rows]  # fmt: skip
    extension = os.path.splitext(output)[1].lower()
    if extension == ".json":
        write_text(output, json.dumps(record, indent=2) + "\n")
        return
    if extension == ".csv":
        write_csv(output, table)
        return
    os.makedirs(output, exist_ok=True)
    write_text(os.path.join(output, "evaluate.json"), json.dumps(record, indent=2) + "\n")
    write_csv(os.path.join(output, "evaluate.csv"), table)
    from keras_seqgan.plotting import plot_quality_diversity

    pairs = [(f"self_bleu_{n}", f"bleu_{n}") for n in range(2, MAX_N + 1)]
    if all("lm_score" in row for row in rows):
        pairs.append(("reverse_lm_score", "lm_score"))
    try:
        plot = plot_quality_diversity(
            curves, os.path.join(output, PLOT_FILE), pairs=pairs, title=title,
            labels=LM_LABELS if all("lm_score" in row for row in rows) else None,
        )  # fmt: skip
    except ImportError as error:
        print(f"no plot: {error}")
    else:
        print(f"Wrote {plot}")
    print(f"Wrote {os.path.join(output, 'evaluate.json')} and evaluate.csv")


def _columns(rows: list[dict], skip) -> list[str]:
    """Every key of `rows` not in `skip`, in the order they first appear."""
    return [key for key in dict.fromkeys(k for row in rows for k in row) if key not in skip]


def run(parser: argparse.ArgumentParser, args) -> dict:
    """Scores each model on `--data` at each temperature; prints (and with `--output`
    writes) the rows."""
    paths = [args.model, *args.compare]
    labels = _labels(paths)
    temperatures = args.temperatures or (args.temperature,)
    loud = len(paths) * len(temperatures) > 1
    classifiers = _Classifiers(args)
    language_models = _LanguageModels(args) if args.lm_score else None
    rows_by_model, models = {}, {}
    for path, label in zip(paths, labels, strict=True):
        rows_by_model[label], models[label] = _score_model(
            path, label, args, temperatures, classifiers, loud, language_models
        )
    note = _add_margins(rows_by_model, labels[0])
    rows = [row for label in labels for row in rows_by_model[label]]
    not_sampled = {key for about in models.values() for key in about["not_sampled"]}
    shown = ", ".join(f"{t:g}" for t in temperatures)
    print(f"\nGenerated lines, sampled at temperature {shown} (column temperature):")
    print(_table(rows, _columns(rows, {"model", *not_sampled})))
    if note:
        print(note)
    print("\nNot sampled (the real --data lines, scored at temperature 1, and the classifier's):")
    once = [{"model": label, **about["not_sampled"]} for label, about in models.items()]
    print(_table(once, _columns(once, {"model"})))
    first = models[labels[0]]["settings"]
    record = {
        "model": args.model,
        "data": args.data,
        "temperatures": list(temperatures),
        "seed": args.seed,
        "settings": first,
        "models": models,
        "rows": rows,
    }
    if len(temperatures) == 1:  # one temperature: the first model's figures, as before
        record["scores"] = {k: v for k, v in rows[0].items() if k != "model"}
    if args.output:
        title = (
            f"{os.path.basename(args.data)}: {first['num_generated']} generated lines per "
            f"model and temperature, {first['num_references']} references, {first['casing']}"
        )
        _write(args.output, record, rows, rows_by_model, title)
    return record
