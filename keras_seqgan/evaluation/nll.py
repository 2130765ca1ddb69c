"""Negative log-likelihood metrics: NLL-oracle (sample quality) and NLL-gen (coverage)."""

from __future__ import annotations

import functools

import numpy as np
from keras import ops

from keras_seqgan._validation import check_int, check_temperature
from keras_seqgan.data.datasets import validate_conditions, validate_tokens


def _check_sizes(model, name: str, methods: tuple[str, ...]) -> tuple[int, int]:
    missing = [key for key in ("vocabulary_size", "sequence_length") if not hasattr(model, key)]
    missing += [method for method in methods if not callable(getattr(model, method, None))]
    if missing:
        wanted = ", ".join(f"`{method}()`" for method in methods)
        raise TypeError(
            f"`{name}` must have `vocabulary_size`, `sequence_length` and {wanted}. "
            f"Received a {type(model).__name__} object lacking {missing}."
        )
    return int(model.vocabulary_size), int(model.sequence_length)


def nll_oracle(oracle, samples, *, batch_size: int = 250) -> float:
    """NLL-oracle: the oracle's mean per-token negative log-likelihood of generated samples.

    The quality figure of the SeqGAN paper's synthetic experiment: lower means the
    samples are likelier under the oracle that produced the training data. The oracle's
    own samples score its entropy rate; a lower figure than that is reachable only by
    concentrating on the oracle's likeliest sequences (less diversity), so report
    `nll_gen` beside it.

    Args:
        oracle: an `keras_seqgan.data.OracleLSTM` (or any object with `vocabulary_size`,
            `sequence_length` and `nll(tokens, batch_size=...)`).
        samples: int array-like `[N, oracle.sequence_length]` of generated token ids.
        batch_size: int. Sequences scored per call. Defaults to `250`.

    Returns:
        The mean negative log-likelihood in nats per token, a Python float.

    Example:

    ```python
    oracle = keras_seqgan.data.OracleLSTM(vocabulary_size=10, sequence_length=5, seed=1)
    samples = oracle.sample(1000, seed=2)  # or a generator's samples
    print(keras_seqgan.evaluation.nll_oracle(oracle, samples))
    ```

    Reference:
    - [Yu et al., 2017](https://arxiv.org/abs/1609.05473): SeqGAN, table 1.
    """
    vocabulary_size, sequence_length = _check_sizes(oracle, "oracle", ("nll",))
    samples = validate_tokens(
        samples, vocabulary_size=vocabulary_size, sequence_length=sequence_length, name="samples"
    )
    batch_size = check_int("batch_size", batch_size)
    return float(oracle.nll(samples, batch_size=batch_size))


def nll_gen(
    generator, tokens, *, batch_size: int = 256, temperature: float = 1.0, conditions=None
) -> float:
    """NLL-gen: a generator's mean per-token negative log-likelihood on held-out real data.

    The coverage (diversity) figure of Texygen and RelGAN: a generator that collapses onto a
    few likely sequences scores well on NLL-oracle but badly here, because it gives little
    probability to the rest of the real data. Every batch sent to the generator has
    `batch_size` rows (the last one is padded and the padding discarded), so a compiled
    `log_prob` traces once.

    Args:
        generator: an object with `vocabulary_size`, `sequence_length` and
            `log_prob(tokens)`, which maps int tokens `[B, T]` to per-token
            log-probabilities `[B, T]` under teacher forcing (such as
            `keras_seqgan.models.Generator`).
        tokens: int array-like `[N, generator.sequence_length]` of held-out real token ids.
        batch_size: int. Sequences scored per `log_prob` call. Defaults to `256`.
        temperature: float > 0. Score under `softmax(logits / temperature)`, the
            distribution the generator samples at that temperature. Defaults to `1.0`.
        conditions: `None`, or for a conditional generator a dict `{name: int ids [N]}`
            giving each held-out sequence's condition values. Defaults to `None`.

    Returns:
        The mean negative log-likelihood in nats per token, a Python float.

    Example:

    ```python
    oracle = keras_seqgan.data.OracleLSTM(vocabulary_size=10, sequence_length=5, seed=1)
    generator = keras_seqgan.models.Generator(vocabulary_size=10, sequence_length=5)
    held_out = oracle.sample(1000, seed=3)
    print(keras_seqgan.evaluation.nll_gen(generator, held_out))
    ```

    Reference:
    - [Zhu et al., 2018](https://arxiv.org/abs/1802.01886): Texygen.
    - [Nie et al., 2019](https://openreview.net/forum?id=rJedV3R5tm): RelGAN.
    """
    vocabulary_size, sequence_length = _check_sizes(generator, "generator", ("log_prob",))
    tokens = validate_tokens(
        tokens, vocabulary_size=vocabulary_size, sequence_length=sequence_length
    )
    batch_size = min(check_int("batch_size", batch_size), len(tokens))
    temperature = check_temperature(temperature)
    conditions = validate_conditions(conditions, len(tokens))
    compiled = getattr(generator, "compiled_log_prob", None)
    if callable(compiled):
        score = functools.partial(compiled, temperature=temperature)
    elif temperature != 1.0:
        score = functools.partial(generator.log_prob, temperature=temperature)
    else:
        score = generator.log_prob

    def pad(rows, size):
        if size == batch_size:
            return rows
        return np.concatenate([rows, np.repeat(rows[:1], batch_size - size, axis=0)])

    total = 0.0
    for start in range(0, len(tokens), batch_size):
        batch = tokens[start : start + batch_size]
        size = len(batch)
        batch = pad(batch, size)
        if conditions:
            ids = {
                name: ops.convert_to_tensor(pad(values[start : start + batch_size], size))
                for name, values in conditions.items()
            }
            log_probs = score(ops.convert_to_tensor(batch), conditions=ids)
        else:
            log_probs = score(ops.convert_to_tensor(batch))
        log_probs = ops.convert_to_numpy(log_probs)
        log_probs = np.asarray(log_probs)
        if log_probs.shape != batch.shape:
            raise ValueError(
                "`generator.log_prob(tokens)` must return per-token log-probabilities of the "
                f"same shape as `tokens`, {batch.shape}. Received shape {log_probs.shape}."
            )
        total += float(np.sum(log_probs[:size], dtype="float64"))
    return -total / tokens.size


def check_oracle(oracle) -> None:
    """`oracle` must be an `OracleLSTM` or have its sizes, `sample()` and `nll()`."""
    missing = [key for key in ("vocabulary_size", "sequence_length") if not hasattr(oracle, key)]
    missing += [m for m in ("sample", "nll") if not callable(getattr(oracle, m, None))]
    if missing:
        raise TypeError(
            "`oracle` must be a `keras_seqgan.data.OracleLSTM` (or have "
            "`vocabulary_size`, `sequence_length`, `sample()` and `nll()`). Received: "
            f"oracle={oracle!r} (of type {type(oracle).__name__}), lacking {missing}"
        )


def scored_generator(model, oracle, owner: str):
    """The generator to score against `oracle`: `model`, or a `SeqGAN`'s generator."""
    generator = getattr(model, "generator", model)
    missing = [m for m in ("generate", "log_prob") if not callable(getattr(generator, m, None))]
    if missing:
        raise TypeError(
            f"{owner} needs a `keras_seqgan.SeqGAN` or a `keras_seqgan.models.Generator` "
            f"(with `generate()` and `log_prob()`). Received a {type(model).__name__} "
            f"lacking {missing}."
        )
    for size in ("vocabulary_size", "sequence_length"):
        mine, theirs = getattr(generator, size, None), getattr(oracle, size)
        if mine != theirs:
            raise ValueError(
                f"The generator and the oracle disagree on `{size}`: generator.{size}="
                f"{mine}, oracle.{size}={theirs}."
            )
    return generator


def oracle_scores(generator, oracle, held_out, *, num_samples, temperature, seed) -> dict:
    """`nll_oracle` of `num_samples` samples drawn at `temperature` (from `seed + 1`),
    `nll_gen` of the `held_out` oracle samples at that temperature, and their sum.

    The arguments are checked by the callers (`OracleNLL`, `temperature_frontier`)."""
    samples = generator.generate(num_samples, temperature=temperature, seed=(seed + 1) % 2**31)
    quality = nll_oracle(oracle, samples)
    diversity = nll_gen(generator, held_out, temperature=temperature)
    return {"nll_oracle": quality, "nll_gen": diversity, "nll_sum": quality + diversity}
