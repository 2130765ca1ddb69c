"""Objectives as configurable objects: the home of every knob of an adversarial recipe.

`SeqGAN(objective=...)` takes a `Reinforce` or a `Gumbel` (or their names, for the
defaults). Each says how the discriminator is trained (its adversarial `loss`) and how
the generator learns from it; each has a `get_config`, so it travels in `.keras` files.
"""

from __future__ import annotations

import keras
from keras import ops

from keras_seqgan._validation import check_choice, check_float, check_int

ADVERSARIAL_LOSSES = ("standard", "relativistic", "hinge", "least_squares")
REDUCTIONS = ("mean", "sum")
BASELINES = (None, "mean")
REWARDS = ("probability", "log")
# The smallest reward `reward="log"` takes the log of: log(1e-6) ~ -13.8 bounds a token's
# advantage where the discriminator is certain that a sequence is fake.
_LOG_REWARD_FLOOR = 1e-6


def adversarial_losses(loss, real_logits, fake_logits, label_smoothing=0.0):
    """The discriminator's `(d_loss, d_loss_real, d_loss_fake, d_acc)` for `loss`.

    - `"standard"`: binary cross-entropy on logits (real 1, fake 0), the mean of the two
      halves. `d_acc`: a logit > 0 means "real".
    - `"relativistic"` (RSGAN, as RelGAN): `softplus(-(real - fake))`, real and fake rows
      paired by position; `d_loss_real` and `d_loss_fake` are both that loss, and `d_acc`
      is the fraction of pairs where the real row scores higher.
    - `"hinge"`: `relu(1 - real)` and `relu(1 + fake)`, the mean of the two halves.
    - `"least_squares"` (LSGAN): `(real - 1) ** 2` and `fake ** 2`, the mean of the halves.

    `label_smoothing` `s` (one-sided, Salimans et al. 2016) makes the real rows' target
    `1 - s` instead of 1: `(1 - s) * softplus(-real) + s * softplus(real)` for
    `"standard"`, `(real - (1 - s)) ** 2` for `"least_squares"`. The generated rows keep
    their target 0. `d_acc` is unchanged.
    """
    real = ops.cast(real_logits, "float32")
    fake = ops.cast(fake_logits, "float32")
    accuracy = 0.5 * (
        ops.mean(ops.cast(real > 0, "float32")) + ops.mean(ops.cast(fake <= 0, "float32"))
    )
    if loss == "relativistic":
        value = ops.mean(ops.softplus(fake - real))
        return value, value, value, ops.mean(ops.cast(real > fake, "float32"))
    target = 1.0 - label_smoothing
    if loss == "standard":
        loss_real = ops.mean(target * ops.softplus(-real) + label_smoothing * ops.softplus(real))
        loss_fake = ops.mean(ops.softplus(fake))
    elif loss == "hinge":
        loss_real, loss_fake = ops.mean(ops.relu(1.0 - real)), ops.mean(ops.relu(1.0 + fake))
    elif loss == "least_squares":
        loss_real, loss_fake = ops.mean(ops.square(real - target)), ops.mean(ops.square(fake))
    else:
        raise ValueError(f"Unknown adversarial loss {loss!r}; one of {ADVERSARIAL_LOSSES}.")
    return 0.5 * (loss_real + loss_fake), loss_real, loss_fake, accuracy


def generator_adversarial_loss(loss, fake_logits, real_logits=None):
    """The generator's loss on the discriminator's logits of its samples, for `loss`.

    `"standard"`: the non-saturating `softplus(-fake)` (= `-log D(fake)`);
    `"relativistic"`: `softplus(-(fake - real))` (needs `real_logits`, paired by row);
    `"hinge"`: `-fake`; `"least_squares"`: `(fake - 1) ** 2`. All means over rows.
    """
    fake = ops.cast(fake_logits, "float32")
    if loss == "standard":
        return ops.mean(ops.softplus(-fake))
    if loss == "relativistic":
        return ops.mean(ops.softplus(ops.cast(real_logits, "float32") - fake))
    if loss == "hinge":
        return -ops.mean(fake)
    if loss == "least_squares":
        return ops.mean(ops.square(fake - 1.0))
    raise ValueError(f"Unknown adversarial loss {loss!r}; one of {ADVERSARIAL_LOSSES}.")


class Objective:
    """Base of the objectives: the discriminator's adversarial `loss` and a config.

    Args:
        loss: str. The adversarial loss: `"standard"`, `"relativistic"`, `"hinge"` or
            `"least_squares"` (see `adversarial_losses`). Defaults to `"standard"`.
        label_smoothing: float in `[0, 1)`. One-sided label smoothing of the
            discriminator: real rows are trained towards `1 - label_smoothing`, generated
            rows towards 0, so that it stops pushing its logits for memorized real rows
            ever higher. For the `"standard"` and `"least_squares"` losses (the hinge and
            relativistic losses have no target to smooth). Defaults to `0.0` (none).
    """

    name: str = ""

    def __init__(self, loss: str = "standard", label_smoothing: float = 0.0) -> None:
        self.loss = check_choice("loss", loss, ADVERSARIAL_LOSSES)
        self.label_smoothing = check_float(
            "label_smoothing", label_smoothing, low=0.0, high=1.0, high_inclusive=False
        )
        if self.label_smoothing and self.loss not in ("standard", "least_squares"):
            raise ValueError(
                "`label_smoothing` needs a loss with a target to smooth ('standard' or "
                f"'least_squares'). Received: label_smoothing={label_smoothing}, "
                f"loss={loss!r}"
            )

    def discriminator_losses(self, real_logits, fake_logits):
        """`(d_loss, d_loss_real, d_loss_fake, d_acc)` of one discriminator batch."""
        return adversarial_losses(self.loss, real_logits, fake_logits, self.label_smoothing)

    def get_config(self) -> dict:
        config = {"loss": self.loss}
        if self.label_smoothing:  # absent when off: files from before it read the same
            config["label_smoothing"] = self.label_smoothing
        return config

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def __eq__(self, other) -> bool:
        # A name compares equal to its objective (`gan.objective == "gumbel"`).
        if isinstance(other, str):
            return other == self.name
        return type(other) is type(self) and other.get_config() == self.get_config()

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(sorted(self.get_config().items()))))

    def __repr__(self) -> str:
        arguments = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({arguments})"


@keras.saving.register_keras_serializable(package="keras_seqgan")
class Reinforce(Objective):
    """SeqGAN's policy gradient, with rewards from Monte-Carlo rollouts.

    For every prefix of a generated sequence, `num_rollouts` completions are sampled by a
    rollout copy of the generator and scored by the discriminator; a token's reward is
    the mean probability of "real" over its completions. The generator minimizes
    `-log pi(token | prefix) * (reward - baseline)`.

    Args:
        num_rollouts: int >= 1. Completions per prefix. Defaults to `16` (the paper's).
        rollout_update_rate: float in `[0, 1]`. How much of its own weights the rollout
            copy keeps at each generator update: `rollout <- r * rollout + (1 - r) *
            generator`. `0` makes the rollouts use the current generator (what the
            authors' code does in effect). Defaults to `0.8` (the paper's text).
        reduction: str. `"sum"` over batch and positions (the authors' code) or
            `"mean"`: the same direction, the sum `batch * length` times larger. To Adam
            the scale matters only where its `epsilon` is not negligible against the
            gradients, which per-token policy gradients (~1e-6 averaged) are not: the
            mean damps rare tokens' updates. In issue 18's ablation on the paper's
            oracle the sum beat the mean (2 seeds each, `docs/oracle.md`), so it is the
            default. With plain SGD, scale the learning rate down by `batch * length`
            for the mean's step. `SeqGAN`'s global-norm `gradient_clip` applies to the
            summed gradient. Defaults to `"sum"`. (It was `"mean"` before; a saved
            objective carries its own, and a `SeqGAN` file from before the objective
            classes loads with `"mean"`, the loss it was trained with.)
        baseline: `None` or `"mean"`. Subtracted from the rewards: `"mean"` is each
            position's mean reward over the batch, a variance-reducing baseline.
            Defaults to `None` (none, as the paper).
        reward: str. What a token's reward is: `"probability"`, the mean probability of
            "real" over its completions (the paper's), or `"log"`, its logarithm (floored
            at `1e-6`), which spreads the rewards of a confident discriminator (mean
            rewards near 0) instead of leaving them all near 0. The baseline is
            subtracted after. Defaults to `"probability"`.
        loss: str. The discriminator's adversarial loss, `"standard"`, `"hinge"` or
            `"least_squares"` (a relativistic discriminator scores pairs, not single
            sequences, so it gives no per-sequence reward). Whatever the loss, the
            probability of "real" is the sigmoid of the discriminator's logit.
            Defaults to `"standard"`.
        label_smoothing: float in `[0, 1)`. One-sided label smoothing of the
            discriminator's real target (see `Objective`). Defaults to `0.0`.

    Example:

    ```python
    import keras_seqgan

    generator = keras_seqgan.models.Generator(vocabulary_size=20, sequence_length=6)
    discriminator = keras_seqgan.models.Discriminator(
        vocabulary_size=20, sequence_length=6, filter_sizes=(2, 3), num_filters=(8, 8)
    )
    objective = keras_seqgan.objectives.Reinforce(num_rollouts=8, baseline="mean")
    gan = keras_seqgan.SeqGAN(generator, discriminator, objective=objective)
    ```
    """

    name = "reinforce"

    def __init__(
        self,
        num_rollouts: int = 16,
        rollout_update_rate: float = 0.8,
        reduction: str = "sum",
        baseline: str | None = None,
        loss: str = "standard",
        reward: str = "probability",
        label_smoothing: float = 0.0,
    ) -> None:
        if loss == "relativistic":
            raise ValueError(
                "`loss` must be 'standard', 'hinge' or 'least_squares' for Reinforce: a "
                "relativistic discriminator scores pairs, not single sequences, so it "
                "gives no per-sequence reward. Received: loss='relativistic'"
            )
        super().__init__(loss=loss, label_smoothing=label_smoothing)
        self.num_rollouts = check_int("num_rollouts", num_rollouts)
        self.rollout_update_rate = check_float(
            "rollout_update_rate", rollout_update_rate, low=0.0, high=1.0
        )
        self.reduction = check_choice("reduction", reduction, REDUCTIONS)
        self.baseline = check_choice("baseline", baseline, BASELINES)
        self.reward = check_choice("reward", reward, REWARDS)

    def advantages(self, rewards):
        """`rewards` `[B, T]`, shaped (`reward`) and less the baseline: what multiplies
        the log-probabilities."""
        if self.reward == "log":
            rewards = ops.log(ops.maximum(rewards, _LOG_REWARD_FLOOR))
        if self.baseline == "mean":
            return rewards - ops.mean(rewards, axis=0, keepdims=True)
        return rewards

    def policy_loss(self, log_probs, rewards):
        """`-reduce(log_probs * stop_gradient(advantages(rewards)))` over batch and time."""
        terms = log_probs * ops.stop_gradient(self.advantages(rewards))
        return -(ops.sum(terms) if self.reduction == "sum" else ops.mean(terms))

    def get_config(self) -> dict:
        return {
            "num_rollouts": self.num_rollouts,
            "rollout_update_rate": self.rollout_update_rate,
            "reduction": self.reduction,
            "baseline": self.baseline,
            "reward": self.reward,
            **super().get_config(),
        }


@keras.saving.register_keras_serializable(package="keras_seqgan")
class Gumbel(Objective):
    """RelGAN-style: relaxed one-hot samples, the generator learns by backpropagation.

    The generator emits Gumbel-softmax relaxed one-hot tokens at the model's
    temperature; the discriminator scores them, and the generator's adversarial loss
    back-propagates through them.

    Args:
        loss: str. The adversarial loss of both players: `"standard"` (non-saturating),
            `"relativistic"` (RSGAN, RelGAN's choice: each generated row is scored
            against a real row of the batch), `"hinge"` or `"least_squares"`. Defaults
            to `"standard"`.
        label_smoothing: float in `[0, 1)`. One-sided label smoothing of the
            discriminator's real target (see `Objective`). Defaults to `0.0`.

    Example:

    ```python
    import keras_seqgan

    generator = keras_seqgan.models.Generator(vocabulary_size=20, sequence_length=6)
    discriminator = keras_seqgan.models.Discriminator(
        vocabulary_size=20, sequence_length=6, filter_sizes=(2, 3), num_filters=(8, 8)
    )
    objective = keras_seqgan.objectives.Gumbel(loss="relativistic")
    gan = keras_seqgan.SeqGAN(generator, discriminator, objective=objective)
    ```
    """

    name = "gumbel"

    def generator_loss(self, fake_logits, real_logits=None):
        return generator_adversarial_loss(self.loss, fake_logits, real_logits)

    @property
    def needs_real(self) -> bool:
        """Whether the generator's loss scores a real batch too (relativistic)."""
        return self.loss == "relativistic"


# Each objective's name; `DenseReward` adds "dense" from its own module (which imports
# this one, so this one cannot import it).
_NAMES = {"reinforce": Reinforce, "gumbel": Gumbel}


def get(identifier) -> Objective:
    """An objective from a name (`"reinforce"`, `"gumbel"`, `"dense"`: the defaults), a
    config dict (as `keras.saving.serialize_keras_object` writes it) or an `Objective`
    (returned)."""
    if isinstance(identifier, Objective):
        return identifier
    if isinstance(identifier, str):
        if identifier not in _NAMES:
            raise ValueError(
                f"`objective` must be one of {tuple(_NAMES)} or an objective such as "
                f"`keras_seqgan.objectives.Reinforce(...)`. Received: objective={identifier!r}"
            )
        return _NAMES[identifier]()
    if isinstance(identifier, dict):
        objective = keras.saving.deserialize_keras_object(identifier)
        if isinstance(objective, Objective):
            return objective
    raise TypeError(
        f"`objective` must be a name {tuple(_NAMES)}, a "
        "`keras_seqgan.objectives.Objective` or its config. "
        f"Received: objective={identifier!r} (of type {type(identifier).__name__})"
    )
