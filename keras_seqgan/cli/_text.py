"""What `keras-seqgan train`, `generate` and `evaluate` share: reading the user's file,
loading a saved model with its tokenizer, generating and scoring text."""

from __future__ import annotations

import os
import re


def _is_csv(path: str) -> bool:
    return path.lower().endswith(".csv")


def load_corpus(path: str, text_column: str, conditions, max_lines=None, encoding="utf-8"):
    """A `TextCorpus` from a CSV (by its extension) or a text file; checks the columns."""
    import keras_seqgan as ks

    if _is_csv(path):
        return ks.data.load_csv_corpus(
            path,
            text_column=text_column,
            condition_columns=tuple(conditions),
            max_rows=max_lines,
            encoding=encoding,
        )
    if conditions:
        raise ValueError(
            f"--data {path}: conditions {list(conditions)} are read from CSV columns, but "
            "the file does not end in .csv, so it would be read as plain text, one "
            "sequence a line. Pass a CSV with a header naming those columns."
        )
    return ks.data.load_text_corpus(path, max_lines=max_lines, encoding=encoding)


def model_generator(path: str):
    """Loads a `.keras` SeqGAN or Generator and returns its generator (with a tokenizer)."""
    import keras_seqgan as ks  # `ks.saving` loads the whole package: Keras knows its classes

    if not os.path.exists(path):
        raise FileNotFoundError(f"model: {path} does not exist")
    try:
        model = ks.saving.load_model(path, compile=False)
    except ValueError as error:
        unknown = _unknown_class(error)
        if unknown is None:
            raise
        # Keras's own message runs to the whole config of the object; one line says it.
        raise ValueError(
            f"model: {path} holds a {unknown!r}, a class neither Keras nor keras-seqgan "
            "defines (saved by another library?); expected a SeqGAN or a Generator saved "
            "by keras-seqgan (`keras-seqgan train` writes seqgan.keras)."
        ) from None
    generator = model.generator if isinstance(model, ks.SeqGAN) else model
    if not isinstance(generator, ks.models.Generator):
        raise ValueError(
            f"model: {path} holds a {type(model).__name__}; expected a SeqGAN or a Generator."
        )
    if getattr(generator, "tokenizer", None) is None:
        raise ValueError(
            f"model: {path} has no tokenizer (it was not trained on text), so it cannot turn "
            "tokens into text. Models written by `keras-seqgan train` carry one."
        )
    return generator


def _unknown_class(error: BaseException) -> str | None:
    """The class name in Keras's "Could not locate class 'X'" error, among `error`'s causes."""
    while error is not None:
        found = re.search(r"Could not locate (?:class|function) '([^']+)'", str(error))
        if found:
            return found.group(1)
        error = error.__cause__ or error.__context__
    return None


def generate_lines(generator, num_samples, conditions=None, temperature=1.0, seed=None):
    """Text lines from a generator with a tokenizer; `conditions`: `{name: str or [str]}`."""
    return generator.generate_text(
        num_samples, conditions=conditions or None, temperature=temperature, seed=seed
    )


def generate_tokens(generator, num_samples, conditions, temperature, seed):
    """Token ids `[N, T]` for `{name: [str] * N}` conditions (checked by the tokenizer)."""
    ids = generator.tokenizer.encode_conditions(conditions) if conditions else None
    return generator.generate(num_samples, temperature=temperature, seed=seed, conditions=ids)


def words(tokenizer, tokens) -> list[list[str]]:
    """Each sequence's words (`keras_seqgan.evaluation.sweep.generated_words`)."""
    from keras_seqgan.evaluation.sweep import generated_words

    return generated_words(tokenizer, tokens)


def text_scores(generator, tokens, references, held_out, conditions, nll_key, seed):
    """NLL of held-out text; BLEU-2..4 of generated `tokens` against `references`,
    Self-BLEU-2..4 and MS-Jaccard-2..4 (`keras_seqgan.evaluation.sweep.text_scores`).

    BLEU compares word lists: the generated ids' words (`words`) and the references split
    by the model's own tokenizer (words and punctuation apart, lowercased as it was
    trained), as Texygen compares `nltk.word_tokenize` tokens; with a subword tokenizer too.
    """
    import keras_seqgan as ks
    from keras_seqgan.evaluation import sweep

    tokenizer = generator.tokenizer
    real = sweep.reference_words(tokenizer, references)
    scores = {nll_key: ks.evaluation.nll_gen(generator, held_out, conditions=conditions)}
    scores.update(sweep.text_scores(words(tokenizer, tokens), real, max_n=4, seed=seed))
    return {key: round(float(value), 5) for key, value in scores.items()}


def print_scores(stage, scores):
    parts = "  ".join(f"{key} {value:.3f}" for key, value in scores.items())
    print(f"[{stage}] {parts}", flush=True)
