"""Argument checks and host-side printing shared by the callbacks (no classes here)."""

from __future__ import annotations

import logging
import math
import sys
from numbers import Integral, Real

import keras
import numpy as np

_LOGGER = logging.getLogger("keras_seqgan")


def check_int(name: str, value, minimum: int = 1) -> int:
    """An int >= `minimum` (bools refused), or a TypeError/ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(
            f"`{name}` must be an int >= {minimum}. Received: {name}={value!r} "
            f"(of type {type(value).__name__})"
        )
    if value < minimum:
        raise ValueError(f"`{name}` must be an int >= {minimum}. Received: {name}={value}")
    return int(value)


def check_float(
    name: str,
    value,
    *,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """A finite real number within the given bounds, or an error naming `name`."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.number)):
        raise TypeError(
            f"`{name}` must be a float. Received: {name}={value!r} (of type {type(value).__name__})"
        )
    value = float(value)
    too_low = low is not None and (value < low if low_inclusive else value <= low)
    too_high = high is not None and (value > high if high_inclusive else value >= high)
    if not math.isfinite(value) or too_low or too_high:
        left = "-inf" if low is None else f"{low:g}"
        right = "inf" if high is None else f"{high:g}"
        interval = (
            ("[" if low_inclusive and low is not None else "(")
            + f"{left}, {right}"
            + ("]" if high_inclusive and high is not None else ")")
        )
        raise ValueError(
            f"`{name}` must be a finite float in {interval}. Received: {name}={value!r}"
        )
    return value


def check_verbose(value) -> int:
    """`verbose` must be 0 or 1."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value not in (0, 1):
        raise ValueError(f"`verbose` must be 0 or 1. Received: verbose={value!r}")
    return int(value)


def check_seed(value, name: str = "seed") -> int | None:
    """`None` or an int in `[0, 2**31)`."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"`{name}` must be None or an int >= 0. Received: {name}={value!r}")
    if not 0 <= value < 2**31:
        raise ValueError(f"`{name}` must be None or an int in [0, 2**31). Received: {name}={value}")
    return int(value)


def draw_seed() -> int:
    """A seed from NumPy's global generator (which `keras.utils.set_random_seed` seeds)."""
    return int(np.random.randint(0, 2**31 - 1))


def to_float(value) -> float:
    """A Python float from a scalar variable or tensor (one host read)."""
    return float(np.asarray(keras.ops.convert_to_numpy(value)))


def print_message(message: str) -> None:
    """Prints on the host like Keras does: stdout, or the log when interactive logging is off."""
    if keras.config.is_interactive_logging_enabled():
        sys.stdout.write(message + "\n")
        sys.stdout.flush()
    else:
        _LOGGER.info(message)


def format_value(value) -> str:
    """Formats a log value the way Keras's progress bar does (4 decimals, or scientific)."""
    if isinstance(value, bool) or not isinstance(value, (Real, np.number)):
        return str(value)
    value = float(value)
    if not math.isfinite(value):
        return str(value)
    if value == 0.0 or abs(value) > 1e-3:
        return f"{value:.4f}"
    return f"{value:.4e}"
