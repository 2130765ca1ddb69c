"""RelGAN-style Gumbel-softmax objective: the generator learns by backpropagation."""

from __future__ import annotations

from keras import ops


def gumbel_generator_loss(
    generator, discriminator, batch_size, *, temperature, seed, conditions=None
):
    """Non-saturating generator loss on relaxed one-hot samples.

    The generator samples with the Gumbel-max trick and emits the relaxed one-hot
    `softmax((logits + g) / temperature)`; the discriminator scores those soft
    sequences and the loss `-log D(soft)` back-propagates through them. With
    `conditions` (a dict of int ids `[batch_size]`), the samples are drawn under them
    and the discriminator scores `{"tokens": soft, **conditions}`.

    Returns:
        `(loss, reward_mean)`: the scalar loss and the mean probability of "real" that
        the discriminator gave the samples.
    """
    soft, _ = generator.sample_relaxed(
        batch_size, temperature=temperature, seed=seed, training=True, conditions=conditions
    )
    inputs = soft if conditions is None else {"tokens": soft, **conditions}
    logits = ops.cast(discriminator(inputs, training=False), "float32")
    loss = ops.mean(ops.softplus(-logits))
    return loss, ops.mean(ops.sigmoid(logits))
