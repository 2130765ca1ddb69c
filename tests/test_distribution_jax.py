"""Data-parallel training on JAX with `keras.distribution.DataParallel` over 2 host devices.

JAX's data parallelism is one program over a global batch that XLA splits between the
devices (SPMD): each step computes what one device computes on the whole batch, with the
sums over the batch (losses, gradients, metrics) reduced across devices. So the claim
tested is strong: the distributed run's weights and metrics equal the one-device run's to
float rounding (1e-5 absolute on every weight after 8 steps; measured ~1e-7), with the
same random numbers. The devices are forced onto the host CPU
(`XLA_FLAGS=--xla_force_host_platform_device_count=2`), which must be set before JAX
starts, hence the fresh process.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_jax_data_parallel_script.py")


@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="JAX is not installed")
@pytest.mark.slow
@pytest.mark.parametrize("objective", ["reinforce", "gumbel"])
def test_data_parallel_over_two_devices_trains_as_one_device(objective):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="", JAX_PLATFORMS="cpu")
    result = subprocess.run(
        [sys.executable, SCRIPT, objective], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["devices"] == 2
    assert report["variable_devices"] == 2  # the variables live on (are replicated to) both
    assert report["g_iterations"] == 8  # 2 epochs of 4 batches
    assert report["max_weight_difference"] < 1e-5
    for name, value in report["single"].items():
        assert report["parallel"][name] == pytest.approx(value, rel=1e-5, abs=1e-6), name
