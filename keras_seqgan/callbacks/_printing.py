"""Host-side reading and printing of values, shared by the callbacks."""

from __future__ import annotations

import logging
import math
import sys
from numbers import Real

import keras
import numpy as np

_LOGGER = logging.getLogger("keras_seqgan")


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
