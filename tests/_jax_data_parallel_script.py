"""Run in a fresh process by `tests/test_distribution_jax.py` (not a test module).

Trains the same tiny SeqGAN twice in one process on 2 host devices: on one device, then
under `keras.distribution.DataParallel` over both (the batch split between them), and
prints a JSON line with the largest weight difference, both runs' final logs and the
sharding of the distributed model's variables.
"""

from __future__ import annotations

import json
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"
os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"

import jax  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from _models import tiny_gan, tiny_models  # noqa: E402

V, T, B, N = 10, 5, 8, 32


def make_gan(objective):
    # The default dropout: a global-batch draw, the same masks as on one device.
    return tiny_gan(*tiny_models(V, T, discriminator_seed=3), objective=objective)


def train(gan):
    real = np.random.default_rng(0).integers(0, V, size=(N, T)).astype("int32")
    history = gan.fit(real, batch_size=B, epochs=2, shuffle=False, verbose=0).history
    return {key: float(values[-1]) for key, values in history.items()}


def main(objective):
    devices = jax.devices()
    single = make_gan(objective)
    single_logs = train(single)
    with keras.distribution.DataParallel(devices=devices).scope():
        parallel = make_gan(objective)
        parallel_logs = train(parallel)
    difference = max(
        float(np.max(np.abs(np.asarray(a, "float64") - np.asarray(b, "float64"))))
        for a, b in zip(single.weights, parallel.weights, strict=True)
    )
    kernel = parallel.generator.trainable_variables[0].value
    print(
        json.dumps(
            {
                "devices": len(devices),
                "max_weight_difference": difference,
                "single": single_logs,
                "parallel": parallel_logs,
                "variable_devices": len(kernel.sharding.device_set),
                "g_iterations": int(parallel.generator_optimizer.iterations.value),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
