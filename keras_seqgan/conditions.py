"""Conditions: the `{name: number_of_values}` spec, and inputs that carry condition ids.

A conditional model takes the dict `{"tokens": int [B, T], name: int ids [B], ...}`;
this module checks specs and ids, splits such inputs and builds them. It imports
nothing from the package.
"""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np

TOKENS_KEY = "tokens"


def check_conditions(conditions, name: str = "conditions") -> dict[str, int] | None:
    """Validates a conditions spec: `None` or a dict `{name: number_of_values}`.

    Names must be non-empty str identifiers other than `"tokens"` (the key of the token
    sequences in a dict input); sizes ints >= 1. The dict's order is kept: it fixes the
    order in which the condition embeddings are concatenated.
    """
    if conditions is None:
        return None
    expected = (
        "None (or {}) or a dict {condition_name: number_of_values}, "
        "e.g. {'character': 30, 'scene': 120}"
    )
    if not isinstance(conditions, Mapping):
        raise TypeError(
            f"`{name}` must be {expected}. Received: {name}={conditions!r} "
            f"(of type {type(conditions).__name__})"
        )
    if not conditions:
        return None  # {}, e.g. an unconditional tokenizer's `condition_sizes`: no conditions
    checked = {}
    for key, size in conditions.items():
        check_condition_name(key, conditions, name)
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(
                f"Every size in `{name}` must be an int >= 1 (the number of values of that "
                f"condition). Received: {name}={dict(conditions)!r} (bad size {key!r}: {size!r})"
            )
        checked[key] = int(size)
    return checked


def check_condition_name(key, conditions, name: str) -> None:
    """A condition name is a str identifier other than `"tokens"` (the sequences' key)."""
    if not isinstance(key, str) or not key.isidentifier() or key == TOKENS_KEY:
        raise ValueError(
            f"Every name in `{name}` must be a non-empty str that is a valid Python "
            f"identifier, other than {TOKENS_KEY!r}. Received names {list(conditions)} "
            f"(bad name {key!r})."
        )


def split_inputs(inputs, conditions: dict[str, int] | None, owner: str):
    """Splits a model input into `(tokens, condition ids dict or None)`, checking names.

    `inputs` is a token tensor or a dict `{"tokens": ..., <condition name>: ids [B]}`.
    A conditional model must get exactly its condition names; an unconditional one takes
    a plain tensor or `{"tokens": ...}`. Errors are `ValueError`s raised at trace time.
    """
    if isinstance(inputs, Mapping):
        if TOKENS_KEY not in inputs:
            raise ValueError(
                f"A dict input to the {owner} must hold the token sequences under "
                f"{TOKENS_KEY!r}. Received keys {sorted(inputs)}."
            )
        given = {key: value for key, value in inputs.items() if key != TOKENS_KEY}
        tokens = inputs[TOKENS_KEY]
    else:
        given, tokens = {}, inputs
    expected = list(conditions or ())
    if sorted(given) != sorted(expected):
        if not expected:
            raise ValueError(
                f"The {owner} is unconditional (conditions=None), but its input carries "
                f"conditions {sorted(given)}. Pass the tokens alone."
            )
        missing = [key for key in expected if key not in given]
        extra = [key for key in given if key not in expected]
        layout = ", ".join(f"{key!r}: ids [B]" for key in expected)
        raise ValueError(
            f"The {owner} was built with conditions={dict(conditions)}, so its input must be "
            f"a dict {{{TOKENS_KEY!r}: tokens, {layout}}}. Received condition names "
            f"{sorted(given)} (missing: {missing}, unexpected: {extra})."
        )
    if not expected:
        return tokens, None
    return tokens, {key: given[key] for key in expected}


def check_condition_names(given, conditions: dict[str, int] | None, owner: str) -> None:
    """Checks that the condition ids `given` (a dict or `None`) match a model's `conditions`."""
    if conditions is None:
        if given:
            raise ValueError(
                f"The {owner} is unconditional (conditions=None); `conditions` must be None. "
                f"Received condition names {sorted(given)}."
            )
        return
    if not isinstance(given, Mapping) or sorted(given) != sorted(conditions):
        received = None if given is None else sorted(given) if isinstance(given, Mapping) else given
        raise ValueError(
            f"The {owner} was built with conditions={dict(conditions)}: pass `conditions`, a "
            f"dict of int ids [B] with exactly the names {list(conditions)}. Received: "
            f"{received!r}."
        )


def check_condition_values(
    conditions, sizes: dict[str, int] | None, num_rows: int, name: str = "conditions"
) -> dict[str, np.ndarray] | None:
    """Host-side check of condition ids for `num_rows` sequences; returns int32 arrays.

    Each value is an int (the same for every row) or an int array-like of length
    `num_rows`; every id must be in `[0, size)`. Errors name the condition, the bad value
    and the valid range.
    """
    if sizes is None:
        if conditions is not None:
            raise ValueError(
                f"This generator is unconditional (conditions=None), so `{name}` must be None. "
                f"Received: {name}={conditions!r}"
            )
        return None
    if not isinstance(conditions, Mapping):
        raise ValueError(
            f"This generator was built with conditions={sizes}: pass `{name}`, a dict with one "
            "int or int array per condition, e.g. "
            + "{"
            + ", ".join(f"{key!r}: 0" for key in sizes)
            + f"}}. Received: {name}={conditions!r}"
        )
    missing = [key for key in sizes if key not in conditions]
    extra = [key for key in conditions if key not in sizes]
    if missing or extra:
        raise ValueError(
            f"`{name}` must have exactly the generator's condition names {list(sizes)}. "
            f"Received names {list(conditions)} (missing: {missing}, unexpected: {extra})."
        )
    return {
        key: condition_ids(conditions[key], key, num_rows, name, size=size, scalar=True)
        for key, size in sizes.items()
    }


_INT32_MAX = np.iinfo("int32").max


def condition_ids(
    value,
    key: str,
    num_rows: int,
    name: str,
    *,
    size: int | None = None,
    scalar: bool = False,
    where: str = "",
) -> np.ndarray:
    """One condition's ids for `num_rows` sequences, checked on the host: an int32 array.

    `value` is an int array-like (or tensor) of shape `[num_rows]`, or with `scalar`, one
    int for every row. The ids must be in `[0, size)`, or, without `size` (a model's
    sizes not known yet), non-negative and within int32. Errors name `name[key]`, what
    was received and what is expected (`where`, e.g. `" in its first batch"`, says where
    the ids were found).
    """
    label = f"`{name}[{key!r}]`"
    if keras.ops.is_tensor(value):
        value = keras.ops.convert_to_numpy(value)
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"{label} must be an integer array of {num_rows} condition ids; could not convert "
            f"a {type(value).__name__} to an array: {error}"
        ) from error
    shape = f"shape ({num_rows},): one id per sequence" + (", or one int" if scalar else "")
    if array.dtype == np.bool_ or not np.issubdtype(array.dtype, np.integer):
        raise TypeError(
            f"{label} must hold integer condition ids ({shape}). Received dtype "
            f"{array.dtype} (shape {array.shape})."
        )
    if scalar and array.ndim == 0:
        array = np.full((num_rows,), array, dtype=array.dtype)
    if array.shape != (num_rows,):
        raise ValueError(f"{label} must have {shape}. Received shape {array.shape}.")
    high = _INT32_MAX + 1 if size is None else size
    bad = (array < 0) | (array >= high)
    if bad.any():
        expected = (
            "non-negative ids that fit in int32"
            if size is None
            else f"ids in [0, {size}) (condition {key!r} has {size} values)"
        )
        raise ValueError(
            f"{label} has an id out of range for condition {key!r}{where}: found "
            f"{int(array[bad][0])}; expected {expected}."
        )
    return np.ascontiguousarray(array, dtype="int32")


def with_conditions(tokens, conditions):
    """A model's input: `tokens`, or the dict `{"tokens": tokens, **conditions}`."""
    return tokens if conditions is None else {TOKENS_KEY: tokens, **conditions}
