"""Temperature sweeps on text: BLEU, Self-BLEU and MS-Jaccard at several temperatures.

A single (BLEU, Self-BLEU) point misleads: sampling colder raises BLEU and Self-BLEU
together, so a model that looks better on one figure may only be sampling colder. Scored
at several temperatures, a model traces a quality-diversity curve, and one model is
better than another where its curve lies above the other's (Caccia et al., 2020).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from keras_seqgan._validation import check_int, check_seed, draw_seed
from keras_seqgan.evaluation.bleu import bleu, self_bleu
from keras_seqgan.evaluation.frontier import DEFAULT_TEMPERATURES, check_temperatures
from keras_seqgan.evaluation.jaccard import ms_jaccard


def end_at_eos(tokens, tokenizer) -> np.ndarray:
    """Generated ids with everything after the first `<eos>` turned into `<pad>`.

    A generator samples all `sequence_length` positions; real rows hold `<pad>` after
    `<eos>`, so a classifier trained on real rows must see generated rows the same way.
    """
    tokens = np.array(tokens, dtype=np.int32)
    is_eos = tokens == tokenizer.eos_id
    after = np.cumsum(is_eos, axis=1) - is_eos > 0
    tokens[after] = tokenizer.pad_id
    return tokens


def generated_words(tokenizer, tokens) -> list[list[str]]:
    """Each sequence's words, up to its end-of-sequence, padding skipped.

    No re-splitting, so an unknown word stays one token, `<unk>`. Subword pieces are not
    words: a subword tokenizer's sequences are decoded to text and split into words as
    the word-level tokenizer splits them, so that BLEU counts words whatever the tokenizer.
    """
    if getattr(tokenizer, "kind", "word") != "word":
        return [tokenizer.split(text) for text in tokenizer.decode(tokens)]
    vocabulary = tokenizer.vocabulary
    rows = []
    for row in tokens:
        words = []
        for token in row:
            if token == tokenizer.eos_id:
                break
            if token != tokenizer.pad_id:
                words.append(vocabulary[int(token)])
        rows.append(words)
    return rows


def reference_words(tokenizer, references) -> list:
    """Strings split by `tokenizer.split`; token lists kept as they are."""
    if isinstance(references, (str, bytes)) or not isinstance(references, (Sequence, np.ndarray)):
        raise TypeError(
            "`references` must be a list of strings or of token lists. Received: "
            f"references of type {type(references).__name__}"
        )
    if len(references) == 0:
        raise ValueError("`references` must hold at least one sentence. Received: references=[]")
    return [tokenizer.split(text) if isinstance(text, str) else text for text in references]


def text_scores(generated, references, *, max_n: int = 4, seed: int | None = None) -> dict:
    """BLEU-2..n, Self-BLEU-2..n and MS-Jaccard-2..n of generated against real sentences.

    The figures of one point of a sweep. Arguments as `bleu` takes them.
    """
    scores = bleu(generated, references, max_n=max_n, seed=seed)
    scores.update(self_bleu(generated, max_n=max_n, seed=seed))
    scores.update(ms_jaccard(generated, references, max_n=max_n, min_n=min(2, max_n)))
    return scores


def text_settings(tokenizer, num_references: int, num_generated: int) -> dict:
    """What BLEU, Self-BLEU and MS-Jaccard figures depend on besides the model.

    BLEU rises with the number of references and Self-BLEU with the number of generated
    sentences; casing and the splitting of text into tokens move both. State these
    beside every figure (the command line writes them into every results file).

    Args:
        tokenizer: the model's tokenizer (a `keras_seqgan.data.Tokenizer` or
            `SubwordTokenizer`), which split both sides into tokens.
        num_references: int. Reference (real) sentences.
        num_generated: int. Generated sentences scored, at each temperature.

    Returns:
        A dict with `num_references`, `num_generated`, `casing`, `tokenization` and
        `self_bleu` (how Self-BLEU picks its references), all plain JSON types.

    Example:

    ```python
    tokenizer = keras_seqgan.data.Tokenizer(sequence_length=8)
    tokenizer.adapt(["A man rides a horse.", "A cat sleeps."])
    keras_seqgan.evaluation.text_settings(tokenizer, num_references=2, num_generated=500)
    ```
    """
    lowercase = getattr(tokenizer, "lowercase", None)
    casing = {True: "lowercased", False: "as written"}.get(lowercase, "the tokenizer's")
    split = "words and punctuation marks apart (keras_seqgan Tokenizer.split)"
    if getattr(tokenizer, "kind", "word") == "word":
        tokenization = f"{split}; generated lines as the model's words, <unk> one token"
    else:
        tokenization = f"generated {tokenizer.kind} pieces decoded to text; both sides {split}"
    return {
        "num_references": int(num_references),
        "num_generated": int(num_generated),
        "casing": casing,
        "tokenization": tokenization,
        "self_bleu": "each generated line against all the others, itself left out",
    }


def temperature_sweep(
    generator,
    references,
    temperatures: Sequence[float] = DEFAULT_TEMPERATURES,
    *,
    num_samples: int = 500,
    conditions: Mapping[str, object] | None = None,
    max_n: int = 4,
    seed: int | None = None,
    tokenizer=None,
    extra_scores: Callable[[np.ndarray, float], Mapping[str, float]] | None = None,
    progress: Callable[[dict], object] | None = None,
) -> list[dict]:
    """BLEU, Self-BLEU and MS-Jaccard of a text generator sampled at each temperature.

    At each temperature the generator samples `num_samples` lines (the same seed at every
    temperature, so the same noise), and the lines' words are scored against the
    references: `bleu` (quality), `self_bleu` (each line against the other generated
    lines, itself left out: diversity, lower is better) and `ms_jaccard` (both at once).
    The rows trace the model's quality-diversity curve (Self-BLEU-n on x, BLEU-n on y);
    one model beats another where its curve lies above the other's, and
    `frontier_margin(curve, point, x="self_bleu_2", y="bleu_2", higher_is_better=True)`
    says by how much at a given Self-BLEU.

    Both sides are split into words by the tokenizer (`text_settings` says how): the
    references by `tokenizer.split`, the generated lines by mapping their ids to the
    vocabulary's words (decoded and split for a subword tokenizer). Nothing is
    downloaded. BLEU grows with the number of references and Self-BLEU with
    `num_samples`: compare models on equal sizes.

    Args:
        generator: a `keras_seqgan.models.Generator` (or a `SeqGAN`'s `.generator`).
        references: list of str (split by the tokenizer) or of token lists, the real
            sentences; held-out lines, not the training data.
        temperatures: sequence of floats > 0. The sampling temperatures, scored in this
            order. Defaults to `(0.7, 0.8, 0.9, 1.0, 1.1)`.
        num_samples: int >= 2. Lines generated at each temperature. Defaults to `500`.
        conditions: dict or `None`. For a conditional generator, the condition ids of the
            lines, as `Generator.generate` takes them (`{name: id or int array
            [num_samples]}`; `tokenizer.encode_conditions` turns values into ids).
            Defaults to `None`.
        max_n: int >= 2. Highest n-gram order; the rows hold orders 2 to `max_n`.
            Defaults to `4`.
        seed: int or `None`. The sampling seed, the same at every temperature. Defaults
            to `None`: one seed drawn from NumPy's global generator.
        tokenizer: a tokenizer or `None`. Splits the text into words. Defaults to
            `None`: the generator's own `tokenizer`.
        extra_scores: callable or `None`. Called as `extra_scores(tokens, temperature)`
            with each temperature's generated ids `[num_samples, T]` (after `<eos>`
            padded, as real rows are), returning a dict of more figures for the row (e.g.
            a `ConditionClassifier`'s accuracy, or `LMScorer.scores`: LM score, reverse
            LM score and Fréchet distance). Defaults to `None`.
        progress: callable or `None`. Called with each row as soon as it is scored
            (e.g. `print`), so a long sweep shows where it is. Defaults to `None`.

    Returns:
        A list of dicts, one per temperature in the given order: `temperature`,
        `bleu_2..max_n`, `self_bleu_2..max_n`, `ms_jaccard_2..max_n` (floats in
        `[0, 1]`) and whatever `extra_scores` adds.

    Example:

    ```python
    lines = ["a man rides a horse", "a cat sleeps on a sofa", "a dog runs on a beach"]
    tokenizer = keras_seqgan.data.Tokenizer(sequence_length=8)
    tokenizer.adapt(lines)
    generator = keras_seqgan.models.Generator(
        vocabulary_size=tokenizer.vocabulary_size,
        sequence_length=tokenizer.sequence_length,
        tokenizer=tokenizer,
    )  # untrained here: train it with `fit` first
    rows = keras_seqgan.evaluation.temperature_sweep(
        generator, lines, temperatures=(0.8, 1.0), num_samples=20, seed=1
    )
    for row in rows:
        print(row["temperature"], row["bleu_2"], row["self_bleu_2"])
    ```

    Reference:
        - [Caccia et al., 2020](https://arxiv.org/abs/1811.02549), "Language GANs
          Falling Short": compare temperature curves, not single points.
    """
    temperatures = check_temperatures(temperatures)
    num_samples = check_int("num_samples", num_samples, 2)
    max_n = check_int("max_n", max_n, 2)
    tokenizer = tokenizer if tokenizer is not None else getattr(generator, "tokenizer", None)
    if tokenizer is None:
        raise ValueError(
            "temperature_sweep needs a tokenizer to turn generated ids into words: pass "
            "`tokenizer=` or a generator built with one (`Generator(tokenizer=...)`)."
        )
    if extra_scores is not None and not callable(extra_scores):
        raise TypeError(f"`extra_scores` must be callable or None. Received: {extra_scores!r}")
    if progress is not None and not callable(progress):
        raise TypeError(f"`progress` must be callable or None. Received: {progress!r}")
    seed = check_seed(seed)
    seed = draw_seed() if seed is None else seed
    real = reference_words(tokenizer, references)
    rows = []
    for temperature in temperatures:
        tokens = generator.generate(
            num_samples, temperature=temperature, seed=seed, conditions=conditions
        )
        tokens = end_at_eos(tokens, tokenizer)
        scores = text_scores(generated_words(tokenizer, tokens), real, max_n=max_n, seed=seed)
        row = {"temperature": temperature, **{k: float(v) for k, v in scores.items()}}
        if extra_scores is not None:
            row.update(extra_scores(tokens, temperature))
        rows.append(row)
        if progress is not None:
            progress(row)
    return rows
