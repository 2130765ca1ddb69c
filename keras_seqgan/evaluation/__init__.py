"""Evaluation: NLL-oracle, NLL-gen, the temperature frontier, BLEU, self-BLEU, MS-Jaccard,
LM scores, set distances (Fréchet, MAUVE), temperature sweeps on text and condition
accuracy (functions)."""

from keras_seqgan.evaluation.bleu import bleu, self_bleu
from keras_seqgan.evaluation.condition_accuracy import (
    ConditionClassifier,
    condition_accuracy,
    train_condition_classifier,
)
from keras_seqgan.evaluation.frechet import frechet_distance, mauve_score
from keras_seqgan.evaluation.frontier import frontier_margin, temperature_frontier
from keras_seqgan.evaluation.jaccard import ms_jaccard
from keras_seqgan.evaluation.lm_score import LMScorer, lm_score, reverse_lm_score
from keras_seqgan.evaluation.nll import nll_gen, nll_oracle
from keras_seqgan.evaluation.sweep import temperature_sweep, text_settings

__all__ = [
    "ConditionClassifier",
    "LMScorer",
    "bleu",
    "condition_accuracy",
    "frechet_distance",
    "frontier_margin",
    "lm_score",
    "mauve_score",
    "ms_jaccard",
    "nll_gen",
    "nll_oracle",
    "reverse_lm_score",
    "self_bleu",
    "temperature_frontier",
    "temperature_sweep",
    "text_settings",
    "train_condition_classifier",
]
