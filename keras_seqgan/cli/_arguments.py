"""Argument types of the `keras-seqgan` commands: each refuses a bad value with a message
that says what it expected. Also the help formatter and the progress output they share."""

from __future__ import annotations

import argparse
import math
import sys


class DefaultsHelpFormatter(argparse.HelpFormatter):
    """Ends an option's help with "(default: X)", where X says something.

    Not for a flag (its help says what it changes: `--quiet`'s "(default: False)", or
    `--no-annealing`'s "(default: True)", which reads as "annealing off"), a required
    option, a default of None or [] (the help says what happens without the option), nor a
    help that already names its default.
    """

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if (
            "default" in text
            or not action.option_strings
            or action.required
            or action.nargs == 0
            or action.default is None
            or action.default == []
            or action.default is argparse.SUPPRESS
        ):
            return text
        return f"{text} (default: %(default)s)"


def progress_verbosity(quiet: bool) -> int:
    """Keras's `fit(verbose=...)` for a command: `0` with `--quiet`; else progress bars
    (`1`) when the output is a terminal, one line per epoch (`2`) when it is a file or a
    pipe (bars there are carriage-return redraws)."""
    if quiet:
        return 0
    isatty = getattr(sys.stdout, "isatty", None)
    return 1 if isatty is not None and isatty() else 2


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text}")
    return value


def decay(text: str) -> float:
    value = positive_float(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {text}")
    return value


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return -1.0


def share(text: str) -> float:
    value = _number(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be a number in [0, 1), got {text}")
    return value


def fraction(text: str) -> float:
    value = _number(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1), got {text}")
    return value


def name_value(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value.strip()


def name_count(text: str) -> tuple[str, int]:
    name, value = name_value(text)
    try:
        count = int(value)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"expected NAME=N with N >= 1, got {text!r}")
    return name, count
