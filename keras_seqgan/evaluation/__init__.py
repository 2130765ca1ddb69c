"""Evaluation: NLL-oracle and NLL-gen (functions; callbacks wrap them)."""

from keras_seqgan.evaluation.nll import nll_gen, nll_oracle

__all__ = ["nll_gen", "nll_oracle"]
