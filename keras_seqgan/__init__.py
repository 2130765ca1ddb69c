"""keras-seqgan: adversarial training of discrete-sequence generators for Keras 3."""

from keras_seqgan import (
    callbacks,
    data,
    evaluation,
    models,
    objectives,
    pipeline,
    saving,
    tuning,
)
from keras_seqgan.seqgan import SeqGAN
from keras_seqgan.version import __version__

__all__ = [
    "SeqGAN",
    "__version__",
    "callbacks",
    "data",
    "evaluation",
    "models",
    "objectives",
    "pipeline",
    "saving",
    "tuning",
]
