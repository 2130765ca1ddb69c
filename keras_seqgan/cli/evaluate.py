"""`keras-seqgan evaluate`: BLEU, Self-BLEU, NLL and condition accuracy of a saved model."""

from __future__ import annotations

import argparse
import json

from keras_seqgan.cli._arguments import DefaultsHelpFormatter, positive, positive_float
from keras_seqgan.cli._text import generate_tokens, load_corpus, model_generator, text_scores


def add_parser(commands) -> None:
    """Registers `keras-seqgan evaluate`."""
    evaluate = commands.add_parser(
        "evaluate",
        help="BLEU, self-BLEU, NLL and condition accuracy of a saved model on a text set",
        formatter_class=DefaultsHelpFormatter,
    )
    evaluate.set_defaults(run=run, reports_data_errors=True)
    evaluate.add_argument("model", help="a .keras file (SeqGAN or Generator) with a tokenizer")
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
        help="generated lines scored (at most one per reference line)",
    )  # fmt: skip
    evaluate.add_argument(
        "--temperature", type=positive_float, default=1.0, metavar="T",
        help="sampling temperature of the generated lines",
    )  # fmt: skip
    evaluate.add_argument(
        "--classifier-epochs", type=positive, default=5, metavar="N",
        help="epochs of the condition classifier trained on --data",
    )  # fmt: skip
    evaluate.add_argument(
        "--seed", type=int, default=66, metavar="N",
        help="seed of the sampling, the choice of reference lines and the classifier",
    )  # fmt: skip
    evaluate.add_argument(
        "--output", default=None, metavar="FILE",
        help="also write the figures to this JSON file (default: printed only)",
    )  # fmt: skip


def run(parser: argparse.ArgumentParser, args) -> dict:
    """Scores the model on `--data` and prints (and with `--output` writes) the figures."""
    import numpy as np

    import keras_seqgan as ks
    from keras_seqgan.saving import write_text

    generator = model_generator(args.model)
    tokenizer = generator.tokenizer
    names = tokenizer.condition_names
    corpus = load_corpus(args.data, args.text_column, names, args.max_lines, args.encoding)
    known = corpus.known_to(tokenizer)
    corpus, dropped = known, len(corpus) - len(known)
    tokens, conditions = corpus.tokenize(tokenizer)
    rng = np.random.default_rng(args.seed)
    rows = rng.choice(len(corpus), size=min(args.num_samples, len(corpus)), replace=False)
    wanted = {name: [corpus.conditions[name][i] for i in rows] for name in names}
    generated = generate_tokens(generator, len(rows), wanted, args.temperature, args.seed)
    scores = text_scores(
        generator, generated, corpus.texts, tokens, conditions or None, "nll", args.seed
    )
    for name in names:
        if tokenizer.condition_sizes[name] < 2:
            print(f"condition {name!r} has one value: no condition accuracy for it")
            continue
        classifier = ks.evaluation.train_condition_classifier(
            tokens,
            conditions[name],
            num_classes=tokenizer.condition_sizes[name],
            vocabulary_size=tokenizer.vocabulary_size,
            epochs=args.classifier_epochs,
            seed=args.seed,
        )
        labels = tokenizer.encode_conditions({name: wanted[name]})[name]
        scores[f"condition_accuracy_{name}"] = round(classifier.accuracy(generated, labels), 5)
        scores[f"condition_accuracy_{name}_real"] = round(classifier.validation_accuracy, 5)
        scores[f"condition_chance_{name}"] = round(classifier.chance, 5)
    print(
        f"{args.model} on {args.data} ({len(corpus)} lines, {dropped} dropped: condition "
        f"values the model does not know); {len(rows)} generated lines at temperature "
        f"{args.temperature:g}"
    )
    width = max(len(key) for key in scores)
    for key, value in scores.items():
        print(f"{key:<{width}}  {value:.4f}")
    if args.output:
        record = {"model": args.model, "data": args.data, "scores": scores}
        write_text(args.output, json.dumps(record, indent=2) + "\n")
    return scores
