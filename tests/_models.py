"""The tiny networks the tests train, built in one place.

Test files and the scripts that tests run in a fresh process (`_resume_script.py`,
`_distribution_script.py`, `_jax_data_parallel_script.py`) import these as plain
functions rather than fixtures: most tests build several models with different
arguments, and a script in a subprocess cannot use pytest fixtures.
"""

from __future__ import annotations

import keras

import keras_seqgan as ks
from keras_seqgan.models import Discriminator, Generator, PrefixDiscriminator


def tiny_models(
    vocabulary_size: int,
    sequence_length: int,
    *,
    global_seed: int | None = 0,
    generator_seed: int | None = 1,
    discriminator_seed: int | None = None,
    embedding_dim: int = 4,
    hidden_dim: int = 4,
    discriminator_embedding_dim: int = 4,
    filter_sizes=(1, 2),
    num_filters: int = 4,
    dropout: float = 0.25,
    generator_class=Generator,
    **generator_kwargs,
):
    """A small generator and discriminator (the discriminator with its default dropout
    unless `dropout` says otherwise). `global_seed=None` leaves Keras's global seed alone,
    as a user who never calls `keras.utils.set_random_seed` does."""
    if global_seed is not None:
        keras.utils.set_random_seed(global_seed)
    generator = generator_class(
        vocabulary_size=vocabulary_size,
        sequence_length=sequence_length,
        embedding_dim=embedding_dim,
        hidden_dim=hidden_dim,
        seed=generator_seed,
        **generator_kwargs,
    )
    discriminator = Discriminator(
        vocabulary_size=vocabulary_size,
        sequence_length=sequence_length,
        embedding_dim=discriminator_embedding_dim,
        filter_sizes=tuple(filter_sizes),
        num_filters=(num_filters,) * len(filter_sizes),
        dropout=dropout,
        seed=discriminator_seed,
    )
    return generator, discriminator


def tiny_gan(
    generator,
    discriminator,
    *,
    objective="reinforce",
    num_rollouts: int | None = 2,
    seed: int | None = 5,
    generator_optimizer=None,
    discriminator_optimizer=None,
    compile: bool = True,
    **compile_kwargs,
) -> ks.SeqGAN:
    """A `SeqGAN` of the two networks, compiled with Adam(1e-2) for both unless other
    optimizers are given (`compile=False`: not compiled, and no compile arguments)."""
    gan = ks.SeqGAN(
        generator, discriminator, objective=objective, num_rollouts=num_rollouts, seed=seed
    )
    if compile:
        gan.compile(
            generator_optimizer=generator_optimizer or keras.optimizers.Adam(1e-2),
            discriminator_optimizer=discriminator_optimizer or keras.optimizers.Adam(1e-2),
            **compile_kwargs,
        )
    return gan


def tiny_dense_models(
    vocabulary_size: int,
    sequence_length: int,
    *,
    generator_seed: int | None = 1,
    discriminator_seed: int | None = 2,
    hidden_dim: int = 4,
    conditions=None,
    **discriminator_kwargs,
):
    """A small generator and `PrefixDiscriminator` (its defaults: layer normalization,
    dropout 0.1, L2 1e-6, unless `discriminator_kwargs` say otherwise), every random
    number from their seeds."""
    generator = Generator(
        vocabulary_size=vocabulary_size,
        sequence_length=sequence_length,
        embedding_dim=4,
        hidden_dim=hidden_dim,
        seed=generator_seed,
        initializer=keras.initializers.RandomNormal(stddev=0.1, seed=generator_seed),
        conditions=conditions,
    )
    discriminator = PrefixDiscriminator(
        vocabulary_size=vocabulary_size,
        sequence_length=sequence_length,
        embedding_dim=4,
        hidden_dim=hidden_dim,
        seed=discriminator_seed,
        conditions=conditions,
        **discriminator_kwargs,
    )
    return generator, discriminator
