"""`OptimizerPair`: a SeqGAN's two optimizers, as the one `model.optimizer` Keras looks at.

Keras's learning-rate callbacks (`LearningRateScheduler`, `ReduceLROnPlateau`),
`TensorBoard` and Keras's JAX trainer all read `model.optimizer`; a SeqGAN has two. This
module depends on nothing else in the package.
"""

from __future__ import annotations

import math

import keras
import numpy as np

OPTIMIZER_NAMES = ("generator_optimizer", "discriminator_optimizer")


def learning_rate_of(optimizer) -> float:
    """The optimizer's learning rate now, as a Python float (a schedule's value at its step)."""
    return float(np.asarray(keras.ops.convert_to_numpy(optimizer.learning_rate)))


def is_assignable(optimizer) -> bool:
    """Whether the optimizer's learning rate is a variable that can be assigned.

    A `keras.optimizers.schedules.LearningRateSchedule` (or a callable) computes the rate
    from the step instead: Keras refuses to assign it.
    """
    inner = getattr(optimizer, "inner_optimizer", optimizer)  # a LossScaleOptimizer's
    return isinstance(getattr(inner, "_learning_rate", None), keras.Variable)


def check_assignable(optimizer, name: str, who: str, remedy: str) -> None:
    """A `TypeError` naming the optimizer (`name`) when `who` cannot assign its rate."""
    if is_assignable(optimizer):
        return
    inner = getattr(optimizer, "inner_optimizer", optimizer)
    kind = type(getattr(inner, "_learning_rate", None)).__name__
    raise TypeError(
        f"{who} assigns the learning rate of `{name}`, but that optimizer "
        f"({type(optimizer).__name__} {optimizer.name!r}) was given a learning-rate "
        f"schedule ({kind}), which computes the rate from the step and cannot be "
        f"assigned. {remedy}"
    )


class OptimizerPair:
    """The generator's and the discriminator's optimizers, seen as one `model.optimizer`.

    `SeqGAN.compile` sets `model.optimizer` to this pair on every backend, so that what
    Keras reads there means something for a GAN:

    - `learning_rate` reads the generator's learning rate. Assigning it scales **both**
      optimizers by the same factor `new / old` (`old` being the generator's rate): the
      generator gets the new rate and the discriminator keeps its ratio to it. So
      `keras.callbacks.LearningRateScheduler` (a schedule written in the generator's
      rate) and `ReduceLROnPlateau` (whose `min_lr` bounds the generator's rate) act on
      both optimizers and keep the G/D ratio. An optimizer whose learning rate is a
      `keras.optimizers.schedules.LearningRateSchedule` cannot be assigned: a
      `TypeError` names it, before anything is changed.
    - `variables`: both optimizers' (generator first). Keras's JAX trainer passes them
      into each compiled step and takes their new values out; the step applies each
      optimizer itself.
    - `iterations`: the model's training-step counter (what `TensorBoard` and step-based
      callbacks count), else the generator optimizer's.

    It deliberately has no `optimizers` attribute: Keras's callbacks would then run
    their schedule on each optimizer on its own (an absolute schedule would give the
    discriminator the generator's rate) and name their logs after the optimizers'
    names (`learning_rate_adam` twice for two Adams). For one optimizer at a time, use
    `keras_seqgan.callbacks.LearningRateScheduler(schedule, which=...)`.

    It saves nothing: each optimizer is saved (learning rate included: it is one of the
    optimizer's variables) as its own attribute of the model.
    """

    built = True

    def __init__(self, generator_optimizer, discriminator_optimizer, iterations=None):
        self.generator_optimizer = generator_optimizer
        self.discriminator_optimizer = discriminator_optimizer
        self._iterations = iterations

    @property
    def variables(self):
        return [
            variable
            for optimizer in (self.generator_optimizer, self.discriminator_optimizer)
            for variable in optimizer.variables
        ]

    @property
    def iterations(self):
        if self._iterations is not None:
            return self._iterations
        return self.generator_optimizer.iterations

    @property
    def learning_rate(self):
        return self.generator_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.check_assignable("Setting `model.optimizer.learning_rate` on a SeqGAN")
        new = float(np.asarray(keras.ops.convert_to_numpy(value)))
        if not math.isfinite(new) or new < 0:
            raise ValueError(
                f"A learning rate must be a finite float >= 0. Received: learning_rate={value!r}"
            )
        old = learning_rate_of(self.generator_optimizer)
        if old <= 0:
            raise ValueError(
                "Setting `model.optimizer.learning_rate` on a SeqGAN scales both optimizers "
                "by new / old, the generator's rate; the generator's rate is "
                f"{old}, so there is no factor. Use "
                "`keras_seqgan.callbacks.LearningRateScheduler(schedule, which=...)` to "
                "set each optimizer's rate."
            )
        discriminator_rate = learning_rate_of(self.discriminator_optimizer)
        self.generator_optimizer.learning_rate = new
        self.discriminator_optimizer.learning_rate = discriminator_rate * (new / old)

    def check_assignable(self, who: str) -> None:
        """A `TypeError` naming the first optimizer whose learning rate `who` cannot assign."""
        for name in OPTIMIZER_NAMES:
            check_assignable(
                getattr(self, name),
                name,
                who,
                "Give both optimizers a float learning rate, or set the other one's with "
                "`keras_seqgan.callbacks.LearningRateScheduler(schedule, which=...)` and "
                "leave this one to its schedule.",
            )


def check_learning_rate_callbacks(callbacks, pair) -> None:
    """Fails before training when a Keras LR callback would assign a scheduled rate."""
    if pair is None or not hasattr(pair, "check_assignable"):
        return
    keras_callbacks = (keras.callbacks.LearningRateScheduler, keras.callbacks.ReduceLROnPlateau)
    for callback in callbacks or ():
        if isinstance(callback, keras_callbacks):
            pair.check_assignable(
                f"`keras.callbacks.{type(callback).__name__}` on a SeqGAN (through "
                "`model.optimizer`, which scales both optimizers)"
            )
