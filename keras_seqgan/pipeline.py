"""The stages around adversarial training, shared by the CLI and the benchmarks.

`keras-seqgan demo`, `keras-seqgan train`, the tuner's pre-training and every benchmark
run the same discriminator pre-training (fresh negatives each round), measure its
accuracy the same way and copy models the same way: from here, so a benchmark is a
preset of the code a user runs. The commands also build their `SeqGAN` here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from keras_seqgan._validation import check_float, check_int
from keras_seqgan.conditions import with_conditions
from keras_seqgan.data.datasets import discriminator_dataset


def copy_model(model, weights=None):
    """A new model of the same class and config as `model`, holding its weights.

    Works for `Generator` and `Discriminator` (anything with `from_config` and a
    `sequence_length`); the copy shares no variables with `model`.

    Args:
        model: a built `keras_seqgan.models.Generator` or `Discriminator`.
        weights: list of arrays or `None`. Weights to load instead of `model`'s (as
            `get_weights()` returns them). Defaults to `None`, `model`'s own.
    """
    clone = model.__class__.from_config(model.get_config())
    if not clone.built:
        clone.build((None, model.sequence_length))
    clone.set_weights(model.get_weights() if weights is None else weights)
    return clone


def adversarial_model(
    generator,
    discriminator,
    *,
    objective="reinforce",
    num_rollouts: int | None = None,
    seed: int | None = None,
    generator_learning_rate: float = 1e-3,
    discriminator_learning_rate: float = 1e-4,
    **compile_arguments,
):
    """A `SeqGAN` of the two networks, compiled with Adam, as the commands train it.

    Args:
        generator: a pre-trained `keras_seqgan.models.Generator`.
        discriminator: a pre-trained `keras_seqgan.models.Discriminator`.
        objective: `"reinforce"`, `"gumbel"` or an objective object. Defaults to
            `"reinforce"`.
        num_rollouts: int >= 1 or `None`. Monte-Carlo rollouts per prefix (reinforce).
            Defaults to `None`, the objective's own.
        seed: int or `None`. The `SeqGAN`'s seed. Defaults to `None`.
        generator_learning_rate: float > 0. Adam's rate for the generator. Defaults to
            `1e-3`.
        discriminator_learning_rate: float > 0. Adam's rate for the discriminator. Defaults
            to `1e-4`.
        **compile_arguments: more `SeqGAN.compile` arguments (e.g.
            `mismatched_conditions`).

    Returns:
        The compiled `SeqGAN`.
    """
    import keras

    from keras_seqgan.seqgan import SeqGAN

    gan = SeqGAN(
        generator, discriminator, objective=objective, num_rollouts=num_rollouts, seed=seed
    )
    gan.compile(
        generator_optimizer=keras.optimizers.Adam(generator_learning_rate),
        discriminator_optimizer=keras.optimizers.Adam(discriminator_learning_rate),
        **compile_arguments,
    )
    return gan


def pretrain_discriminator(
    discriminator,
    generator,
    real,
    *,
    rounds: int,
    epochs: int,
    batch_size: int,
    seed: int,
    fake_seed: int | None = None,
    conditions: dict | None = None,
    mismatched_conditions: float = 0.0,
    first_round: int = 0,
    after_round: Callable[[int], None] | None = None,
    verbose: int | str = 0,
) -> None:
    """Pre-trains a compiled discriminator on real rows against fresh generated ones.

    SeqGAN's loop: each round samples as many new sequences from `generator` as there are
    real ones (at temperature 1.0) and fits `discriminator` on the two sets for `epochs`
    epochs. Round `i` samples with seed `fake_seed + i` and shuffles with `seed + i`.

    Args:
        discriminator: a compiled `Discriminator` (`compile()` sets its optimizer).
        generator: the `Generator` whose samples are the negatives.
        real: int array `[N, T]` of real token ids.
        rounds: int >= 0. Rounds of fresh negatives.
        epochs: int >= 1. Epochs per round.
        batch_size: int >= 1. Rows per batch (real and generated mixed).
        seed: int. Seed of each round's shuffle (`seed + round`).
        fake_seed: int or `None`. Seed of each round's samples (`fake_seed + round`).
            Defaults to `None`, `seed`.
        conditions: dict of condition ids `[N]` or `None`. For a conditional pair: the real
            rows' conditions, under which the negatives are generated too.
        mismatched_conditions: float in `[0, 1)`. With `conditions`: the share of each
            round's negatives that are real rows under another real row's conditions
            instead of generated rows (a matching-aware discriminator, as
            `SeqGAN.compile(mismatched_conditions=...)`), so that it learns to check that
            a sequence fits its conditions. Defaults to `0.0`.
        first_round: int >= 0. Round to start at (to resume: earlier rounds are done).
            Defaults to `0`.
        after_round: callable or `None`. Called with the number of rounds done after each
            round (to save progress). Defaults to `None`.
        verbose: Keras `fit`'s `verbose`. Defaults to `0`.
    """
    rounds = check_int("rounds", rounds, minimum=0)
    epochs = check_int("epochs", epochs)
    seed = check_int("seed", seed, minimum=0)
    fake_seed = seed if fake_seed is None else check_int("fake_seed", fake_seed, minimum=0)
    mismatched_conditions = check_float(
        "mismatched_conditions", mismatched_conditions, low=0.0, high=1.0, high_inclusive=False
    )
    if mismatched_conditions and not conditions:
        raise ValueError(
            "`mismatched_conditions` needs `conditions` (the real rows' condition ids). "
            f"Received: mismatched_conditions={mismatched_conditions}, conditions=None"
        )
    count = int(round(mismatched_conditions * len(real)))
    for index in range(check_int("first_round", first_round, minimum=0), rounds):
        fake = generator.generate(len(real), seed=fake_seed + index, conditions=conditions)
        fake_conditions = conditions
        if count:  # the first `count` negatives: real rows with other rows' conditions
            rng = np.random.default_rng(fake_seed + index)
            rows, donors = rng.permutation(len(real))[:count], rng.permutation(len(real))[:count]
            fake = np.concatenate([np.asarray(real)[rows], fake[count:]])
            fake_conditions = {
                name: np.concatenate([np.asarray(ids)[donors], np.asarray(ids)[count:]])
                for name, ids in conditions.items()
            }
        discriminator.fit(
            discriminator_dataset(
                real, fake, batch_size=batch_size, seed=seed + index,
                real_conditions=conditions, fake_conditions=fake_conditions,
            ),
            epochs=epochs,
            verbose=verbose,
            shuffle=False,
        )  # fmt: skip
        if after_round is not None:
            after_round(index + 1)


def discriminator_accuracy(
    discriminator,
    real,
    fake,
    *,
    real_conditions: dict | None = None,
    fake_conditions: dict | None = None,
    batch_size: int = 256,
) -> float:
    """The share of `real` and `fake` rows a discriminator classifies right.

    A logit above 0 means "real" (the threshold of `Discriminator`'s compiled accuracy);
    dropout is off; a discriminator with a logit per prefix (`[B, T]`) counts each row as
    its share of right logits. Held-out real rows against fresh samples show
    memorization: near 1.0 on training rows and much lower here means the discriminator
    learned its data, not the difference.

    Args:
        discriminator: a `Discriminator`.
        real: int array `[N, T]`, rows that should score "real".
        fake: int array `[M, T]`, rows that should score "fake".
        real_conditions: dict of condition ids `[N]` or `None`, for a conditional
            discriminator: `real`'s conditions. Defaults to `None`.
        fake_conditions: dict of condition ids `[M]` or `None`: `fake`'s conditions.
            Defaults to `None`.
        batch_size: int >= 1. Rows per call. Defaults to `256`.
    """
    from keras import ops

    batch_size = check_int("batch_size", batch_size)
    correct = 0
    for tokens, conditions, is_real in ((real, real_conditions, True),
                                        (fake, fake_conditions, False)):  # fmt: skip
        for start in range(0, len(tokens), batch_size):
            rows = slice(start, start + batch_size)
            inputs = with_conditions(
                tokens[rows],
                None if conditions is None else {k: v[rows] for k, v in conditions.items()},
            )
            logits = ops.convert_to_numpy(discriminator(inputs, training=False))
            # A row's share of right logits: one logit `[B, 1]`, or one per prefix `[B, T]`.
            right = np.asarray(logits).reshape(len(tokens[rows]), -1) > 0
            correct += float(np.sum(np.mean(right == is_real, axis=1)))
    return correct / (len(real) + len(fake))
