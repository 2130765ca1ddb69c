"""How the generator learns from the discriminator.

- `reinforce`: SeqGAN's policy gradient with rewards from Monte-Carlo rollouts.
- `gumbel`: RelGAN-style relaxed one-hot samples and backpropagation.
"""

from keras_seqgan.objectives.gumbel import gumbel_generator_loss
from keras_seqgan.objectives.reinforce import (
    policy_gradient_loss,
    rollout_completions,
    rollout_rewards,
)

OBJECTIVES = ("reinforce", "gumbel")

__all__ = [
    "OBJECTIVES",
    "gumbel_generator_loss",
    "policy_gradient_loss",
    "rollout_completions",
    "rollout_rewards",
]
