"""Evaluation: NLL-oracle, NLL-gen, BLEU, self-BLEU and condition accuracy (functions)."""

from keras_seqgan.evaluation.nll import nll_gen, nll_oracle
from keras_seqgan.evaluation.text import (
    ConditionClassifier,
    bleu,
    condition_accuracy,
    self_bleu,
    train_condition_classifier,
)

__all__ = [
    "ConditionClassifier",
    "bleu",
    "condition_accuracy",
    "nll_gen",
    "nll_oracle",
    "self_bleu",
    "train_condition_classifier",
]
