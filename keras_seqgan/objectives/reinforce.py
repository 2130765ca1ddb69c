"""SeqGAN's policy gradient with Monte-Carlo rollout rewards."""

from __future__ import annotations

from keras import ops

from keras_seqgan import backend
from keras_seqgan.conditions import with_conditions
from keras_seqgan.sampling import sample_from_logits


def rollout_completions(
    rollout,
    tokens,
    *,
    num_rollouts,
    temperature,
    seed=None,
    conditions=None,
    uniforms=None,
    sample_rows=None,
):
    """All Monte-Carlo completions of every proper prefix of `tokens`, in one batch.

    Returns int32 `[(T - 1) * B * num_rollouts, T]`, grouped by prefix length `t = 1 ..
    T - 1`, then batch row, then rollout: row `((t - 1) * B + b) * num_rollouts + n`
    keeps `tokens[b, :t]` and continues it with tokens sampled from `rollout`.

    One teacher-forced pass of the rollout network gives the state after every prefix;
    then one loop over positions advances every rollout that has started, the set of
    active rollouts growing by one prefix group per position, so no token is sampled
    twice (`B * num_rollouts * T * (T - 1) / 2` sampled tokens in all). Randomness is one
    draw of uniform numbers from `seed`, read position by position in the row order
    above.

    With `conditions` (a dict of int ids `[B]`, for a conditional rollout network) every
    completion of row `b` is sampled under row `b`'s conditions: their embeddings are
    repeated per rollout, like the state, and stacked once more for every prefix group
    that starts, so each active row keeps its own. The completions' conditions, in the
    returned row order, are `completion_conditions(conditions, ...)`.

    `uniforms` (float `[B * num_rollouts * T * (T - 1) / 2]`, in the order above) replaces
    the draw from `seed`: give one or the other.

    `sample_rows` (int or `None`): at each position the active rows are projected onto
    the vocabulary and sampled `sample_rows` rows at a time, so that the `[rows, V]`
    logits block stays in the CPU's cache instead of making a pass through memory for
    every operation on up to `B * num_rollouts * (T - 1)` rows of the vocabulary. The
    same random numbers reach the same rows, so the completions are the same for every
    value; `None` does each position at once.
    """

    tokens = ops.cast(tokens, "int32")
    batch_size = ops.shape(tokens)[0]
    length = rollout.sequence_length
    temperature = ops.cast(temperature, "float32")
    # State before each position: [B, T, H].
    _, (hs, cs) = rollout.forward(tokens, conditions=conditions)
    condition_vector = rollout.embed_conditions(conditions)  # [B, C * E_c] or None
    if condition_vector is not None:
        condition_group = ops.repeat(condition_vector, num_rollouts, axis=0)
    group = batch_size * num_rollouts  # rows per prefix length
    if uniforms is None:
        if seed is None:
            raise ValueError("`rollout_completions` needs `seed` or `uniforms`.")
        uniforms = rollout_uniforms(batch_size, num_rollouts, length, seed)

    columns = [ops.tile(ops.repeat(tokens[:, 0], num_rollouts, axis=0), (length - 1,))]
    h = c = active_conditions = None
    offset = 0
    for position in range(1, length):
        # Rollouts of prefix length `position` start here from the teacher-forced state.
        new_h = ops.repeat(hs[:, position], num_rollouts, axis=0)
        new_c = ops.repeat(cs[:, position], num_rollouts, axis=0)
        h = new_h if h is None else ops.concatenate([h, new_h], axis=0)
        c = new_c if c is None else ops.concatenate([c, new_c], axis=0)
        if condition_vector is not None:  # the new group's rows carry their conditions
            active_conditions = (
                condition_group
                if active_conditions is None
                else ops.concatenate([active_conditions, condition_group], axis=0)
            )
        active = position * group
        sampled = _project_and_sample(
            rollout, h, temperature, uniforms[offset : offset + active], sample_rows
        )
        offset += active
        waiting = length - 1 - position  # prefix groups that still copy the real token
        if waiting:
            prefix = ops.tile(ops.repeat(tokens[:, position], num_rollouts, axis=0), (waiting,))
            columns.append(ops.concatenate([sampled, prefix], axis=0))
            h, c = rollout.advance(sampled, [h, c], condition_vector=active_conditions)
        else:
            columns.append(sampled)
    return ops.stack(columns, axis=1)


def rollout_uniforms(batch_size, num_rollouts, sequence_length, seed):
    """The uniform numbers of one rollout pass: one per sampled token, in row order.

    `B * num_rollouts * T * (T - 1) / 2` numbers: position by position (`s = 1 .. T - 1`,
    `s * B * num_rollouts` numbers each), rows within a position as `rollout_completions`
    orders them.
    """
    total = (sequence_length * (sequence_length - 1)) // 2
    return backend.uniform((total * batch_size * num_rollouts,), seed)


def _uniforms_by_chunk(uniforms, batch_size, num_rollouts, length, chunk_size, num_chunks):
    """Re-lays `rollout_uniforms` for a batch split into chunks of `chunk_size` rows.

    Returns `[num_chunks, chunk_size * num_rollouts * T * (T - 1) / 2]`: row `k` holds,
    in `rollout_completions`' order for a batch of `chunk_size` rows, the numbers that
    the whole batch's pass gives to rows `k * chunk_size ...` (padding rows get zeros).
    So a chunked pass samples exactly the tokens of an unchunked one.
    """
    padding = num_chunks * chunk_size - batch_size
    parts = []
    offset = 0
    for position in range(1, length):
        size = position * batch_size * num_rollouts
        block = ops.reshape(uniforms[offset : offset + size], (position, batch_size, num_rollouts))
        offset += size
        block = ops.pad(block, [[0, 0], [0, padding], [0, 0]])
        block = ops.reshape(block, (position, num_chunks, chunk_size, num_rollouts))
        block = ops.transpose(block, (1, 0, 2, 3))
        parts.append(ops.reshape(block, (num_chunks, position * chunk_size * num_rollouts)))
    return ops.concatenate(parts, axis=1)


def completion_conditions(conditions, *, num_rollouts, sequence_length):
    """The condition ids of `rollout_completions`' rows: each row's `[B]` ids, in order.

    Row `((t - 1) * B + b) * num_rollouts + n` gets row `b`'s ids, so every id is
    repeated `num_rollouts` times and the result tiled over the `T - 1` prefix lengths.
    Returns `None` for `conditions=None`.
    """
    if conditions is None:
        return None
    return {
        name: ops.tile(
            ops.repeat(ops.cast(ids, "int32"), num_rollouts, axis=0), (sequence_length - 1,)
        )
        for name, ids in conditions.items()
    }


def rollout_rewards(
    rollout,
    discriminator,
    tokens,
    *,
    num_rollouts,
    temperature,
    seed,
    completions_fn=None,
    conditions=None,
    chunk_size=None,
    sample_rows=None,
    score_rows=None,
    share_prefix=True,
):
    """Rewards `[B, T]` for every position of `tokens` from Monte-Carlo rollouts.

    For each prefix length `t < T`, `num_rollouts` completions of `tokens[:, :t]` are
    sampled from the `rollout` network (see `rollout_completions`: all of them in one
    batched computation) and scored by the discriminator in one call; the reward of
    position `t - 1` is their mean probability of "real". The last position's reward is
    the discriminator's probability for the full sequence.

    Args:
        rollout: a `keras_seqgan.models.Generator` (the rollout copy).
        discriminator: a model mapping int tokens `[N, T]` to logits `[N, 1]` (or, with
            `conditions`, a dict `{"tokens": [N, T], name: ids [N], ...}`).
        tokens: int tokens `[B, T]`, sampled from the generator.
        num_rollouts: int. Completions per prefix.
        temperature: float or scalar tensor. Logits are divided by it.
        seed: int or `keras.random.SeedGenerator`.
        completions_fn: callable or `None`. Replaces `rollout_completions` with the same
            signature (e.g. a compiled version of it); it is called with `uniforms=`
            (never `seed=`) and `sample_rows=`, and with `conditions=` only when they
            are given. Defaults to `None`.
        conditions: dict or `None`. The condition ids `[B]` of `tokens`' rows, for a
            conditional rollout network and discriminator: completions are sampled and
            scored under their row's conditions. Defaults to `None`.
        chunk_size: int or `None`. Batch rows whose rollouts are sampled and scored
            together, one chunk after another: memory then grows with `chunk_size`
            instead of `B` (the largest tensors are the logits of the last position,
            `chunk_size * num_rollouts * (T - 1)` rows of `V`, and the discriminator's
            activations for as many completions). `None` does the whole batch at once.
            The rewards are the same either way (the same random numbers reach the same
            rows). Defaults to `None`.
        sample_rows: int or `None`. Rollout rows projected onto the vocabulary and
            sampled together at each position (see `rollout_completions`); the
            rewards are the same for every value. Defaults to `None` (all at once).
        score_rows: int or `None`. Completions the discriminator scores per call, one
            block after another; the rewards are the same for every value. Defaults
            to `None` (all at once).
        share_prefix: bool. Score each prefix length's completions with the
            discriminator's `completion_logits(tokens, completions, prefix_length=...,
            num_rollouts=..., conditions=...)`, which computes what the completions of
            one prefix share once (`keras_seqgan.models.Discriminator` has it: its
            convolution windows inside the prefix). A discriminator without that method
            is called on every completion, as with `False`. The rewards equal the
            unshared ones within float rounding. Defaults to `True`.

    Returns:
        float32 rewards `[B, T]`, without gradient.
    """
    tokens = ops.cast(tokens, "int32")
    batch_size = ops.shape(tokens)[0]
    length = rollout.sequence_length
    full_logits = discriminator(with_conditions(tokens, conditions), training=False)
    full_score = ops.sigmoid(ops.cast(full_logits, "float32"))[:, 0]
    if length == 1:
        return ops.stop_gradient(full_score[:, None])
    uniforms = rollout_uniforms(batch_size, num_rollouts, length, seed)
    complete = completions_fn or rollout_completions
    shared = share_prefix and callable(getattr(discriminator, "completion_logits", None))

    def mean_scores(tokens, uniforms, conditions):
        """Mean rollout score `[T - 1, rows]` of each prefix of `tokens` `[rows, T]`."""
        rows = ops.shape(tokens)[0]
        extra = {} if conditions is None else {"conditions": conditions}
        completions = complete(
            rollout,
            tokens,
            num_rollouts=num_rollouts,
            temperature=temperature,
            uniforms=uniforms,
            sample_rows=sample_rows,
            **extra,
        )
        repeated = completion_conditions(
            conditions, num_rollouts=num_rollouts, sequence_length=length
        )
        if shared:
            return _shared_prefix_scores(
                discriminator, tokens, completions, repeated, num_rollouts, score_rows
            )

        def score(inputs):
            return ops.sigmoid(ops.cast(discriminator(inputs, training=False), "float32"))

        scores = in_row_blocks(score, with_conditions(completions, repeated), score_rows, "float32")
        return ops.mean(ops.reshape(scores, (length - 1, rows, num_rollouts)), axis=-1)

    static_batch = tokens.shape[0]
    if chunk_size is None or (static_batch is not None and static_batch <= chunk_size):
        prefix_rewards = mean_scores(tokens, uniforms, conditions)  # [T - 1, B]
    else:
        prefix_rewards = _chunked(
            mean_scores, tokens, uniforms, conditions, num_rollouts, length, chunk_size
        )
    rewards = ops.transpose(prefix_rewards, (1, 0))  # [B, T - 1]
    rewards = ops.concatenate([rewards, full_score[:, None]], axis=1)
    return ops.stop_gradient(rewards)


def _shared_prefix_scores(discriminator, tokens, completions, conditions, num_rollouts, rows):
    """Mean rollout score `[T - 1, B]`, one prefix length at a time, sharing its prefix.

    Group `t` of `completions` (`rollout_completions`' order) holds `num_rollouts`
    completions of every `tokens[b, :t]`; `discriminator.completion_logits` scores the
    group. `rows` completions (rounded down to whole batch rows) are scored per call.
    """
    batch_size = ops.shape(tokens)[0]
    length = completions.shape[1]
    group = batch_size * num_rollouts
    block = None if rows is None else max(1, rows // num_rollouts)
    means = []
    for prefix_length in range(1, length):

        def by_row(x, prefix_length=prefix_length):  # group's rows -> [B, R, ...]
            part = x[(prefix_length - 1) * group : prefix_length * group]
            return ops.reshape(part, (batch_size, num_rollouts) + tuple(x.shape[1:]))

        inputs = {"tokens": tokens, "completions": by_row(completions)}
        if conditions is not None:
            inputs["conditions"] = {name: by_row(ids) for name, ids in conditions.items()}

        def score(inputs, prefix_length=prefix_length):
            flat = {
                name: ops.reshape(ids, (-1,)) for name, ids in inputs.get("conditions", {}).items()
            }
            logits = discriminator.completion_logits(
                inputs["tokens"],
                ops.reshape(inputs["completions"], (-1, length)),
                prefix_length=prefix_length,
                num_rollouts=num_rollouts,
                conditions=flat or None,
            )
            return ops.reshape(ops.sigmoid(ops.cast(logits, "float32")), (-1, num_rollouts))

        means.append(ops.mean(in_row_blocks(score, inputs, block, "float32"), axis=-1))
    return ops.stack(means)


def _chunked(mean_scores, tokens, uniforms, conditions, num_rollouts, length, chunk_size):
    """`mean_scores` over chunks of `chunk_size` rows, one after another: `[T - 1, B]`."""
    batch_size = ops.shape(tokens)[0]
    num_chunks = (batch_size + chunk_size - 1) // chunk_size
    padding = num_chunks * chunk_size - batch_size

    def by_chunk(x):  # [B, ...] -> [num_chunks, chunk_size, ...], zero rows at the end
        return _split_rows(x, num_chunks, chunk_size, padding)

    elements = {
        "tokens": by_chunk(tokens),
        "uniforms": _uniforms_by_chunk(
            uniforms, batch_size, num_rollouts, length, chunk_size, num_chunks
        ),
    }
    if conditions is not None:
        elements["conditions"] = {
            name: by_chunk(ops.cast(ids, "int32")) for name, ids in conditions.items()
        }

    def one_chunk(element):
        return mean_scores(element["tokens"], element["uniforms"], element.get("conditions"))

    scores = backend.map_sequential(one_chunk, elements)  # [num_chunks, T - 1, chunk_size]
    scores = ops.reshape(ops.transpose(scores, (1, 0, 2)), (length - 1, num_chunks * chunk_size))
    return scores[:, :batch_size]


def in_row_blocks(fn, inputs, block_rows, dtype):
    """`fn(inputs)` computed `block_rows` rows at a time, one block after another.

    `inputs` is a tensor or a nest of tensors with the same leading dimension; `fn`
    maps such a nest of `rows` rows to one tensor of `dtype` with `rows` rows. The
    last block is padded with zero rows, whose results are dropped. `block_rows=None`,
    or no more rows than that, calls `fn` once on everything.
    """
    import keras

    leaves = keras.tree.flatten(inputs)
    static_rows = leaves[0].shape[0]
    if block_rows is None or (static_rows is not None and static_rows <= block_rows):
        return fn(inputs)
    rows = ops.shape(leaves[0])[0]
    num_blocks = (rows + block_rows - 1) // block_rows
    padding = num_blocks * block_rows - rows

    def split(x):
        return _split_rows(x, num_blocks, block_rows, padding)

    out = backend.map_sequential(fn, keras.tree.map_structure(split, inputs), dtype)
    out = ops.reshape(out, (num_blocks * block_rows,) + tuple(out.shape[2:]))
    return out[:rows]


def _split_rows(x, num_blocks, block_rows, padding):
    """`[rows, ...]` -> `[num_blocks, block_rows, ...]`, `padding` zero rows at the end."""
    x = ops.pad(x, [[0, padding]] + [[0, 0]] * (len(x.shape) - 1))
    return ops.reshape(x, (num_blocks, block_rows) + tuple(x.shape[1:]))


def _project_and_sample(rollout, h, temperature, uniform, block_rows):
    """Tokens `[rows]` sampled from `rollout`'s softmax at states `h`, in row blocks."""

    def one_block(block):
        state, uniform = block
        logits = ops.cast(rollout.project(state), "float32") / temperature
        return _sample(rollout, logits, uniform)

    return in_row_blocks(one_block, (h, uniform), block_rows, "int32")


def _sample(generator, logits, uniform):
    return sample_from_logits(logits, uniform, generator.block_size)


def policy_gradient_loss(generator, tokens, rewards, *, temperature, conditions=None):
    """`-mean(log pi(token_t | prefix, conditions) * reward_t)` over batch and positions."""
    log_probs = generator.log_prob(tokens, temperature=temperature, conditions=conditions)
    return -ops.mean(log_probs * ops.stop_gradient(rewards))
