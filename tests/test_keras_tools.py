"""The rest of issue 27's table: standard Keras tools a user reaches for, on a SeqGAN."""

import keras
import numpy as np
from _models import tiny_gan, tiny_models

V, T, B = 20, 6, 4
REAL = np.random.default_rng(0).integers(0, V, (4 * B, T)).astype("int32")


def gan():
    return tiny_gan(*tiny_models(V, T), num_rollouts=2)


def test_model_checkpoint_with_weights_only(tmp_path):
    path = str(tmp_path / "gan.weights.h5")
    model = gan()
    checkpoint = keras.callbacks.ModelCheckpoint(path, save_weights_only=True)
    model.fit(REAL, batch_size=B, epochs=1, verbose=0, callbacks=[checkpoint])
    restored = gan()
    restored.load_weights(path)
    for a, b in zip(model.weights, restored.weights, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=a.path)


def test_evaluate_and_validation_split():
    model = gan()
    history = model.fit(REAL, batch_size=B, epochs=1, verbose=0, validation_split=0.25)
    assert np.isfinite(history.history["val_d_loss"][0])
    # Validation scores the discriminator on held-out real rows against fresh fakes.
    assert {"val_d_loss", "val_d_acc", "val_d_loss_real", "val_d_loss_fake"} <= set(history.history)
    scores = model.evaluate(REAL, batch_size=B, verbose=0, return_dict=True)
    assert {"d_loss", "d_acc"} <= scores.keys() and np.isfinite(scores["d_loss"])


def test_clone_model_builds_the_same_networks():
    model = gan()
    clone = keras.models.clone_model(model)
    assert type(clone) is type(model) and clone is not model
    assert clone.num_rollouts == model.num_rollouts
    assert [w.shape for w in clone.weights] == [w.shape for w in model.weights]
