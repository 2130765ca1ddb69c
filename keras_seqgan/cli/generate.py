"""`keras-seqgan generate`: text from a model saved by `keras-seqgan train`."""

from __future__ import annotations

import argparse

from keras_seqgan.cli._arguments import DefaultsHelpFormatter, name_value, positive, positive_float
from keras_seqgan.cli._text import generate_lines, model_generator


def add_parser(commands) -> None:
    """Registers `keras-seqgan generate`."""
    generate = commands.add_parser(
        "generate",
        help="generate text from a model saved by `keras-seqgan train`",
        formatter_class=DefaultsHelpFormatter,
    )
    generate.set_defaults(run=run, reports_data_errors=True)
    generate.add_argument("model", help="a .keras file (SeqGAN or Generator) with a tokenizer")
    generate.add_argument(
        "-n", "--num-samples", type=positive, default=5, metavar="N", help="lines to generate"
    )
    generate.add_argument(
        "--condition", action="append", default=[], type=name_value, metavar="NAME=VALUE",
        help="the condition to generate for, e.g. --condition character=HAMLET (repeatable; "
        "every condition of a conditional model is needed)",
    )  # fmt: skip
    generate.add_argument(
        "--temperature", type=positive_float, default=1.0, metavar="T",
        help="sampling temperature: below 1 safer lines, above 1 more varied ones",
    )  # fmt: skip
    generate.add_argument(
        "--seed", type=int, default=None, metavar="N",
        help="seed of the sampling, for the same lines again (default: a new draw each run)",
    )  # fmt: skip


def run(parser: argparse.ArgumentParser, args) -> list[str]:
    """Prints `--num-samples` lines for `--condition`."""
    generator = model_generator(args.model)
    lines = generate_lines(
        generator,
        args.num_samples,
        dict(args.condition),
        temperature=args.temperature,
        seed=args.seed,
    )
    for line in lines:
        print(line)
    return lines
