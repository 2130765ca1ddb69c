"""Pre-training is plain `fit`: MLE for the generator, real-vs-fake for the discriminator."""

import keras
import numpy as np

import keras_seqgan as ks

V, T = 12, 6


def pretrain_generator(seed, real, steps):
    keras.utils.set_random_seed(seed)
    generator = ks.models.Generator(
        vocabulary_size=V, sequence_length=T, embedding_dim=8, hidden_dim=16, seed=seed
    )
    generator.compile(optimizer=keras.optimizers.Adam(2e-2, global_clipnorm=5.0))
    if steps:
        dataset = ks.data.mle_dataset(real, batch_size=32, seed=seed, repeat=True)
        generator.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0)
    return generator


def test_mle_pretraining_lowers_nll_oracle_and_is_seeded():
    oracle = ks.data.OracleLSTM(
        vocabulary_size=V, sequence_length=T, embedding_dim=8, hidden_dim=8, seed=4
    )
    real = oracle.sample(512, seed=5)
    untrained = pretrain_generator(1, real, steps=0)
    trained = pretrain_generator(1, real, steps=60)
    before = ks.evaluation.nll_oracle(oracle, untrained.generate(1000, seed=6))
    after = ks.evaluation.nll_oracle(oracle, trained.generate(1000, seed=6))
    held_out = oracle.sample(500, seed=7)
    assert after < before - 0.3, (before, after)
    assert ks.evaluation.nll_gen(trained, held_out) < ks.evaluation.nll_gen(untrained, held_out)

    again = pretrain_generator(1, real, steps=60)
    for a, b in zip(trained.weights, again.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_discriminator_pretraining_separates_real_from_generated():
    oracle = ks.data.OracleLSTM(
        vocabulary_size=V, sequence_length=T, embedding_dim=8, hidden_dim=8, seed=4
    )
    real = oracle.sample(512, seed=5)
    generator = ks.models.Generator(vocabulary_size=V, sequence_length=T, seed=2)
    fake = generator.generate(512, seed=3)
    keras.utils.set_random_seed(0)
    discriminator = ks.models.Discriminator(
        vocabulary_size=V,
        sequence_length=T,
        embedding_dim=8,
        filter_sizes=(1, 2, 3),
        num_filters=(16, 16, 16),
    )
    discriminator.compile(optimizer=keras.optimizers.Adam(1e-2))
    history = discriminator.fit(
        ks.data.discriminator_dataset(real, fake, batch_size=64, seed=1), epochs=4, verbose=0
    )
    assert history.history["accuracy"][-1] > 0.75
    assert history.history["loss"][-1] < history.history["loss"][0]
