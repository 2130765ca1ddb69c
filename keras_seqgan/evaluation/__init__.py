"""Evaluation: NLL-oracle, NLL-gen, the temperature frontier, BLEU, self-BLEU, MS-Jaccard,
temperature sweeps on text and condition accuracy (functions)."""

from keras_seqgan.evaluation.bleu import bleu, self_bleu
from keras_seqgan.evaluation.condition_accuracy import (
    ConditionClassifier,
    condition_accuracy,
    train_condition_classifier,
)
from keras_seqgan.evaluation.frontier import frontier_margin, temperature_frontier
from keras_seqgan.evaluation.jaccard import ms_jaccard
from keras_seqgan.evaluation.nll import nll_gen, nll_oracle
from keras_seqgan.evaluation.sweep import temperature_sweep, text_settings

__all__ = [
    "ConditionClassifier",
    "bleu",
    "condition_accuracy",
    "frontier_margin",
    "ms_jaccard",
    "nll_gen",
    "nll_oracle",
    "self_bleu",
    "temperature_frontier",
    "temperature_sweep",
    "text_settings",
    "train_condition_classifier",
]
