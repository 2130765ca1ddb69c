"""ScratchGAN's dense rewards: a reward at every position from a per-prefix discriminator,
discounted forward, less a moving-average baseline; no Monte-Carlo rollouts."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from keras_seqgan import backend
from keras_seqgan._validation import check_choice, check_float
from keras_seqgan.conditions import with_conditions
from keras_seqgan.objectives.core import _NAMES, REDUCTIONS, Objective

DENSE_REWARDS = ("bounded", "log")


def discounted_returns(rewards, discount):
    """`R_t = sum_{s >= t} discount ** (s - t) * rewards[:, s]` for every position `t`.

    `rewards` is float `[B, T]` with a static `T`; the sums are one product with a
    `[T, T]` matrix of discount powers (no loop), so they compile under XLA. Returns
    float32 `[B, T]`.
    """
    length = rewards.shape[1]
    steps = np.arange(length)
    # weights[s, t] = discount ** (s - t) for s >= t, else 0.
    exponents = steps[:, None] - steps[None, :]
    weights = np.where(exponents >= 0, float(discount) ** np.maximum(exponents, 0), 0.0)
    return ops.matmul(ops.cast(rewards, "float32"), ops.convert_to_tensor(weights, "float32"))


@keras.saving.register_keras_serializable(package="keras_seqgan")
class DenseReward(Objective):
    """ScratchGAN's objective: dense per-position rewards from a per-prefix discriminator.

    A discriminator that scores every prefix (logits `[B, T]`, e.g.
    `keras_seqgan.models.PrefixDiscriminator`) is trained with the adversarial `loss`
    at every position (for `"standard"`: binary cross-entropy, real rows 1 and generated
    rows 0, the mean over positions and rows). The generator samples `B` sequences and
    learns by REINFORCE, with no rollouts: the discriminator's logit `l_t` of each
    generated prefix gives a reward at that position,

    - `"bounded"`: `r_t = 2 * sigmoid(l_t) - 1`, in `(-1, 1)` (ScratchGAN's), or
    - `"log"`: `r_t = log sigmoid(l_t)` (`log D`, as MaskGAN),

    the rewards are summed forward with a discount, `R_t = sum_{s >= t} discount ** (s -
    t) * r_s` (a token is credited with the prefixes it leads to, the near ones most),
    and an exponential moving average of the mean return is subtracted:
    `b <- baseline_decay * b + (1 - baseline_decay) * mean(R)`, then
    `A_t = R_t - b` with the updated `b` (as ScratchGAN's code). The generator minimizes
    `-reduce(log pi(token_t | prefix) * stop_gradient(A_t))`. The rewards come from the
    discriminator in inference mode (no dropout) and never back-propagate into it.

    The baseline `b` starts at 0 and is a variable of the `SeqGAN`
    (`gan.reward_baseline`), updated only when the generator's update is applied (a
    skipped, non-finite update leaves it as it was) and saved in `.keras` files, so a
    resumed run continues exactly. `reward_mean` in the logs is the mean probability of
    "real" that the discriminator gives the generated prefixes.

    One generator update samples `B * T` tokens and scores `B` sequences once, where
    `Reinforce` samples `num_rollouts * B * T * (T - 1) / 2` more and scores
    `num_rollouts * B * (T - 1)` completions: ScratchGAN spends the difference on large
    batches (512).

    Args:
        discount: float in `[0, 1]`. The discount `gamma` of the forward sums: `0` makes
            each token's reward its own prefix's score, `1` the sum of all the scores
            from its position on. Defaults to `0.23` (ScratchGAN's).
        baseline_decay: float in `[0, 1]`. How much of its old value the baseline keeps
            at each update: `0` makes it the current batch's mean return, `1` keeps it at
            0 (no baseline). Defaults to `0.08` (ScratchGAN's).
        reward: str. `"bounded"` (`2 * sigmoid(logit) - 1`, ScratchGAN's: "more stable
            empirically" than log D) or `"log"` (`log sigmoid(logit)`, unbounded below).
            Defaults to `"bounded"`.
        reduction: str. `"mean"` over batch and positions (ScratchGAN's) or `"sum"`
            (the same direction, `B * T` times larger; see `Reinforce`'s `reduction`).
            Defaults to `"mean"`.
        loss: str. The discriminator's adversarial loss at every position:
            `"standard"`, `"hinge"` or `"least_squares"` (a relativistic loss scores
            pairs of rows, not prefixes, so it gives no per-position reward). Whatever
            the loss, the probability of "real" is the sigmoid of the logit. Defaults to
            `"standard"`.
        label_smoothing: float in `[0, 1)`. One-sided label smoothing of the
            discriminator's real target (see `Objective`). Defaults to `0.0`.

    Example:

    ```python
    import keras_seqgan

    generator = keras_seqgan.models.Generator(vocabulary_size=20, sequence_length=6)
    discriminator = keras_seqgan.models.PrefixDiscriminator(vocabulary_size=20, sequence_length=6)
    objective = keras_seqgan.objectives.DenseReward(discount=0.23, baseline_decay=0.08)
    gan = keras_seqgan.SeqGAN(generator, discriminator, objective=objective)
    ```

    Reference:
        - [de Masson d'Autume et al., 2019](https://arxiv.org/abs/1905.09922), "Training
          Language GANs from Scratch", NeurIPS 2019 (`scratchgan/losses.py`).
    """

    name = "dense"

    def __init__(
        self,
        discount: float = 0.23,
        baseline_decay: float = 0.08,
        reward: str = "bounded",
        reduction: str = "mean",
        loss: str = "standard",
        label_smoothing: float = 0.0,
    ) -> None:
        if loss == "relativistic":
            raise ValueError(
                "`loss` must be 'standard', 'hinge' or 'least_squares' for DenseReward: a "
                "relativistic discriminator scores pairs of rows, not single prefixes, so "
                "it gives no per-position reward. Received: loss='relativistic'"
            )
        super().__init__(loss=loss, label_smoothing=label_smoothing)
        self.discount = check_float("discount", discount, low=0.0, high=1.0)
        self.baseline_decay = check_float("baseline_decay", baseline_decay, low=0.0, high=1.0)
        self.reward = check_choice("reward", reward, DENSE_REWARDS)
        self.reduction = check_choice("reduction", reduction, REDUCTIONS)

    def rewards(self, logits):
        """Per-position rewards `[B, T]` (float32) of the discriminator's `logits` `[B, T]`."""
        logits = ops.cast(logits, "float32")
        if self.reward == "log":
            return -ops.softplus(-logits)  # log sigmoid, without underflow
        return 2.0 * ops.sigmoid(logits) - 1.0

    def returns(self, logits):
        """The discounted forward sums `[B, T]` of `rewards(logits)`, without gradient."""
        return ops.stop_gradient(discounted_returns(self.rewards(logits), self.discount))

    def updated_baseline(self, baseline, batch_mean):
        """The moving average after a batch whose mean return is `batch_mean`."""
        decay = self.baseline_decay
        return decay * ops.cast(baseline, "float32") + (1.0 - decay) * batch_mean

    def policy_loss(self, log_probs, advantages):
        """`-reduce(log_probs * stop_gradient(advantages))` over batch and positions."""
        terms = log_probs * ops.stop_gradient(advantages)
        return -(ops.sum(terms) if self.reduction == "sum" else ops.mean(terms))

    def get_config(self) -> dict:
        return {
            "discount": self.discount,
            "baseline_decay": self.baseline_decay,
            "reward": self.reward,
            "reduction": self.reduction,
            **super().get_config(),
        }


_NAMES["dense"] = DenseReward  # `objectives.get("dense")`


def dense_advantages(objective, discriminator, tokens, baseline, conditions=None):
    """What a `DenseReward` generator update weighs its tokens' log-probabilities by.

    Scores `tokens` `[B, T]` (under `conditions`, a dict of ids `[B]`, if any) with the
    per-prefix `discriminator` in inference mode, and returns `(advantages, new_baseline,
    reward_mean)`: the discounted returns less the moving-average baseline updated with
    this batch (`[B, T]`, without gradient), that updated baseline (a scalar for the
    caller to assign when the update is applied), and the mean probability of "real" of
    the generated prefixes. Under `tf.distribute` the batch mean is the global batch's,
    so that every replica keeps the same baseline.
    """
    logits = ops.cast(discriminator(with_conditions(tokens, conditions), training=False), "float32")
    returns = objective.returns(logits)
    batch_mean = backend.replica_mean(ops.mean(returns))
    new_baseline = objective.updated_baseline(baseline, batch_mean)
    advantages = ops.stop_gradient(returns - new_baseline)
    return advantages, new_baseline, ops.mean(ops.sigmoid(logits))
