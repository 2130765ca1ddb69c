"""The quality-diversity frontier of a generator sampled at several temperatures.

Sampling an MLE model colder lowers NLL-oracle (quality) and raises NLL-gen (diversity
lost); a temperature knob therefore buys some of what adversarial training is credited
with (Caccia et al., 2020). A trained model beats maximum likelihood only if its point lies
below that frontier at the same NLL-gen: `frontier_margin` says by how much.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from keras_seqgan._validation import check_int, check_seed, draw_seed
from keras_seqgan.data.datasets import validate_tokens
from keras_seqgan.evaluation.nll import check_oracle, oracle_scores, scored_generator

# Colder than 1.0 mostly: adversarial training sharpens (NLL-gen up, NLL-oracle down).
DEFAULT_TEMPERATURES = (0.7, 0.8, 0.9, 1.0, 1.1)


def temperature_frontier(
    generator,
    oracle,
    held_out,
    temperatures=DEFAULT_TEMPERATURES,
    num_samples: int = 2000,
    seed: int | None = None,
) -> list[dict]:
    """NLL-oracle and NLL-gen of `generator` sampled at each of `temperatures`.

    Each point is what `keras_seqgan.callbacks.OracleNLL(oracle, num_samples,
    temperature=t, held_out=held_out, seed=seed).evaluate(generator)` returns (with the
    same `seed`, the point at 1.0 equals that callback's figures at 1.0).

    Args:
        generator: a `keras_seqgan.models.Generator`.
        oracle: the `keras_seqgan.data.OracleLSTM` that made the data.
        held_out: int tokens `[N, T]` or `None`. Held-out oracle samples for NLL-gen
            (not the training data); `None`: `num_samples` oracle samples drawn with
            `seed`, as `OracleNLL` does.
        temperatures: the sampling temperatures, each > 0. Defaults to
            `(0.7, 0.8, 0.9, 1.0, 1.1)`.
        num_samples: int. Samples scored by the oracle at each temperature.
        seed: int or `None`. The seed of every temperature's samples (the same noise at
            each). Defaults to `None`: one seed drawn from NumPy's global generator.

    Returns:
        A list of `{"temperature", "nll_oracle", "nll_gen"}`, in the given order.
    """
    if not isinstance(temperatures, str):
        temperatures = tuple(temperatures)
    if (
        isinstance(temperatures, str)
        or not temperatures
        or not all(isinstance(t, Real) and not isinstance(t, bool) and t > 0 for t in temperatures)
    ):
        raise ValueError(
            "`temperatures` must be a non-empty sequence of numbers > 0. "
            f"Received: temperatures={temperatures!r}"
        )
    check_oracle(oracle)
    generator = scored_generator(generator, oracle, "temperature_frontier")
    num_samples = check_int("num_samples", num_samples)
    seed = check_seed(seed)
    seed = draw_seed() if seed is None else seed
    if held_out is None:
        held_out = oracle.sample(num_samples, seed=seed)
    else:
        held_out = validate_tokens(
            held_out, vocabulary_size=int(oracle.vocabulary_size),
            sequence_length=int(oracle.sequence_length), name="held_out",
        )  # fmt: skip
    points = []
    for temperature in temperatures:
        values = oracle_scores(
            generator, oracle, held_out, num_samples=num_samples,
            temperature=float(temperature), seed=seed,
        )  # fmt: skip
        points.append(
            {
                "temperature": float(temperature),
                "nll_oracle": float(values["nll_oracle"]),
                "nll_gen": float(values["nll_gen"]),
            }
        )
    return points


def frontier_margin(frontier, point) -> float | None:
    """How far `point` lies below the frontier at its NLL-gen, in nats (> 0: better).

    The frontier is the piecewise-linear curve through its points, ordered by NLL-gen.

    Args:
        frontier: a sequence of mappings with `"nll_gen"` and `"nll_oracle"` (e.g. what
            `temperature_frontier` returns), at least two.
        point: a mapping with `"nll_gen"` and `"nll_oracle"` (e.g. a trained model's).

    Returns:
        The frontier's NLL-oracle at the point's NLL-gen minus the point's NLL-oracle,
        rounded to 5 decimals; `None` when the point's NLL-gen lies outside the
        frontier's range (it is not extrapolated).
    """
    if len(frontier) < 2:
        raise ValueError(
            f"`frontier` must have at least 2 points. Received {len(frontier)} point(s)."
        )
    xs = np.array([float(p["nll_gen"]) for p in frontier])
    ys = np.array([float(p["nll_oracle"]) for p in frontier])
    order = np.argsort(xs)
    xs, ys = xs[order], ys[order]
    x = float(point["nll_gen"])
    if not xs[0] <= x <= xs[-1]:
        return None
    return round(float(np.interp(x, xs, ys) - float(point["nll_oracle"])), 5)
