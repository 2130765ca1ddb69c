"""The quality-diversity frontier of a generator sampled at several temperatures.

Sampling an MLE model colder lowers NLL-oracle (quality) and raises NLL-gen (diversity
lost); a temperature knob therefore buys some of what adversarial training is credited
with (Caccia et al., 2020). A trained model beats maximum likelihood only if its point lies
below that frontier at the same NLL-gen: `frontier_margin` says by how much.
"""

from __future__ import annotations

import itertools
import math
from numbers import Real

from keras_seqgan._validation import check_int, check_seed, draw_seed
from keras_seqgan.data.datasets import validate_tokens
from keras_seqgan.evaluation.nll import check_oracle, oracle_scores, scored_generator

# Colder than 1.0 mostly: adversarial training sharpens (NLL-gen up, NLL-oracle down).
DEFAULT_TEMPERATURES = (0.7, 0.8, 0.9, 1.0, 1.1)


def check_temperatures(temperatures) -> tuple[float, ...]:
    """A non-empty sequence of finite numbers > 0, as a tuple of floats (order kept)."""
    if not isinstance(temperatures, str):
        temperatures = tuple(temperatures)
    if (
        isinstance(temperatures, str)
        or not temperatures
        or not all(
            isinstance(t, Real) and not isinstance(t, bool) and math.isfinite(t) and t > 0
            for t in temperatures
        )
    ):
        raise ValueError(
            "`temperatures` must be a non-empty sequence of numbers > 0. "
            f"Received: temperatures={temperatures!r}"
        )
    return tuple(float(t) for t in temperatures)


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
    temperatures = check_temperatures(temperatures)
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


def frontier_margin(
    frontier,
    point,
    *,
    x: str = "nll_gen",
    y: str = "nll_oracle",
    higher_is_better: bool = False,
) -> float | None:
    """How far `point` beats the frontier at its own `x` (> 0: better than the frontier).

    The frontier is the piecewise-linear curve through its points in temperature order
    (ordered by `x` when they have no `"temperature"`). Where that curve passes the point's
    `x` more than once, the best of its values there counts: a sweep's NLL-gen is lowest at
    some temperature and rises on both sides of it, and a curve through its points ordered
    by NLL-gen alone would zigzag between those two branches. With
    the defaults it is the oracle's NLL frontier (`temperature_frontier`): the margin is
    in nats, the frontier's NLL-oracle at the point's NLL-gen minus the point's. On text,
    `x="self_bleu_2", y="bleu_2", higher_is_better=True` places a model against another
    model's `temperature_sweep` at equal Self-BLEU-2: its BLEU-2 minus the curve's.

    Args:
        frontier: a sequence of mappings with `x` and `y` values (e.g. what
            `temperature_frontier` or `temperature_sweep` returns), at least two.
        point: a mapping with `x` and `y` values (e.g. a trained model's).
        x: str. The key of the coordinate the frontier is read at. Defaults to
            `"nll_gen"`.
        y: str. The key of the figure compared. Defaults to `"nll_oracle"`.
        higher_is_better: bool. `True` when a higher `y` is better (BLEU): the margin is
            then the point's `y` minus the frontier's. Defaults to `False` (NLL).

    Returns:
        The margin, rounded to 5 decimals; `None` when the point's `x` lies outside the
        frontier's range (it is not extrapolated).

    Example:

    ```python
    mle = [{"self_bleu_2": 0.6, "bleu_2": 0.7}, {"self_bleu_2": 0.8, "bleu_2": 0.8}]
    gan = {"self_bleu_2": 0.7, "bleu_2": 0.77}
    keras_seqgan.evaluation.frontier_margin(
        mle, gan, x="self_bleu_2", y="bleu_2", higher_is_better=True
    )  # 0.02: 0.77 against the curve's 0.75 at Self-BLEU-2 0.7
    ```
    """
    if len(frontier) < 2:
        raise ValueError(
            f"`frontier` must have at least 2 points. Received {len(frontier)} point(s)."
        )
    if all("temperature" in p for p in frontier):
        frontier = sorted(frontier, key=lambda p: float(p["temperature"]))
    else:
        frontier = sorted(frontier, key=lambda p: float(p[x]))
    sign = -1.0 if higher_is_better else 1.0  # `sign * y`: lower is better
    xs = [float(p[x]) for p in frontier]
    ys = [sign * float(p[y]) for p in frontier]
    at = float(point[x])
    # The curve's value at `at` on every segment that spans it.
    values = [
        min(y0, y1) if x0 == x1 else y0 + (at - x0) / (x1 - x0) * (y1 - y0)
        for (x0, y0), (x1, y1) in itertools.pairwise(zip(xs, ys, strict=True))
        if min(x0, x1) <= at <= max(x0, x1)
    ]
    if not values:
        return None
    return round(min(values) - sign * float(point[y]), 5)
