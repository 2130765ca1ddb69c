"""Distances between a real and a generated set of sentences, in a feature space.

`frechet_distance` fits a Gaussian to each set's sentence features and returns the Fréchet
(2-Wasserstein) distance between the two (as FID does for images and ScratchGAN for text);
`mauve_score` wraps the `mauve-text` package's MAUVE on the same features. The features
come from an encoder the user passes (e.g. a keras-hub model's pooled output); offline,
`LMScorer.features` (a small LM trained on the real text) stands in, and its figures are
comparable with each other but not with published ones, which use large pretrained
encoders.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np


def _features(values, encoder: Callable | None, name: str) -> np.ndarray:
    """`encoder(values)` (or `values` itself) as a finite float64 `[N, D]` array, N >= 2."""
    if encoder is not None:
        if not callable(encoder):
            raise TypeError(f"`encoder` must be callable or None. Received: {encoder!r}")
        values = encoder(values)
        where = f"`encoder({name})`"
    else:
        where = f"`{name}` (no encoder given: features expected)"
    try:
        array = np.asarray(values, dtype="float64")
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{where} must be a float array [N, D] of sentence features. Received "
            f"{type(values).__name__}: {error}"
        ) from error
    if array.ndim != 2 or len(array) < 2 or array.shape[1] < 1:
        raise ValueError(
            f"{where} must be a float array [N, D] with N >= 2 sentences and D >= 1 "
            f"features. Received shape {array.shape}."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{where} must hold finite numbers. Received NaN or infinity.")
    return array


def _pair(real, generated, encoder) -> tuple[np.ndarray, np.ndarray]:
    real = _features(real, encoder, "real")
    generated = _features(generated, encoder, "generated")
    if real.shape[1] != generated.shape[1]:
        raise ValueError(
            "`real` and `generated` features must have one width D. Received "
            f"real [{real.shape[0]}, {real.shape[1]}], generated "
            f"[{generated.shape[0]}, {generated.shape[1]}]."
        )
    return real, generated


def frechet_distance(real, generated, *, encoder: Callable | None = None) -> float:
    """The Fréchet distance between Gaussians fitted to two sets of sentence features.

    `||mu_r - mu_g||^2 + Tr(S_r + S_g - 2 (S_r S_g)^(1/2))`, with each set's mean `mu`
    and covariance `S` (`np.cov`, N - 1 in the denominator) and the matrix square root
    from `scipy.linalg.sqrtm` (its tiny imaginary part, from rounding, dropped; a near
    singular product is offset by `1e-6` on the diagonals, as FID's reference code does).
    0 for identical sets, symmetric, lower is closer. It is biased upwards for small
    sets, more so in more dimensions: compare sets of one size, features of one encoder.

    Args:
        real: the real sentences: features `[N, D]` (float array-like), or whatever
            `encoder` takes (e.g. int token rows `[N, T]`, or a list of str).
        generated: the generated sentences, in the same form as `real`.
        encoder: callable or `None`. Maps a set of sentences to float features `[N, D]`,
            e.g. `LMScorer.features` (offline; its figures are not comparable with
            published ones) or a pretrained sentence encoder. Defaults to `None`: `real`
            and `generated` are features already.

    Returns:
        The distance, a Python float >= 0.

    Example:

    ```python
    import numpy as np
    import keras_seqgan

    rng = np.random.default_rng(0)
    real = rng.normal(size=(500, 4))
    print(keras_seqgan.evaluation.frechet_distance(real, real))  # 0.0
    print(keras_seqgan.evaluation.frechet_distance(real, real + 1.0))  # about 4: |shift|^2
    ```

    Reference:
        - [Heusel et al., 2017](https://arxiv.org/abs/1706.08500): the Fréchet Inception
          Distance.
        - [de Masson d'Autume et al., 2019](https://arxiv.org/abs/1905.09922): ScratchGAN,
          the Fréchet Embedding Distance on text.
    """
    import scipy.linalg

    real, generated = _pair(real, generated, encoder)
    mean_real, mean_generated = real.mean(axis=0), generated.mean(axis=0)
    cov_real = np.atleast_2d(np.cov(real, rowvar=False))
    cov_generated = np.atleast_2d(np.cov(generated, rowvar=False))
    with warnings.catch_warnings():
        # A singular product (a set of repeated sentences has S = 0) has a square root
        # all the same; scipy warns that it may not.
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        root = scipy.linalg.sqrtm(cov_real @ cov_generated)
        if not np.all(np.isfinite(root)):
            offset = np.eye(len(cov_real)) * 1e-6
            root = scipy.linalg.sqrtm((cov_real + offset) @ (cov_generated + offset))
    root = np.real(root)
    difference = mean_real - mean_generated
    distance = difference @ difference + np.trace(cov_real + cov_generated - 2.0 * root)
    return max(float(distance), 0.0)


def mauve_score(
    real,
    generated,
    *,
    encoder: Callable | None = None,
    num_buckets: int | str = "auto",
    seed: int = 25,
    **options: Any,
) -> float:
    """MAUVE between real and generated sentence features, by the `mauve-text` package.

    MAUVE quantizes both sets' features together (PCA, then k-means into `num_buckets`
    clusters) and measures the area under the divergence frontier of the two cluster
    histograms: 1 for indistinguishable sets, towards 0 as they part, higher is better.
    This passes precomputed features (`compute_mauve(p_features=real,
    q_features=generated)`); the package's own text featurizer (GPT-2, PyTorch) is not
    used. Needs the optional extra: `pip install "keras-seqgan[mauve]"` (mauve-text,
    faiss-cpu, scikit-learn; mauve-text is GPL-3.0 licensed).

    Args:
        real: the real sentences: features `[N, D]`, or whatever `encoder` takes.
        generated: the generated sentences, in the same form as `real`.
        encoder: callable or `None`. As in `frechet_distance`. Defaults to `None`:
            `real` and `generated` are features already.
        num_buckets: int or `"auto"`. Clusters of the quantization; `"auto"` is a tenth
            of the number of sentences. Defaults to `"auto"`.
        seed: int. Seeds MAUVE's PCA and k-means. Defaults to `25` (mauve-text's).
        **options: more `mauve.compute_mauve` arguments (e.g. `kmeans_num_redo`,
            `mauve_scaling_factor`).

    Returns:
        MAUVE, a Python float in `(0, 1]`.

    Raises:
        ImportError: if mauve-text is not installed.

    Example:

    ```python
    import numpy as np
    import keras_seqgan

    rng = np.random.default_rng(0)
    real = rng.normal(size=(300, 4))
    print(keras_seqgan.evaluation.mauve_score(real, rng.normal(size=(300, 4))))  # near 1
    print(keras_seqgan.evaluation.mauve_score(real, rng.normal(3.0, size=(300, 4))))  # low
    ```

    Reference:
        - [Pillutla et al., 2021](https://arxiv.org/abs/2102.01454), "MAUVE: Measuring
          the Gap Between Neural Text and Human Text using Divergence Frontiers".
    """
    try:
        import mauve
    except ImportError as error:
        raise ImportError(
            "mauve_score needs the mauve-text package, which is not installed. Install it "
            'with pip install "keras-seqgan[mauve]".'
        ) from error
    real, generated = _pair(real, generated, encoder)
    result = mauve.compute_mauve(
        p_features=real, q_features=generated, num_buckets=num_buckets, seed=seed,
        verbose=False, **options,
    )  # fmt: skip
    return float(result.mauve)
