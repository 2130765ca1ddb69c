"""How the generator learns from the discriminator.

- `Reinforce` (`"reinforce"`): SeqGAN's policy gradient with rewards from Monte-Carlo
  rollouts.
- `Gumbel` (`"gumbel"`): RelGAN-style relaxed one-hot samples and backpropagation.
- `DenseReward` (`"dense"`): ScratchGAN's policy gradient with dense rewards from a
  discriminator that scores every prefix, and no rollouts.

Each is a configurable object (`get_config`, saved in `.keras` files) holding its recipe's
knobs, the discriminator's adversarial loss among them; `get` turns a name or a config
into one.
"""

from keras_seqgan.objectives.core import (
    ADVERSARIAL_LOSSES,
    Gumbel,
    Objective,
    Reinforce,
    adversarial_losses,
    generator_adversarial_loss,
    get,
)
from keras_seqgan.objectives.dense import (
    DENSE_REWARDS,
    DenseReward,
    dense_advantages,
    discounted_returns,
)
from keras_seqgan.objectives.gumbel import gumbel_generator_loss
from keras_seqgan.objectives.reinforce import (
    policy_gradient_loss,
    rollout_completions,
    rollout_rewards,
)

# The objectives of a whole-sequence `Discriminator` (logits `[batch, 1]`). `"dense"` takes
# a per-prefix one, `keras_seqgan.models.PrefixDiscriminator`: the command line and the
# tuner offer these two and `"dense"`, building the discriminator that fits.
OBJECTIVES = ("reinforce", "gumbel")

__all__ = [
    "ADVERSARIAL_LOSSES",
    "DENSE_REWARDS",
    "OBJECTIVES",
    "DenseReward",
    "Gumbel",
    "Objective",
    "Reinforce",
    "adversarial_losses",
    "dense_advantages",
    "discounted_returns",
    "generator_adversarial_loss",
    "get",
    "gumbel_generator_loss",
    "policy_gradient_loss",
    "rollout_completions",
    "rollout_rewards",
]
