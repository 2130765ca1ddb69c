"""How the generator learns from the discriminator.

- `Reinforce` (`"reinforce"`): SeqGAN's policy gradient with rewards from Monte-Carlo
  rollouts.
- `Gumbel` (`"gumbel"`): RelGAN-style relaxed one-hot samples and backpropagation.

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
from keras_seqgan.objectives.gumbel import gumbel_generator_loss
from keras_seqgan.objectives.reinforce import (
    policy_gradient_loss,
    rollout_completions,
    rollout_rewards,
)

OBJECTIVES = ("reinforce", "gumbel")

__all__ = [
    "ADVERSARIAL_LOSSES",
    "OBJECTIVES",
    "Gumbel",
    "Objective",
    "Reinforce",
    "adversarial_losses",
    "generator_adversarial_loss",
    "get",
    "gumbel_generator_loss",
    "policy_gradient_loss",
    "rollout_completions",
    "rollout_rewards",
]
