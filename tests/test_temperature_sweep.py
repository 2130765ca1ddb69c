"""`keras_seqgan.evaluation.temperature_sweep` (text), `frontier_margin` on BLEU curves and
`keras_seqgan.plotting.plot_quality_diversity`, on a tiny untrained generator."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import keras_seqgan as ks
from keras_seqgan.evaluation.sweep import end_at_eos, generated_words

LINES = ["a man rides a horse .", "a cat sleeps on a sofa .", "a dog runs on the beach .",
         "two men ride horses .", "the cat is on the sofa ."]  # fmt: skip


@pytest.fixture(scope="module")
def tiny():
    # The initial weights come from Keras's global seed: set here, so that they do not
    # depend on the tests that ran before in this process. (Under another seed the
    # untrained generator's likeliest first token can be the end of the line: near-greedy
    # samples are then all empty, and `test_cold_sampling_repeats_itself` has nothing.)
    keras.utils.set_random_seed(0)
    tokenizer = ks.data.Tokenizer(sequence_length=6).adapt(
        LINES, {"animal": ["x", "y"] * 2 + ["x"]}
    )
    generator = ks.models.Generator(
        vocabulary_size=tokenizer.vocabulary_size, sequence_length=6, embedding_dim=4,
        hidden_dim=4, conditions=tokenizer.condition_sizes, tokenizer=tokenizer, seed=1,
    )  # fmt: skip
    return tokenizer, generator


def test_rows_hold_every_figure_at_each_temperature_in_order(tiny):
    tokenizer, generator = tiny
    ids = tokenizer.encode_conditions({"animal": ["x", "y"] * 5})
    seen = []
    rows = ks.evaluation.temperature_sweep(
        generator, LINES, (1.0, 0.5), num_samples=10, conditions=ids, max_n=3, seed=4,
        progress=seen.append,
    )  # fmt: skip
    assert [row["temperature"] for row in rows] == [1.0, 0.5] and seen == rows
    expected = {"temperature"} | {f"{name}_{n}" for name in ("bleu", "self_bleu", "ms_jaccard")
                                  for n in (2, 3)}  # fmt: skip
    assert all(set(row) == expected for row in rows)
    assert all(0.0 <= row[key] <= 1.0 for row in rows for key in expected - {"temperature"})
    # Each row is BLEU / Self-BLEU / MS-Jaccard of what `generate` gives at that temperature
    # and seed, its words against the references split by the tokenizer.
    tokens = generator.generate(10, temperature=0.5, seed=4, conditions=ids)
    words = generated_words(tokenizer, tokens)
    references = [tokenizer.split(line) for line in LINES]
    assert rows[1]["bleu_3"] == pytest.approx(
        ks.evaluation.bleu(words, references, max_n=3)["bleu_3"]
    )
    assert rows[1]["self_bleu_2"] == pytest.approx(
        ks.evaluation.self_bleu(words, max_n=3)["self_bleu_2"]
    )
    jaccard = ks.evaluation.ms_jaccard(words, references, max_n=3, min_n=2)
    assert rows[1]["ms_jaccard_3"] == pytest.approx(jaccard["ms_jaccard_3"])
    # Seeded: the same rows again.
    again = ks.evaluation.temperature_sweep(
        generator, LINES, (1.0, 0.5), num_samples=10, conditions=ids, max_n=3, seed=4
    )
    assert again == rows


def test_cold_sampling_repeats_itself(tiny):
    # Near-greedy sampling repeats the likeliest words: Self-BLEU rises. (An untrained
    # generator's logits are nearly flat, so "near-greedy" needs a temperature far below 1.)
    _, generator = tiny
    rows = ks.evaluation.temperature_sweep(
        generator, LINES, (1e-4, 1.0), num_samples=12, conditions={"animal": 0}, seed=2
    )
    assert rows[0]["self_bleu_2"] > rows[1]["self_bleu_2"] + 0.2, rows


def test_extra_scores_see_rows_padded_after_eos(tiny):
    tokenizer, generator = tiny
    received = []

    def extra(tokens, temperature):
        received.append((tokens, temperature))
        return {"rows": float(len(tokens))}

    rows = ks.evaluation.temperature_sweep(
        generator, LINES, (0.9,), num_samples=8, conditions={"animal": 1}, seed=3,
        extra_scores=extra,
    )  # fmt: skip
    assert rows[0]["rows"] == 8.0 and received[0][1] == 0.9
    tokens = received[0][0]
    raw = generator.generate(8, temperature=0.9, seed=3, conditions={"animal": 1})
    np.testing.assert_array_equal(tokens, end_at_eos(raw, tokenizer))
    for row in tokens:  # nothing but <pad> after the first <eos>
        eos = np.flatnonzero(row == tokenizer.eos_id)
        if eos.size:
            assert (row[eos[0] + 1 :] == tokenizer.pad_id).all()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"temperatures": (0.0, 1.0)}, ValueError, "temperatures"),
        ({"temperatures": ()}, ValueError, "temperatures"),
        ({"temperatures": (-1,)}, ValueError, "temperatures"),
        ({"num_samples": 1}, ValueError, "num_samples"),
        ({"max_n": 1}, ValueError, "max_n"),
        ({"extra_scores": "accuracy"}, TypeError, "extra_scores"),
        ({"references": "a man rides a horse"}, TypeError, "references"),
        ({"references": []}, ValueError, "references"),
    ],
)
def test_bad_arguments_raise(tiny, kwargs, error, match):
    _, generator = tiny
    arguments = {"references": LINES, "num_samples": 4, "conditions": {"animal": 0}, **kwargs}
    with pytest.raises(error, match=match):
        ks.evaluation.temperature_sweep(generator, **arguments)


def test_a_generator_without_tokenizer_needs_one():
    generator = ks.models.Generator(vocabulary_size=8, sequence_length=4, embedding_dim=4,
                                    hidden_dim=4)  # fmt: skip
    with pytest.raises(ValueError, match="tokenizer"):
        ks.evaluation.temperature_sweep(generator, LINES, (1.0,), num_samples=4)


def test_frontier_margin_on_a_bleu_curve_is_hand_computed():
    curve = [{"self_bleu_2": 0.6, "bleu_2": 0.7}, {"self_bleu_2": 0.8, "bleu_2": 0.8}]
    margin = ks.evaluation.frontier_margin
    bleu = {"x": "self_bleu_2", "y": "bleu_2", "higher_is_better": True}
    # At Self-BLEU-2 0.7 the curve is at 0.75: 0.77 lies 0.02 above it, 0.72 0.03 below.
    assert margin(curve, {"self_bleu_2": 0.7, "bleu_2": 0.77}, **bleu) == pytest.approx(0.02)
    assert margin(curve, {"self_bleu_2": 0.7, "bleu_2": 0.72}, **bleu) == pytest.approx(-0.03)
    assert margin(curve, {"self_bleu_2": 0.9, "bleu_2": 0.9}, **bleu) is None
    # The NLL defaults are unchanged: lower is better, frontier minus point.
    nll = [{"nll_gen": 1.0, "nll_oracle": 9.0}, {"nll_gen": 2.0, "nll_oracle": 8.0}]
    assert margin(nll, {"nll_gen": 1.5, "nll_oracle": 8.25}) == pytest.approx(0.25)


def test_plot_quality_diversity_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    from keras_seqgan.plotting import plot_quality_diversity

    mle = [{"temperature": t, "bleu_2": b, "self_bleu_2": s, "bleu_3": b / 2, "self_bleu_3": s / 2}
           for t, b, s in ((0.8, 0.8, 0.85), (1.0, 0.72, 0.75))]  # fmt: skip
    gan = [{"temperature": 1.0, "bleu_2": 0.76, "self_bleu_2": 0.8, "bleu_3": 0.3,
            "self_bleu_3": 0.4}]  # fmt: skip
    path = plot_quality_diversity(
        {"mle": mle, "gan": gan}, tmp_path / "qd.png",
        pairs=[("self_bleu_2", "bleu_2"), ("self_bleu_3", "bleu_3")], title="test",
    )  # fmt: skip
    assert path == str(tmp_path / "qd.png")
    assert (tmp_path / "qd.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="empty"):
        plot_quality_diversity({}, tmp_path / "x.png")
    with pytest.raises(ValueError, match="bleu_2"):
        plot_quality_diversity({"mle": [{"temperature": 1.0}]}, tmp_path / "x.png")
    with pytest.raises(ValueError, match="pairs"):
        plot_quality_diversity({"mle": mle}, tmp_path / "x.png", pairs=[])
