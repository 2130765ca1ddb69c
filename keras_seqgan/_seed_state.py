"""Saving a random stream's position with the layer that owns it (one mixin)."""

from __future__ import annotations

import numpy as np

SEED_STATE_KEY = "seed_generator_state"


class SeedStateMixin:
    """Saves and restores the position of a layer's `seed_generator` with its variables.

    Keras saves no `SeedGenerator` state, so a reloaded layer would otherwise restart
    its random stream and a resumed run would not repeat an uninterrupted one. Put it
    before the Keras base class: `class Generator(SeedStateMixin, keras.Model)`. Files
    written before the state was saved load with the stream where the constructor put it.
    """

    def save_own_variables(self, store):
        super().save_own_variables(store)
        store[SEED_STATE_KEY] = np.asarray(self.seed_generator.state)

    def load_own_variables(self, store):
        keys = list(store.keys())
        if SEED_STATE_KEY in keys:
            self.seed_generator.state.assign(np.asarray(store[SEED_STATE_KEY]))
            store = {key: store[key] for key in keys if key != SEED_STATE_KEY}
        super().load_own_variables(store)
