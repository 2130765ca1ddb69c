"""The `keras-seqgan` command line: one module per command.

- `demo`: the whole pipeline on a synthetic oracle (`keras_seqgan.cli.demo`);
- `tune`: KerasTuner search of the adversarial stage (`keras_seqgan.cli.tune`);
- `train`, `generate`, `evaluate`: SeqGAN on the user's own text (`keras_seqgan.cli.train`,
  `keras_seqgan.cli.generate`, `keras_seqgan.cli.evaluate`).

Each command module has `add_parser(commands)`, which registers its sub-command and its
`run(parser, args)`. Keras is imported inside the functions that train, so `--help` and
argument errors come back fast.
"""

from __future__ import annotations

import argparse
import sys

from keras_seqgan.cli import demo, evaluate, generate, train, tune

COMMANDS = (demo, tune, train, generate, evaluate)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="keras-seqgan",
        description="Adversarial training of token generators (SeqGAN family) with Keras 3.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.run(parser, args)
    except (ValueError, FileNotFoundError) as error:
        if not args.reports_data_errors:
            raise
        # Bad data or arguments: the message names the file, line or column; no traceback.
        print(f"keras-seqgan {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0
