"""Losses of the generator's maximum-likelihood (MLE) pre-training.

`TokenCrossEntropy` is `Generator.compile`'s default loss: per-token cross-entropy of
next-token logits, the value `keras.losses.SparseCategoricalCrossentropy(from_logits=True)`
gives (equal to float rounding, tested), computed in a form that is faster on a CPU with
TensorFlow: an MLE epoch at the SeqGAN paper's sizes runs 1.20x faster
(`docs/speed.md`).
"""

from __future__ import annotations

import keras

from keras_seqgan import backend
from keras_seqgan._validation import check_auto_or_bool


@keras.saving.register_keras_serializable(package="keras_seqgan")
class TokenCrossEntropy(keras.losses.Loss):
    """Cross-entropy of integer tokens `[B, T]` under logits `[B, T, V]`, per token.

    Each token's loss is `logsumexp(logits) - logits[token]`, in float32 (logits of a
    `mixed_bfloat16` generator are cast first, as every Keras loss does); the reduction
    (the mean over tokens by default), sample weights and masks are Keras's.

    On TensorFlow, TensorFlow's fused sparse cross-entropy kernel is slow on a CPU for
    large vocabularies; this form, compiled with XLA as its own small program inside the
    graph-mode step, is faster (inside a whole-step XLA program its ops are traced into
    the step instead). On JAX every step is compiled with XLA already, and the two forms
    are the same program.

    The XLA form, like every XLA gather, clamps a token id outside `[0, V)` rather than
    raise; in MLE pre-training the generator's embedding reads the same ids first (all
    but the last position) and raises, and `mle_dataset(vocabulary_size=V)` checks
    them all.

    Args:
        jit_compile: `"auto"`, `True` or `False`. Compile the loss with XLA on TensorFlow
            (on JAX it always is). Defaults to `"auto"`: on, on TensorFlow.
        reduction: Keras's loss reduction. Defaults to `"sum_over_batch_size"`.
        name: Defaults to `"token_cross_entropy"`.
        dtype: The loss's computation dtype. Defaults to `None` (Keras's float type).
    """

    def __init__(
        self,
        jit_compile="auto",
        reduction="sum_over_batch_size",
        name="token_cross_entropy",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.jit_compile = check_auto_or_bool("jit_compile", jit_compile)

    def call(self, y_true, y_pred):
        return backend.token_cross_entropy(
            y_true, y_pred, jit_compile=self.jit_compile is not False
        )

    def get_config(self):
        return {**super().get_config(), "jit_compile": self.jit_compile}
