"""Per-backend plumbing (gradients, branches, the state a step threads, the RNG): the only
modules that import a backend framework or ask which backend runs."""

import keras

_BACKEND = keras.backend.backend()

if _BACKEND == "tensorflow":
    from keras_seqgan.backend.tensorflow import (
        apply_gradients,
        auto_jit_compile,
        compile_function,
        cond,
        export_generation,
        has_accelerator,
        map_sequential,
        num_replicas,
        replica_mean,
        run_step,
        scan,
        step_logs,
        token_cross_entropy,
        trainer_optimizer,
        uniform,
        value_and_gradients,
    )
elif _BACKEND == "jax":
    from keras_seqgan.backend.jax import (
        apply_gradients,
        auto_jit_compile,
        compile_function,
        cond,
        export_generation,
        has_accelerator,
        map_sequential,
        num_replicas,
        replica_mean,
        run_step,
        scan,
        step_logs,
        token_cross_entropy,
        trainer_optimizer,
        uniform,
        value_and_gradients,
    )
else:
    raise ImportError(
        "keras_seqgan runs on the TensorFlow and JAX backends; KERAS_BACKEND is "
        f"{_BACKEND!r}. Set KERAS_BACKEND=tensorflow or KERAS_BACKEND=jax."
    )

__all__ = [
    "apply_gradients",
    "auto_jit_compile",
    "compile_function",
    "cond",
    "export_generation",
    "has_accelerator",
    "map_sequential",
    "num_replicas",
    "replica_mean",
    "run_step",
    "scan",
    "step_logs",
    "token_cross_entropy",
    "trainer_optimizer",
    "uniform",
    "value_and_gradients",
]
