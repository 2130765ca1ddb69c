"""`sample_from_logits`: the two-level inverse-CDF sampler draws from `softmax(logits)`.

The sampler is a deterministic function of `(logits, uniform)`: the inverse CDF of the
softmax in token order, one uniform number per row. These tests check it against a
float64 numpy reference at a prime vocabulary (17: the blocks are padded) and a large
one (5000), at default and other block sizes, and at the edges where float32 rounding
can push the inverse CDF onto a token of zero probability: `-inf` logits (first token,
last token, whole trailing blocks), probabilities that underflow at a low temperature,
and uniform numbers of exactly 0 or next to 1. Inputs are numpy arrays; the sampler runs
eagerly on the current Keras backend.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from keras import ops
from scipy import stats

from keras_seqgan.sampling import default_block_size, sample_from_logits

# 0, tiny, the backend's smallest uniform (2**-24), and the eight largest float32 below 1
# (the project's `backend.uniform` gives multiples of 2**-24, at most 1 - 2**-24).
EDGE_UNIFORMS = np.array(
    [0.0, 1e-45, np.finfo(np.float32).tiny, 2.0**-24, 1e-7, 0.5]
    + [1.0 - k * 2.0**-24 for k in range(1, 9)],
    dtype=np.float32,
)
assert EDGE_UNIFORMS[6] == np.nextafter(np.float32(1), np.float32(0))

# How far (in units of the uniform) a draw may sit outside its token's float64 CDF
# interval: float32 sums of up to 5000 terms. The largest seen here is 1.7e-6.
CDF_TOLERANCE = 1e-5


def _chunk_rows(vocabulary_size):
    """Rows per sampler call: one fixed shape per vocabulary, so that JAX's eager mode
    compiles each operation once per block size rather than once per test."""
    return 32768 if vocabulary_size < 100 else 1024


def _chunked(function, logits, *per_row):
    """`function(logits, *per_row)` over fixed-size row chunks, zero-padded at the end."""
    chunk = _chunk_rows(logits.shape[-1])
    results = []
    for start in range(0, len(logits), chunk):
        parts = [a[start : start + chunk] for a in (logits, *per_row)]
        size = len(parts[0])
        parts = [np.pad(a, [(0, chunk - size)] + [(0, 0)] * (a.ndim - 1)) for a in parts]
        results.append(np.asarray(function(*parts))[:size])
    return np.concatenate(results)


def _sample(logits, uniform, block_size=None):
    """`sample_from_logits`, eagerly, as a numpy int array."""
    return _chunked(
        lambda x, u: sample_from_logits(x, u, block_size),
        np.asarray(logits, np.float32),
        np.asarray(uniform, np.float32),
    )


def _softmax64(logits):
    """float64 softmax of float32 logits; `-inf` logits get probability exactly 0."""
    logits = np.asarray(logits, np.float64)
    p = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return p / p.sum(axis=-1, keepdims=True)


def _probabilities32(logits):
    """Unnormalized float32 probabilities as the sampler computes them, on the backend.

    A token whose probability underflows to 0 here can never be a correct draw.
    """
    return _chunked(lambda x: ops.exp(x - ops.max(x, axis=-1, keepdims=True)), logits)


class _InverseCdf:
    """The float64 reference for some logit rows, computed once and checked often."""

    def __init__(self, logits):
        self.positive = _probabilities32(logits) > 0
        p = _softmax64(logits)
        self.hi = np.cumsum(p, axis=-1)
        self.lo = self.hi - p

    def check(self, uniform, tokens, rows=None):
        """Asserts every draw has positive float32 probability and is the inverse CDF.

        Draw `i` is of reference row `rows[i]` (default: row `i`). The float64 CDF
        interval `[lo, hi)` of the drawn token must contain the uniform up to
        `CDF_TOLERANCE` (float32 rounding near a boundary).
        """
        rows = np.arange(len(tokens)) if rows is None else rows
        assert tokens.dtype == np.int32 and tokens.shape == rows.shape
        assert ((tokens >= 0) & (tokens < self.hi.shape[-1])).all()
        zero = ~self.positive[rows, tokens]
        assert not zero.any(), (
            f"{zero.sum()} draws of zero probability, e.g. token {tokens[zero][0]} for "
            f"uniform {uniform[zero][0]!r}; positive probability at "
            f"{np.flatnonzero(self.positive[rows[zero][0]])[:12]}"
        )
        u = uniform.astype(np.float64)
        lo, hi = self.lo[rows, tokens], self.hi[rows, tokens]
        outside = (u < lo - CDF_TOLERANCE) | (u > hi + CDF_TOLERANCE)
        assert not outside.any(), (
            f"{outside.sum()} draws outside their CDF interval, e.g. token "
            f"{tokens[outside][0]} for uniform {u[outside][0]!r}: interval "
            f"[{lo[outside][0]!r}, {hi[outside][0]!r})"
        )

    def mismatch(self, uniform, tokens):
        """The fraction of draws (one per row) that differ from the float64 inverse CDF."""
        u = uniform.astype(np.float64)
        exact = [np.searchsorted(hi, x, side="right") for hi, x in zip(self.hi, u, strict=True)]
        return float(np.mean(tokens != np.minimum(exact, self.hi.shape[-1] - 1)))


def _block_sizes(vocabulary_size):
    """The default block size, a single token per block, 4, and one block of everything."""
    return [None, 1, 4, vocabulary_size]


@pytest.mark.parametrize("vocabulary_size", [17, 5000])
def test_equal_logits_give_exactly_floor_of_u_times_vocabulary(vocabulary_size):
    """With equal logits every sum is an exact float32 integer, so the draw is exact.

    Guards the block/position arithmetic, the padding (V=17) and the half-open intervals
    at every block size: `u = j / 1024` makes `u * V` exact, and at V=5000 the uniforms
    m/8 land exactly on token boundaries (625 m), some of them block boundaries, which
    belong to the next token (`<=`, not `<`).
    """
    uniform = np.append(np.arange(1023) / 1024, 1 - 2.0**-24).astype(np.float32)
    logits = np.zeros((len(uniform), vocabulary_size), np.float32)
    expected = np.floor(uniform.astype(np.float64) * vocabulary_size).astype(np.int32)
    expected[-1] = vocabulary_size - 1
    for block_size in _block_sizes(vocabulary_size):
        tokens = _sample(logits, uniform, block_size)
        np.testing.assert_array_equal(tokens, expected, err_msg=f"block_size={block_size}")


@pytest.mark.parametrize(
    "vocabulary_size, temperature, num_samples",
    [(17, 0.5, 200_000), (17, 1.0, 200_000), (5000, 0.5, 16_384), (5000, 1.0, 16_384)],
)
def test_draws_follow_the_softmax_chi_squared(vocabulary_size, temperature, num_samples):
    """Chi-squared goodness of fit of the draws to `softmax(logits / temperature)`.

    One logit row (normal, std 2.5: some probabilities are tiny) repeated, with seeded
    float32 uniforms; cells expected below 5 draws are merged. Deterministic (fixed
    seeds): p is 0.34, 0.07, 0.15 and 0.78 (0.80 on JAX) here, and the draws of the
    exact float64 inverse CDF from the same uniforms give the same p (an earlier choice
    of uniforms gave p = 1.4e-4 at V=5000, T=0.5 for both: chance in the uniforms, not
    the sampler).
    V=5000 uses fewer draws (time); the inverse-CDF check is the sharper guard there.
    """
    row = np.random.default_rng(vocabulary_size).normal(0.0, 2.5, vocabulary_size)
    row = row.astype(np.float32)
    logits = np.broadcast_to(row / np.float32(temperature), (num_samples, vocabulary_size))
    uniform = np.random.default_rng(1).random(num_samples, dtype=np.float32)
    tokens = _sample(logits, uniform)
    observed = np.bincount(tokens, minlength=vocabulary_size).astype(np.float64)
    expected = num_samples * _softmax64(row.astype(np.float64) / temperature)

    small = expected < 5
    f_obs = np.append(observed[~small], observed[small].sum())
    f_exp = np.append(expected[~small], expected[small].sum())
    if f_exp[-1] < 5:  # fold a still-small merged cell into the smallest other cell
        smallest = np.argmin(f_exp[:-1])
        f_obs[smallest] += f_obs[-1]
        f_exp[smallest] += f_exp[-1]
        f_obs, f_exp = f_obs[:-1], f_exp[:-1]
    assert len(f_exp) >= 8
    result = stats.chisquare(f_obs, f_exp)
    assert result.pvalue > 1e-4, (result, len(f_exp))
    # The draws are the inverse CDF of their uniforms, up to float32 rounding.
    inverse_cdf = _InverseCdf(logits[:1])
    inverse_cdf.check(uniform, tokens, rows=np.zeros(num_samples, np.int64))
    exact = np.searchsorted(inverse_cdf.hi[0], uniform.astype(np.float64), side="right")
    assert np.mean(tokens != exact) <= 1e-3


@pytest.mark.parametrize(
    "vocabulary_size, num_rows, max_mismatch", [(17, 32768, 0.0), (5000, 1024, 0.005)]
)
def test_block_size_does_not_change_the_draws(vocabulary_size, num_rows, max_mismatch):
    """Block sizes 1, 4 and V give the default's tokens for the same uniforms.

    The two-level inverse CDF is the same function at any block size; only the order of
    the float32 additions changes, so draws may differ where a uniform lies within
    rounding of a CDF boundary, and then both are within `CDF_TOLERANCE` of the float64
    inverse CDF. Measured: none of 32,768 differ at V=17 on either backend; at V=5000
    the default draws all equal the float64 inverse CDF, and block sizes 1 / 4 / 5000
    differ from it on 1 / 0 / 0 of these 1,024 rows on TensorFlow, none on JAX (with
    2,000 rows: 7 / 2 / 7 on TensorFlow, whose cumulative sum over 5000 terms is
    sequential, and 1 / 0 / 0 on JAX); 0.005 allows a few.
    """
    rng = np.random.default_rng(7)
    logits = rng.normal(0.0, 2.5, (num_rows, vocabulary_size)).astype(np.float32)
    uniform = rng.random(num_rows, dtype=np.float32)
    assert default_block_size(vocabulary_size) not in (1, 4, vocabulary_size)
    reference = _sample(logits, uniform)
    inverse_cdf = _InverseCdf(logits[:1024])
    inverse_cdf.check(uniform[:1024], reference[:1024])
    assert inverse_cdf.mismatch(uniform[:1024], reference[:1024]) == 0.0
    for block_size in (1, 4, vocabulary_size):
        tokens = _sample(logits, uniform, block_size)
        inverse_cdf.check(uniform[:1024], tokens[:1024])
        mismatch = np.mean(tokens != reference)
        assert mismatch <= max_mismatch, (block_size, mismatch)


def _masked_rows(rng, num_rows, vocabulary_size, block_size):
    """Logit rows with most entries `-inf`, always including the last token.

    Every second row also has the first token `-inf`, every third the last two whole
    blocks, and every row keeps at least one finite logit before those.
    """
    block_size = block_size or default_block_size(vocabulary_size)
    logits = rng.normal(0.0, 3.0, (num_rows, vocabulary_size)).astype(np.float32)
    logits[rng.random(logits.shape) < 0.8] = -np.inf
    logits[:, -1] = -np.inf
    logits[::2, 0] = -np.inf
    tail = min(2 * block_size, vocabulary_size - 2)
    logits[::3, vocabulary_size - tail :] = -np.inf
    keep = rng.integers(1, vocabulary_size - tail, num_rows)
    logits[np.arange(num_rows), keep] = rng.normal(0.0, 3.0, num_rows)
    return logits


def _with_edge_uniforms(rng, num_rows, num_random=2):
    """Each of `num_rows` rows paired with every edge uniform and a few random ones.

    Returns the row of each draw and its uniform.
    """
    per_row = len(EDGE_UNIFORMS) + num_random
    uniform = rng.random((num_rows, per_row), dtype=np.float32)
    uniform[:, : len(EDGE_UNIFORMS)] = EDGE_UNIFORMS
    return np.repeat(np.arange(num_rows), per_row), uniform.ravel()


@pytest.mark.parametrize("vocabulary_size, num_rows", [(17, 2000), (5000, 64)])
def test_minus_infinity_logits_are_never_drawn(vocabulary_size, num_rows):
    """Tokens with `-inf` logits are never drawn, whatever the uniform, at any block size.

    Rows are mostly `-inf`, with the first token, the last token and whole trailing
    blocks `-inf`. Each draw must also be the inverse CDF of its uniform. Before the fix
    a uniform next to 1 could run past the last positive token onto token V-1 (`-inf`):
    the in-block cumulative sum can round below the block total, and the position was
    only clamped to the block's end (e.g. at block size V, both backends).
    """
    rng = np.random.default_rng(11)
    rows, uniform = _with_edge_uniforms(rng, num_rows)
    for block_size in _block_sizes(vocabulary_size):
        logits = _masked_rows(rng, num_rows, vocabulary_size, block_size)
        tokens = _sample(logits[rows], uniform, block_size)
        _InverseCdf(logits).check(uniform, tokens, rows)


@pytest.mark.parametrize("vocabulary_size, num_rows", [(17, 500), (5000, 28)])
def test_uniforms_at_a_cdf_boundary_before_zero_probability_tokens(vocabulary_size, num_rows):
    """Uniforms within 4 ulp of the CDF at the end of a token followed by `-inf` logits.

    Where rounding decides between that token and the next positive one, the zero-mass
    run between them must be skipped, in the middle of a row as well as at its end.
    Before the fix this drew `-inf` tokens: on TensorFlow at the default block size (the
    in-block cumulative sum rounds below the block total, or `target - before` below
    0), and on JAX at any block size: its cumulative sum over a long axis is not
    monotone, so the count of sums below the target can stop inside a zero run.
    Clamping to the last positive block/position alone does not cure the JAX case.
    """
    rng = np.random.default_rng(17)
    logits = rng.normal(0.0, 3.0, (num_rows, vocabulary_size)).astype(np.float32)
    logits[rng.random(logits.shape) < 0.9] = -np.inf
    logits[:, 0] = 0.0
    p = _softmax64(logits)
    ends = (p[:, :-1] > 0) & (p[:, 1:] == 0)  # a positive token, then a zero one
    rows = np.repeat(np.arange(num_rows), 4)
    tokens = [rng.choice(np.flatnonzero(ends[row])) for row in rows]
    boundary = np.cumsum(p, axis=-1)[rows, tokens].astype(np.float32)
    # Positive float32 values in order are consecutive int32 bit patterns.
    nudged = (boundary.view(np.int32)[:, None] + np.arange(-4, 5, dtype=np.int32)).ravel()
    uniform = nudged.view(np.float32)
    rows = np.repeat(rows, 9)[uniform < 1]
    uniform = uniform[uniform < 1]
    inverse_cdf = _InverseCdf(logits)
    for block_size in _block_sizes(vocabulary_size):
        inverse_cdf.check(uniform, _sample(logits[rows], uniform, block_size), rows)


@pytest.mark.parametrize("vocabulary_size", [17, 5000])
def test_a_single_finite_logit_is_always_drawn(vocabulary_size):
    """One finite logit and the rest `-inf`: that token, for every uniform in [0, 1).

    Positions cover the first and last token and both sides of block edges.
    """
    if vocabulary_size < 100:
        positions = np.arange(vocabulary_size)
    else:
        positions = np.array([0, 1, 3, 4, 49, 50, 51, 2500, 4949, 4950, 4995, 4998, 4999])
    logits = np.full((len(positions), vocabulary_size), -np.inf, np.float32)
    logits[np.arange(len(positions)), positions] = 1.5
    rows, uniform = _with_edge_uniforms(np.random.default_rng(5), len(positions))
    for block_size in _block_sizes(vocabulary_size):
        tokens = _sample(logits[rows], uniform, block_size)
        expected = positions[rows]
        np.testing.assert_array_equal(tokens, expected, err_msg=f"block_size={block_size}")


@pytest.mark.parametrize("vocabulary_size, num_rows", [(17, 2000), (5000, 64)])
def test_low_temperature_draws_only_tokens_of_positive_float32_probability(
    vocabulary_size, num_rows
):
    """At temperature 0.01 most probabilities underflow to 0; those are never drawn.

    The draws must be the tokens of positive float32 probability (as the sampler
    computes it) whose CDF interval holds the uniform. Before the fix, uniforms next to
    1 drew a token of zero probability at V=17, block size 17 (as with `-inf` logits),
    and a tiny uniform could too (see the hand-made case below).
    """
    rng = np.random.default_rng(13)
    row_logits = rng.normal(0.0, 2.5, (num_rows, vocabulary_size)).astype(np.float32)
    logits = row_logits / np.float32(0.01)
    rows, uniform = _with_edge_uniforms(rng, num_rows)
    inverse_cdf = _InverseCdf(logits)
    assert (~inverse_cdf.positive).mean() > 0.5
    for block_size in _block_sizes(vocabulary_size):
        inverse_cdf.check(uniform, _sample(logits[rows], uniform, block_size), rows)


@pytest.mark.parametrize("vocabulary_size", [17, 5000])
def test_a_float64_uniform_that_rounds_to_1_draws_a_last_positive_token(vocabulary_size):
    """float64 uniforms just below 1 are valid input but round to 1.0 in float32.

    Then `u * total` is the total and every block's cumulative sum is at or below it
    (up to rounding): the draw must have positive probability and a CDF interval that
    reaches 1 (within `CDF_TOLERANCE`: a token just before the last positive one when a
    sequential sum rounds above the reduced total). Before the fix the block was
    clamped to the last block, which may hold only padding or `-inf` logits, and the
    token to V-1 (`-inf` here).
    """
    rng = np.random.default_rng(19)
    for block_size in _block_sizes(vocabulary_size):
        logits = _masked_rows(rng, 64, vocabulary_size, block_size)
        uniform = np.full(64, np.nextafter(1.0, 0.0))  # float64
        assert (uniform.astype(np.float32) == 1).all()
        sample = functools.partial(sample_from_logits, block_size=block_size)
        tokens = _chunked(sample, logits, uniform)
        _InverseCdf(logits).check(uniform, tokens)


def test_target_rounding_below_a_block_start_skips_its_zero_probability_head():
    """A hand-made case of the rounding in `target - before` (V=17, blocks of 5).

    Token 4 (block 0) has probability a = 0.75 ulp(1) and token 6 (block 1) has 1; the
    rest are `-inf`. The running sum `fl(a + 1)` rounds up to `1 + ulp`, so block 1
    starts at `fl((1 + ulp) - 1) = ulp > a`. A uniform with `a <= u * total < ulp`
    selects block 1 with `target - before < 0`: the old code drew token 5 (`-inf`).
    The right draw is token 6 (u is past token 4's interval [0, a)).
    """
    logits = np.full((3, 17), -np.inf, np.float32)
    logits[:, 4] = np.log(0.75 * 2.0**-23)
    logits[:, 6] = 0.0
    uniform = np.array([0.0, 0.9 * 2.0**-23, 0.5], np.float32)
    assert default_block_size(17) == 5
    np.testing.assert_array_equal(_sample(logits, uniform), [4, 6, 6])
