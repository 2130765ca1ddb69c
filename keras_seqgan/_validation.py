"""Argument checks for the whole package: one home, imported by every layer above it.

Every check returns the value normalized (a Python `int`/`float`) or raises a
`TypeError` (wrong kind of value) or a `ValueError` (right kind, out of range) whose
message names the argument, what was received and what is expected. This module
imports nothing from the package.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np

# One range for every seed: a random stream's int64 state. Where a consumer takes 32 bits
# (JAX's uint32 stream state, NumPy's global seed), `fold_seed` maps a seed into them.
SEED_LIMIT = 2**63


def is_int(value) -> bool:
    """Whether `value` is an integer (Python or NumPy), bools excluded."""
    return isinstance(value, Integral) and not isinstance(value, bool)


def check_int(name: str, value, minimum: int = 1) -> int:
    """An int >= `minimum` (bools refused), or a TypeError/ValueError naming `name`."""
    if not is_int(value):
        raise TypeError(
            f"`{name}` must be an int >= {minimum}. Received: {name}={value!r} "
            f"(of type {type(value).__name__})"
        )
    if value < minimum:
        raise ValueError(f"`{name}` must be an int >= {minimum}. Received: {name}={value}")
    return int(value)


def check_optional_int(name: str, value, minimum: int = 1) -> int | None:
    """`None`, or an int >= `minimum` (see `check_int`)."""
    return None if value is None else check_int(name, value, minimum)


def check_index(name: str, value, size: int, size_name: str) -> int:
    """An int in `[0, size)`, e.g. a token id below the vocabulary size."""
    if not is_int(value):
        raise TypeError(
            f"`{name}` must be an int in [0, {size_name}={size}). Received: {name}={value!r} "
            f"(of type {type(value).__name__})"
        )
    if not 0 <= value < size:
        raise ValueError(
            f"`{name}` must be an int in [0, {size_name}={size}). Received: {name}={value}"
        )
    return int(value)


def check_int_sequence(name: str, value) -> tuple[int, ...]:
    """A non-empty list or tuple of positive ints, returned as a tuple."""
    expected = f"`{name}` must be a non-empty list or tuple of positive ints. Received: {name}"
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{expected}={value!r}")
    if len(value) == 0:
        raise ValueError(f"{expected}={value!r}")
    for item in value:
        if not is_int(item) or item < 1:
            raise ValueError(
                f"Every entry of `{name}` must be a positive int. "
                f"Received: {name}={value!r} (bad entry {item!r})"
            )
    return tuple(int(item) for item in value)


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


def check_temperature(temperature, name: str = "temperature") -> float:
    """A Python temperature: a finite number > 0."""
    if isinstance(temperature, bool) or not isinstance(temperature, (Real, np.number)):
        raise TypeError(
            f"`{name}` must be a positive float. Received: {name}={temperature!r} "
            f"(of type {type(temperature).__name__})"
        )
    if not math.isfinite(float(temperature)) or temperature <= 0:
        raise ValueError(f"`{name}` must be a finite float > 0. Received: {name}={temperature}")
    return float(temperature)


def check_seed(seed, name: str = "seed") -> int | None:
    """`None` or an int in `[0, 2**63)`."""
    if seed is None:
        return None
    if not is_int(seed):
        raise TypeError(
            f"`{name}` must be None or an int in [0, 2**63). Received: {name}={seed!r} "
            f"(of type {type(seed).__name__})"
        )
    if not 0 <= seed < SEED_LIMIT:
        raise ValueError(f"`{name}` must be None or an int in [0, 2**63). Received: {name}={seed}")
    return int(seed)


def fold_seed(seed: int | None) -> int | None:
    """`seed` mapped into `[0, 2**32)`: kept as it is when it fits, else hashed.

    For consumers that hold 32 bits where `check_seed` allows 63 (JAX's uint32 stream
    state, NumPy's global seed): one seed gives one stream everywhere, and every seed
    that already fits is unchanged.
    """
    if seed is None or seed < 2**32:
        return seed
    return int(np.random.SeedSequence(seed).generate_state(1)[0])


def derive_seed(seed: int | None, index: int) -> int | None:
    """The `index`-th seed derived from `seed`, in `[0, 2**31)` (Keras's initializers take
    32-bit seeds): distinct and well mixed for each index; `None` stays `None`."""
    if seed is None:
        return None
    (word,) = np.random.SeedSequence([seed, index]).generate_state(1)
    return int(word) >> 1


def draw_seed() -> int:
    """A seed from NumPy's global generator (which `keras.utils.set_random_seed` seeds)."""
    return int(np.random.randint(0, 2**31 - 1))


def check_choice(name: str, value, choices):
    """One of `choices` (bools refused even where `1`/`0` would compare equal)."""
    if isinstance(value, bool) or value not in choices:
        raise ValueError(f"`{name}` must be one of {choices}. Received: {name}={value!r}")
    return value


def check_auto_or_bool(name: str, value):
    """`"auto"`, `True` or `False` (a `jit_compile`-like switch)."""
    if not (isinstance(value, str) and value == "auto") and not isinstance(value, bool):
        raise ValueError(f"`{name}` must be 'auto', True or False. Received: {name}={value!r}")
    return value


def check_verbose(value) -> int:
    """`verbose` must be 0 or 1."""
    if not is_int(value) or value not in (0, 1):
        raise ValueError(f"`verbose` must be 0 or 1. Received: verbose={value!r}")
    return int(value)


def check_bool(name: str, value) -> bool:
    """`True` or `False` (NumPy's bools too); anything else is a `TypeError`."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"`{name}` must be a bool. Received: {name}={value!r} (of type {type(value).__name__})"
        )
    return bool(value)
