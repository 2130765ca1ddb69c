"""The `keras-seqgan` command line: one module per command.

- `demo`: the whole pipeline on a synthetic oracle (`keras_seqgan.cli.demo`);
- `tune`: KerasTuner search of the adversarial stage (`keras_seqgan.cli.tune`);
- `train`, `generate`, `evaluate`: SeqGAN on the user's own text (`keras_seqgan.cli.train`,
  `keras_seqgan.cli.generate`, `keras_seqgan.cli.evaluate`).

Each command module has `add_parser(commands)`, which registers its sub-command and its
`run(parser, args)`. Nothing here imports Keras at module level, and in this command's
process `import keras_seqgan` loads nothing until `main` has parsed the arguments (see
`keras_seqgan/__init__.py` and `load_package`), so `--help` and argument errors come back
without importing Keras or TensorFlow (tests/test_cli_startup.py keeps it so).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile

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
    import keras_seqgan

    try:
        load_package()
    except keras_seqgan._MissingBackend as error:
        print(f"keras-seqgan {args.command}: error: {error}", file=sys.stderr)
        return 2
    try:
        args.run(parser, args)
    except (ValueError, FileNotFoundError) as error:
        if not args.reports_data_errors:
            raise
        # Bad data or arguments: the message names the file, line or column; no traceback.
        print(f"keras-seqgan {args.command}: error: {error}", file=sys.stderr)
        return 2
    return 0


# TensorFlow's start-up notices, which `TF_CPP_MIN_LOG_LEVEL` does not reach: they are
# logged while its libraries load, before absl's logging reads any setting
# (tensorflow/tensorflow#100442). The first line comes with every early one.
START_UP_NOTICES = (
    "All log messages before absl::InitializeLog() is called are written to STDERR",
    "oneDNN custom operations are on.",
)


def load_package() -> None:
    """Imports Keras and the package, registering its classes, before a command runs.

    Unless the user set `TF_CPP_MIN_LOG_LEVEL`, TensorFlow's C++ INFO and WARNING lines
    are hidden (level 2: errors still show), and so are its start-up notices. Only this
    command's process is affected: in a process that already imported Keras (a test
    calling `main`, a notebook) the environment and the standard error stay as they are.
    """
    import keras_seqgan

    quiet = contextlib.nullcontext()
    started = any(name in sys.modules for name in ("keras", "tensorflow"))
    if not started and "TF_CPP_MIN_LOG_LEVEL" not in os.environ:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
        quiet = _without_lines(START_UP_NOTICES)
    with quiet:
        keras_seqgan._load()


@contextlib.contextmanager
def _without_lines(unwanted: tuple[str, ...]):
    """Collects what is written to the standard error (file descriptor 2, where C++ code
    writes too) inside the block, then writes it back without the lines that contain one
    of `unwanted`."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no standard error to redirect
        yield
        return
    with tempfile.TemporaryFile() as collected:
        os.dup2(collected.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            collected.seek(0)
            lines = collected.read().decode("utf-8", "replace").splitlines(keepends=True)
            kept = [line for line in lines if not any(text in line for text in unwanted)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()
