"""RelGAN-style Gumbel-softmax objective: the generator learns by backpropagation."""

from __future__ import annotations

from keras import ops

from keras_seqgan.conditions import with_conditions
from keras_seqgan.objectives.core import generator_adversarial_loss


def gumbel_generator_loss(
    generator,
    discriminator,
    batch_size,
    *,
    temperature,
    seed,
    conditions=None,
    loss="standard",
    real=None,
):
    """Non-saturating generator loss on relaxed one-hot samples.

    The generator samples with the Gumbel-max trick and emits the relaxed one-hot
    `softmax((logits + g) / temperature)`; the discriminator scores those soft
    sequences and the loss `-log D(soft)` back-propagates through them. With
    `conditions` (a dict of int ids `[batch_size]`), the samples are drawn under them
    and the discriminator scores `{"tokens": soft, **conditions}`.

    `loss` is the adversarial loss (see `generator_adversarial_loss`); `"relativistic"`
    scores `real` (the real batch, as the discriminator takes it) too.

    Returns:
        `(loss, reward_mean)`: the scalar loss and the mean probability of "real" that
        the discriminator gave the samples.
    """
    soft, _ = generator.sample_relaxed(
        batch_size, temperature=temperature, seed=seed, training=True, conditions=conditions
    )
    inputs = with_conditions(soft, conditions)
    logits = ops.cast(discriminator(inputs, training=False), "float32")
    real_logits = None
    if loss == "relativistic":
        real_logits = ops.stop_gradient(discriminator(real, training=False))
    value = generator_adversarial_loss(loss, logits, real_logits)
    return value, ops.mean(ops.sigmoid(logits))
