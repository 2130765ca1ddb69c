"""BLEU as the text-GAN community now expects it: Self-BLEU never counts the sentence
itself among its references (Texygen #46), and the figures' settings are stated."""

from __future__ import annotations

import math
import warnings

import pytest
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

import keras_seqgan as ks
from keras_seqgan.evaluation import self_bleu

pytestmark = pytest.mark.backend_independent(
    "BLEU is Python over token lists; the models it scores are tested on both backends"
)


def leave_one_out(sentences, order):
    """Self-BLEU written out with nltk: each sentence against all the others, by position."""
    words = [sentence.split() for sentence in sentences]
    weights = (1.0 / order,) * order
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = [
            sentence_bleu(
                words[:i] + words[i + 1 :],
                hypothesis,
                weights,
                smoothing_function=SmoothingFunction().method1,
            )  # fmt: skip
            for i, hypothesis in enumerate(words)
        ]
    return sum(scores) / len(scores)


def test_self_bleu_counts_a_duplicate_but_never_the_sentence_itself():
    # Three distinct sentences share no word: each scores 0 against the others. Were a
    # sentence among its own references, each would score 1 (mean 1).
    distinct = self_bleu(["a b c d", "e f g h", "i j k l"], max_n=2)
    assert distinct["self_bleu_2"] == 0.0
    # One sentence twice: each copy matches the *other* copy (1), the third matches
    # nothing (0): mean 2/3. Counting itself would give 1 to all three.
    duplicated = self_bleu(["a b c d", "a b c d", "e f g h"], max_n=2)
    assert duplicated["self_bleu_2"] == pytest.approx(2 / 3, abs=1e-12)
    assert duplicated["self_bleu_2"] == pytest.approx(
        leave_one_out(["a b c d", "a b c d", "e f g h"], 2), abs=1e-12
    )


def test_self_bleu_leaves_the_sentence_itself_out_of_the_brevity_penalty():
    # "a b c" has one other sentence, 4 words long: its brevity penalty is exp(1 - 4/3).
    # Were its own length (3) among the reference lengths, the penalty would be 1.
    sentences = ["a b c d", "a b c"]
    result = self_bleu(sentences, max_n=3, min_n=1)
    for order in (1, 2, 3):
        assert result[f"self_bleu_{order}"] == pytest.approx(
            leave_one_out(sentences, order), abs=1e-12
        )
    # "a b c d" against "a b c": precision 3/4 at order 1, no penalty (it is longer);
    # "a b c" against "a b c d": precision 1 at order 1, penalty exp(1 - 4/3).
    expected = (3 / 4 + math.exp(1 - 4 / 3)) / 2
    assert result["self_bleu_1"] == pytest.approx(expected, abs=1e-12)


def test_text_settings_state_sizes_casing_and_tokenization():
    tokenizer = ks.data.Tokenizer(sequence_length=6).adapt(["A man rides.", "A cat sleeps."])
    settings = ks.evaluation.text_settings(tokenizer, num_references=2, num_generated=10)
    assert settings["num_references"] == 2 and settings["num_generated"] == 10
    assert settings["casing"] == "lowercased"
    assert "punctuation" in settings["tokenization"]
    assert "itself left out" in settings["self_bleu"]
    cased = ks.data.Tokenizer(sequence_length=6, lowercase=False).adapt(["A man."])
    assert ks.evaluation.text_settings(cased, 1, 2)["casing"] == "as written"
