"""Evaluation: NLL-oracle, NLL-gen, the temperature frontier, BLEU, self-BLEU and
condition accuracy (functions)."""

from keras_seqgan.evaluation.frontier import frontier_margin, temperature_frontier
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
    "frontier_margin",
    "nll_gen",
    "nll_oracle",
    "self_bleu",
    "temperature_frontier",
    "train_condition_classifier",
]
