"""Fast exact categorical sampling from logits, in `keras.ops`.

`tf.random.categorical` draws one random number per logit, which is slow under XLA on
CPU, and an inverse CDF over the whole vocabulary needs a long `cumsum`. The two-level
inverse CDF here uses one uniform number per row: it picks a block of `block_size`
tokens by a cumulative sum over the block totals, then a token by a cumulative sum
inside that block. It draws from exactly the softmax distribution (up to float
rounding) and is the fastest exact sampler we measured in graph mode and under XLA
(see `benchmarks/`).
"""

from __future__ import annotations

import math

from keras import ops


def default_block_size(vocabulary_size: int) -> int:
    """Block size for the two-level sampler: about sqrt(vocabulary).

    A divisor of the vocabulary size within a factor of 2 of its square root is
    preferred (no padding copy); otherwise `ceil(sqrt(vocabulary_size))`.
    """
    root = math.sqrt(vocabulary_size)
    divisors = [
        d for d in range(max(1, int(root / 2)), int(2 * root) + 1) if vocabulary_size % d == 0
    ]
    if divisors:
        return min(divisors, key=lambda d: abs(d - root))
    return max(1, int(math.ceil(root)))


def sample_from_logits(logits, uniform, block_size: int | None = None):
    """Samples one token per row of `logits` from `softmax(logits)`.

    Args:
        logits: float tensor `[rows, vocabulary]`. Divide by the temperature first.
        uniform: float tensor `[rows]` of independent uniform numbers in `[0, 1)`.
        block_size: int or `None`. Tokens per block of the two-level inverse CDF.
            Defaults to `default_block_size(vocabulary)` (about its square root).

    Returns:
        int32 tensor `[rows]` of token ids in `[0, vocabulary)`.
    """
    vocabulary_size = logits.shape[-1]
    if vocabulary_size is None:
        raise ValueError("`logits` must have a static last dimension (the vocabulary size).")
    if block_size is None:
        block_size = default_block_size(vocabulary_size)
    num_blocks = -(-vocabulary_size // block_size)
    padding = num_blocks * block_size - vocabulary_size

    logits = ops.cast(logits, "float32")
    probs = ops.exp(logits - ops.max(logits, axis=-1, keepdims=True))
    if padding:
        probs = ops.pad(probs, [[0, 0], [0, padding]])
    blocks = ops.reshape(probs, (-1, num_blocks, block_size))
    block_sums = ops.sum(blocks, axis=-1)  # [rows, num_blocks]
    block_cumsum = ops.cumsum(block_sums, axis=-1)
    target = ops.cast(uniform, "float32") * block_cumsum[:, -1]  # [rows]

    # The chosen block is the first whose cumulative sum exceeds the target.
    block = ops.sum(ops.cast(block_cumsum <= target[:, None], "int32"), axis=-1)
    block = _first_positive_from(block, block_sums)
    # Gather one block per row through a flat index: `take_along_axis` on TensorFlow
    # materializes broadcast indices and costs ~100x more here.
    flat_index = ops.arange(ops.shape(block)[0], dtype="int32") * num_blocks + block
    chosen = ops.take(ops.reshape(blocks, (-1, block_size)), flat_index, axis=0)
    before = ops.take(ops.reshape(block_cumsum - block_sums, (-1,)), flat_index, axis=0)
    inner_cumsum = ops.cumsum(chosen, axis=-1)
    position = ops.sum(ops.cast(inner_cumsum <= (target - before)[:, None], "int32"), axis=-1)
    position = _first_positive_from(position, chosen)
    token = block * block_size + position
    return ops.minimum(token, vocabulary_size - 1)


def _first_positive_from(index, mass):
    """The first entry at or after `index` with positive `mass`, else the last such entry.

    `index` `[rows]` is a count of cumulative sums at or below the target, which is the
    inverse-CDF pick when the sums are exact. Float rounding can move it onto an entry of
    zero probability: past the end (a target at the rounded total, or a sum computed in
    another order than the cumulative sum), onto padding or `-inf` logits, to the start
    of a block whose zero-mass head it should skip (`target - before` rounded below 0),
    or onto a zero run inside the row (JAX's cumulative sum on CPU is not monotone over
    long rows).
    An index already on positive mass is kept, so ordinary draws do not change. `mass`
    is `[rows, n]`: block totals or one block's probabilities; each row has some positive.
    """
    n = mass.shape[-1]
    positive = mass > 0
    arange = ops.arange(n, dtype="int32")[None, :]
    last = ops.max(ops.where(positive, arange, 0), axis=-1)
    later = ops.logical_and(positive, arange >= index[:, None])
    return ops.min(ops.where(later, arange, last[:, None]), axis=-1)
