"""The direction of the figures keras-seqgan logs, for Keras's monitoring callbacks."""

from __future__ import annotations

# Logged figures that are better lower: SeqGAN's losses and `OracleNLL`'s NLLs. `d_acc`
# and `reward_mean` have no better direction (a discriminator that always wins is no goal).
LOWER_IS_BETTER = frozenset(
    ("d_loss", "d_loss_real", "d_loss_fake", "g_loss", "nll_oracle", "nll_gen", "nll_sum")
)


def fill_monitor_modes(callbacks) -> None:
    """Sets `mode="min"` on monitoring callbacks left at `"auto"` that watch a figure above.

    `keras.callbacks.EarlyStopping`, `ModelCheckpoint` and `ReduceLROnPlateau` infer
    `mode="auto"` from `"loss"` or from the `_direction` of a compiled metric; SeqGAN's
    figures are neither, so Keras would refuse them. A callback whose direction is already
    set, or that watches another figure, is left as it is.
    """
    for callback in callbacks or ():
        monitor = getattr(callback, "monitor", None)
        if (
            isinstance(monitor, str)
            and getattr(callback, "mode", None) == "auto"
            and getattr(callback, "monitor_op", False) is None
            and monitor.removeprefix("val_") in LOWER_IS_BETTER
        ):
            callback.mode = "min"
