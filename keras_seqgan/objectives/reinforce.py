"""SeqGAN's policy gradient with Monte-Carlo rollout rewards."""

from __future__ import annotations

from keras import ops


def rollout_completions(rollout, tokens, *, num_rollouts, temperature, seed):
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
    """
    from keras_seqgan import backend

    tokens = ops.cast(tokens, "int32")
    batch_size = ops.shape(tokens)[0]
    length = rollout.sequence_length
    temperature = ops.cast(temperature, "float32")
    _, (hs, cs) = rollout.forward(tokens)  # state before each position: [B, T, H]
    group = batch_size * num_rollouts  # rows per prefix length
    # One uniform number per sampled token: sum over positions s of s * group.
    total = (length * (length - 1)) // 2
    uniforms = backend.uniform((total * group,), seed)

    columns = [ops.tile(ops.repeat(tokens[:, 0], num_rollouts, axis=0), (length - 1,))]
    h = c = None
    offset = 0
    for position in range(1, length):
        # Rollouts of prefix length `position` start here from the teacher-forced state.
        new_h = ops.repeat(hs[:, position], num_rollouts, axis=0)
        new_c = ops.repeat(cs[:, position], num_rollouts, axis=0)
        h = new_h if h is None else ops.concatenate([h, new_h], axis=0)
        c = new_c if c is None else ops.concatenate([c, new_c], axis=0)
        active = position * group
        logits = ops.cast(rollout.output_projection(h), "float32") / temperature
        sampled = _sample(rollout, logits, uniforms[offset : offset + active])
        offset += active
        waiting = length - 1 - position  # prefix groups that still copy the real token
        if waiting:
            prefix = ops.tile(ops.repeat(tokens[:, position], num_rollouts, axis=0), (waiting,))
            columns.append(ops.concatenate([sampled, prefix], axis=0))
            _, (h, c) = rollout.lstm_cell(rollout.embedding(sampled), [h, c])
        else:
            columns.append(sampled)
    return ops.stack(columns, axis=1)


def rollout_rewards(
    rollout, discriminator, tokens, *, num_rollouts, temperature, seed, completions_fn=None
):
    """Rewards `[B, T]` for every position of `tokens` from Monte-Carlo rollouts.

    For each prefix length `t < T`, `num_rollouts` completions of `tokens[:, :t]` are
    sampled from the `rollout` network (see `rollout_completions`: all of them in one
    batched computation) and scored by the discriminator in one call; the reward of
    position `t - 1` is their mean probability of "real". The last position's reward is
    the discriminator's probability for the full sequence.

    Args:
        rollout: a `keras_seqgan.models.Generator` (the rollout copy).
        discriminator: a model mapping int tokens `[N, T]` to logits `[N, 1]`.
        tokens: int tokens `[B, T]`, sampled from the generator.
        num_rollouts: int. Completions per prefix.
        temperature: float or scalar tensor. Logits are divided by it.
        seed: int or `keras.random.SeedGenerator`.
        completions_fn: callable or `None`. Replaces `rollout_completions` with the same
            signature (e.g. a compiled version of it). Defaults to `None`.

    Returns:
        float32 rewards `[B, T]`, without gradient.
    """
    tokens = ops.cast(tokens, "int32")
    batch_size = ops.shape(tokens)[0]
    length = rollout.sequence_length
    full_score = ops.sigmoid(ops.cast(discriminator(tokens, training=False), "float32"))[:, 0]
    if length == 1:
        return ops.stop_gradient(full_score[:, None])
    completions = (completions_fn or rollout_completions)(
        rollout, tokens, num_rollouts=num_rollouts, temperature=temperature, seed=seed
    )
    scores = ops.sigmoid(ops.cast(discriminator(completions, training=False), "float32"))
    scores = ops.reshape(scores, (length - 1, batch_size, num_rollouts))
    rewards = ops.transpose(ops.mean(scores, axis=-1), (1, 0))  # [B, T - 1]
    rewards = ops.concatenate([rewards, full_score[:, None]], axis=1)
    return ops.stop_gradient(rewards)


def _sample(generator, logits, uniform):
    from keras_seqgan.sampling import sample_from_logits

    return sample_from_logits(logits, uniform, generator.block_size)


def policy_gradient_loss(generator, tokens, rewards, *, temperature, training=True):
    """`-mean(log pi(token_t | prefix) * reward_t)` over batch and positions."""
    log_probs = generator.log_prob(tokens, temperature=temperature)
    return -ops.mean(log_probs * ops.stop_gradient(rewards))
