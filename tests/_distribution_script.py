"""Helper run in fresh processes by `tests/test_distribution_tf.py` (not a test module).

Usage:
    python tests/_distribution_script.py mirrored OBJECTIVE OUT.json
    python tests/_distribution_script.py worker OBJECTIVE INDEX PORT0,PORT1 OUT.json

`mirrored` splits the CPU into two logical devices (before TensorFlow initializes them)
and trains under `tf.distribute.MirroredStrategy` on both. `worker` is one of two
processes of a `MultiWorkerMirroredStrategy` on loopback (`TF_CONFIG` is set here from
the ports). Each writes what it measured to OUT.json; the test module asserts.

The exact comparison uses a degenerate generator (output logits with a gap of 1000, so
softmax is exactly one-hot in float32): its samples, Gumbel-relaxed or not, and its
rollouts are the same token whatever the random numbers, so one device and the
replicas see the same fakes, and the only differences left are float summation order.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

V, T, GLOBAL_BATCH, STEPS = 10, 5, 8, 3
POISON = V - 1  # never in real data, except where a test puts it (`poison=True`)
# reinforce: no clipping, so a gradient summed instead of averaged over the replicas
# would show (SGD is not scale-invariant); gumbel: a clip small enough to be active, so
# clipping each replica's gradient instead of the global one would show.
CLIP = {"reinforce": None, "gumbel": 0.01}


def main(argv):
    mode, objective = argv[0], argv[1]
    if mode == "worker":
        index, ports, out = int(argv[2]), argv[3].split(","), argv[4]
        os.environ["TF_CONFIG"] = json.dumps(
            {
                "cluster": {"worker": [f"localhost:{port}" for port in ports]},
                "task": {"type": "worker", "index": index},
            }
        )
    import tensorflow as tf

    if mode == "mirrored":
        out = argv[2]
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * 2
        )
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    elif mode == "worker":
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
    else:
        raise SystemExit(f"unknown mode {mode!r}")

    distributed = train(strategy, objective, degenerate=True)
    result = {
        "num_replicas": strategy.num_replicas_in_sync,
        "distributed": distributed["logs"],
        "distributed_evaluate": distributed["evaluate"],
        "local_copies_equal": distributed["sync"],
        "weights": [w.tolist() for w in distributed["weights"]],
    }
    if mode == "mirrored" or strategy.cluster_resolver.task_id == 0:
        # The reference: one device (the default strategy), the same global batches.
        single = train(None, objective, degenerate=True)
        result["single"] = single["logs"]
        result["single_evaluate"] = single["evaluate"]
        result["max_weight_difference"] = max(
            float(abs(a - b).max())
            for a, b in zip(single["weights"], distributed["weights"], strict=True)
        )
    if mode == "mirrored":
        result["regular"] = regular_generator_checks(strategy, objective)
        result["poisoned"] = poisoned_checks(strategy, objective)
    with open(out, "w") as handle:
        json.dump(result, handle)


def real_tokens(poison=False):
    import numpy as np

    tokens = np.random.default_rng(0).integers(0, POISON, size=(STEPS * GLOBAL_BATCH, T))
    if poison:
        # One real row of step 1, in the second replica's half of the global batch.
        tokens[GLOBAL_BATCH + GLOBAL_BATCH - 1, 0] = POISON
    return tokens.astype("int32")


def PoisonedDiscriminator(inner):
    """`inner`, whose gradient is NaN for any row holding the token `POISON`."""
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable("distribution_script")
    class Poisoned(keras.Model):
        def __init__(self, inner, **kwargs):
            super().__init__(**kwargs)
            self.inner = inner

        def call(self, tokens, training=False):
            if len(tokens.shape) == 2:  # ids: Keras's Model.__call__ made them float32
                tokens = ops.cast(tokens, "int32")
            logits = self.inner(tokens, training=training)
            if len(tokens.shape) == 3:  # relaxed one-hot rows (gumbel)
                tokens = ops.argmax(tokens, axis=-1)
            hit = ops.any(ops.equal(tokens, POISON), axis=1, keepdims=True)
            # NaN times the logit: the loss and every gradient through the row are NaN.
            return logits * ops.where(hit, float("nan"), 1.0)

    return Poisoned(inner)


def build(objective, degenerate, poison=False):
    import keras
    import numpy as np
    from _models import tiny_gan, tiny_models

    # The default dropout, 0.25: each row of the global batch gets one device's mask.
    generator, discriminator = tiny_models(V, T, discriminator_seed=3)
    if poison:
        discriminator = PoisonedDiscriminator(discriminator)
    if degenerate:
        kernel, bias = generator.output_projection.weights
        kernel.assign(np.zeros(kernel.shape, "float32"))
        bias.assign(np.eye(V, dtype="float32")[3] * 1000.0)  # always token 3
    return tiny_gan(
        generator,
        discriminator,
        objective=objective,
        discriminator_optimizer=keras.optimizers.SGD(0.5),
        gradient_clip=CLIP[objective],
    )


def train(strategy, objective, degenerate, poison=False):
    import numpy as np
    import tensorflow as tf

    import keras_seqgan as ks

    scope = strategy.scope() if strategy is not None else tf.distribute.get_strategy().scope()
    with scope:
        gan = build(objective, degenerate, poison)
    generator_before = [np.asarray(w) for w in gan.generator.weights]
    dataset = ks.data.sequence_dataset(real_tokens(poison), batch_size=GLOBAL_BATCH, shuffle=False)
    # One step per epoch: the history holds every step's logs (trackers reset per epoch).
    history = gan.fit(dataset, epochs=STEPS, steps_per_epoch=1, verbose=0)
    logs = {key: [float(v) for v in values] for key, values in history.history.items()}
    # `evaluate` (the test step) over the same global batches, after training.
    evaluation = gan.evaluate(dataset, steps=STEPS, return_dict=True, verbose=0)
    variables = (
        gan.weights
        + gan.generator_optimizer.variables
        + gan.discriminator_optimizer.variables
        + [gan.seed_generator.state]
    )
    sync = True
    if strategy is not None:
        for variable in variables:
            copies = [np.asarray(c) for c in strategy.experimental_local_results(variable.value)]
            sync = sync and all(np.array_equal(copies[0], c) for c in copies[1:])
    return {
        "logs": logs,
        "evaluate": {key: float(value) for key, value in evaluation.items()},
        "weights": [np.asarray(w) for w in gan.weights],
        "sync": sync,
        "gan": gan,
        "generator_changed": any(
            not np.array_equal(a, np.asarray(b))
            for a, b in zip(generator_before, gan.generator.weights, strict=True)
        ),
    }


def regular_generator_checks(strategy, objective):
    """A regular generator on two replicas: the replicas draw different numbers."""
    import keras
    import numpy as np

    run = train(strategy, objective, degenerate=False)
    gan = run["gan"]
    state = np.asarray(gan.seed_generator.state.value)

    def draw():
        return gan.generator.sample(GLOBAL_BATCH // 2, seed=gan.seed_generator)

    per_replica = [np.asarray(x) for x in strategy.experimental_local_results(strategy.run(draw))]
    stream = keras.random.SeedGenerator(0)
    stream.state.assign(state)
    one_device = np.asarray(gan.generator.sample(GLOBAL_BATCH // 2, seed=stream))
    return {
        "logs": run["logs"],
        "local_copies_equal": run["sync"],
        "replicas_sample_differently": not np.array_equal(per_replica[0], per_replica[1]),
        "replica_0_samples_as_one_device": bool(np.array_equal(per_replica[0], one_device)),
        "generator_changed": run["generator_changed"],
    }


def poisoned_checks(strategy, objective):
    """A NaN gradient on one replica's share only: every replica skips that update."""
    import numpy as np

    distributed = train(strategy, objective, degenerate=True, poison=True)
    single = train(None, objective, degenerate=True, poison=True)
    return {
        "distributed": distributed["logs"],
        "single": single["logs"],
        "local_copies_equal": distributed["sync"],
        "weights_finite": all(bool(np.isfinite(w).all()) for w in distributed["weights"]),
        "max_weight_difference": max(
            float(abs(a - b).max())
            for a, b in zip(single["weights"], distributed["weights"], strict=True)
        ),
    }


if __name__ == "__main__":
    main(sys.argv[1:])
