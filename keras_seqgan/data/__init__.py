"""Data: the SeqGAN oracle, text corpora, word and subword tokenizers, token checks, `tf.data`
pipelines."""

from keras_seqgan.data.corpus import TextCorpus, load_csv_corpus, load_text_corpus
from keras_seqgan.data.datasets import (
    DataPosition,
    EpochOrder,
    discriminator_dataset,
    mle_dataset,
    sequence_dataset,
    validate_conditions,
    validate_tokens,
)
from keras_seqgan.data.oracle import OracleLSTM
from keras_seqgan.data.subword_tokenizer import SubwordTokenizer
from keras_seqgan.data.tokenizer import Tokenizer

__all__ = [
    "DataPosition",
    "EpochOrder",
    "OracleLSTM",
    "SubwordTokenizer",
    "TextCorpus",
    "Tokenizer",
    "discriminator_dataset",
    "load_csv_corpus",
    "load_text_corpus",
    "mle_dataset",
    "sequence_dataset",
    "validate_conditions",
    "validate_tokens",
]
