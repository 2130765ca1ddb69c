"""Data: the SeqGAN synthetic oracle, token validation and `tf.data` pipelines."""

from keras_seqgan.data.datasets import (
    discriminator_dataset,
    mle_dataset,
    sequence_dataset,
    validate_tokens,
)
from keras_seqgan.data.oracle import OracleLSTM

__all__ = [
    "OracleLSTM",
    "discriminator_dataset",
    "mle_dataset",
    "sequence_dataset",
    "validate_tokens",
]
