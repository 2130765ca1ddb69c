"""The generator's host-side generation: the loop of compiled sampling calls behind
`Generator.generate`, and the encoding of text conditions for `Generator.generate_text`.
The network itself is in `generator.py`."""

from __future__ import annotations

from collections.abc import Mapping

import keras
import numpy as np
from keras import ops

from keras_seqgan import backend
from keras_seqgan._validation import fold_seed


def sample_in_batches(
    generator, num_samples, temperature, seed, batch_size, jit_compile, conditions=None
):
    """Host loop of compiled sampling calls, with a seed stream reset from `seed`.

    `conditions` (checked int32 arrays `[num_samples]`, or `None`) are fed slice by
    slice; the last, partial batch is padded with id 0 and its extra rows dropped.
    """
    cache = generator.__dict__.setdefault("_generate_cache", {})
    key = (batch_size, bool(jit_compile))
    if key not in cache:
        stream = generator.__dict__.get("_generate_stream")
        if stream is None:
            stream = keras.random.SeedGenerator(fold_seed(generator.seed), name="generate_seed")
            generator.__dict__["_generate_stream"] = stream

        def sample_batch(temperature, conditions=None):
            return generator.sample(
                batch_size, temperature=temperature, seed=stream, conditions=conditions
            )

        cache[key] = backend.compile_function(
            sample_batch, jit_compile=jit_compile, state=[*generator.variables, stream.state]
        )
    stream = generator.__dict__["_generate_stream"]
    if seed is not None:
        stream.state.assign(np.array([fold_seed(seed), 0], dtype=stream.state.dtype))
    temperature_tensor = ops.convert_to_tensor(temperature, dtype="float32")
    batches = []
    for index in range(-(-num_samples // batch_size)):
        if conditions is None:
            batches.append(np.asarray(cache[key](temperature_tensor)))
            continue
        start = index * batch_size
        ids = {}
        for name, values in conditions.items():
            part = values[start : start + batch_size]
            ids[name] = ops.convert_to_tensor(
                np.pad(part, (0, batch_size - len(part))), dtype="int32"
            )
        batches.append(np.asarray(cache[key](temperature_tensor, ids)))
    return np.concatenate(batches, axis=0)[:num_samples].astype("int32")


def text_condition_ids(generator, conditions, num_samples: int):
    """`generate_text`'s conditions (names and values as in training) as the id arrays
    `generate` takes, `[num_samples]` each, or `None` for an unconditional generator."""
    names, given = list(generator.conditions or ()), list(conditions or ())
    if sorted(names) != sorted(given):
        example = ", ".join(
            f"{name!r}: {generator.tokenizer.condition_values(name)[0]!r}" for name in names
        )
        raise ValueError(
            f"`conditions` must give a value for each of the generator's conditions "
            f"{names or '(none: it is unconditional)'}"
            + (f", as seen in training, e.g. {{{example}}}" if names else "")
            + f". Received names {given}."
        )
    ids = None
    if conditions:
        if not isinstance(conditions, Mapping):
            raise TypeError(
                "`conditions` must be None or a dict {name: value or list of values}. "
                f"Received: {type(conditions).__name__}"
            )
        encoded = generator.tokenizer.encode_conditions(dict(conditions))
        ids = {}
        for name, values in encoded.items():
            values = np.asarray(values, "int32")
            if values.ndim == 1 and len(values) != num_samples:
                raise ValueError(
                    f"`conditions[{name!r}]` must be one value or a list of num_samples="
                    f"{num_samples} values. Received {len(values)} values."
                )
            ids[name] = np.broadcast_to(values, (num_samples,))
    return ids
