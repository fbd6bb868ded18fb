"""2-D discrete convolution of single images, as the lectures introduce it, and their classic kernels.

True convolution flips the kernel:      (x * k)[i, j] = Σ_p Σ_q x[i − p, j − q] · k[p, q]
Cross-correlation slides it unflipped:  (x ⋆ k)[i, j] = Σ_p Σ_q x[i + p, j + q] · k[p, q]

so ``convolve2d(x, k) == correlate2d(x, k[::-1, ::-1])``. Convolutional *networks*
(``nn.Conv2d``, PyTorch's too) compute the cross-correlation: the kernel is learned, so whether it
is flipped does not matter, and not flipping saves work. For the symmetric kernels below both agree.

``mode`` follows scipy.signal: 'full' (every overlap, (H+KH−1)×(W+KW−1)), 'valid' (the kernel
inside the image, (H−KH+1)×(W−KW+1)) or 'same' (the size of the image, centered on 'full').
"""
from __future__ import annotations

import os
import tempfile
from fractions import Fraction

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

KERNELS = {
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.float64),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float64),
    "blur": np.array([[0.0625, 0.125, 0.0625], [0.125, 0.25, 0.125], [0.0625, 0.125, 0.0625]]),
    "edge": np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=np.float64),
}
"""The lecture's kernels: identity (the image unchanged), sharpen, blur (a 3×3 Gaussian) and edge
(a Laplacian: zero on flat regions, large where the brightness changes)."""

_MODES = ("full", "valid", "same")


def _check(image, kernel, mode) -> tuple:
    image, kernel = np.asarray(image), np.asarray(kernel)
    if image.ndim != 2 or kernel.ndim != 2:
        raise ValueError(f"expects a 2-D image and a 2-D kernel, got shapes {image.shape} and {kernel.shape}")
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got '{mode}'")
    if mode == "valid" and (image.shape[0] < kernel.shape[0] or image.shape[1] < kernel.shape[1]):
        raise ValueError(f"mode 'valid' needs the kernel {kernel.shape} to fit in the image {image.shape}")
    return image, kernel


def _slide(image: np.ndarray, kernel: np.ndarray, mode: str, same_start: tuple) -> np.ndarray:
    """Σ_pq x̃[i+p, j+q]·k[p, q] over the zero-padded image x̃ of ``mode``."""
    kh, kw = kernel.shape
    if mode != "valid":
        image = np.pad(image, ((kh - 1, kh - 1), (kw - 1, kw - 1)))
    out = np.einsum("ijpq,pq->ij", sliding_window_view(image, kernel.shape), kernel)
    if mode == "same":
        h, w = image.shape[0] - 2 * (kh - 1), image.shape[1] - 2 * (kw - 1)
        out = out[same_start[0]: same_start[0] + h, same_start[1]: same_start[1] + w]
    return out


def correlate2d(image, kernel, mode: str = "full") -> np.ndarray:
    """Cross-correlation of a 2-D image with a 2-D kernel (as ``scipy.signal.correlate2d``)."""
    image, kernel = _check(image, kernel, mode)
    return _slide(image, kernel, mode, (kernel.shape[0] // 2, kernel.shape[1] // 2))


def convolve2d(image, kernel, mode: str = "full") -> np.ndarray:
    """True convolution (kernel flipped) of a 2-D image with a 2-D kernel (as ``scipy.signal.convolve2d``)."""
    image, kernel = _check(image, kernel, mode)
    return _slide(image, kernel[::-1, ::-1], mode, ((kernel.shape[0] - 1) // 2, (kernel.shape[1] - 1) // 2))


def sample_image() -> np.ndarray:
    """A grayscale photo in [0, 1] (scikit-learn's bundled 'china.jpg', every second pixel)."""
    from sklearn.datasets import load_sample_image
    rgb = load_sample_image("china.jpg")[::2, ::2].astype(np.float64) / 255
    return rgb @ np.array([0.299, 0.587, 0.114])


def kernel_figure(path: str, image=None) -> str:
    """Apply the lecture's KERNELS to ``image`` (default: ``sample_image()``) and write the
    original / sharpen / blur / edge figure to ``path`` (PNG, SVG, PDF); returns the path."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    image = sample_image() if image is None else np.asarray(image, dtype=np.float64)
    names = ("identity", "sharpen", "blur", "edge")
    titles = ("original (identity)", "sharpen", "blur", "edge")
    fig, axes = plt.subplots(2, 4, figsize=(13, 4.6), gridspec_kw={"height_ratios": [4, 1]})
    for ax, kax, name, title in zip(axes[0], axes[1], names, titles):
        out = convolve2d(image, KERNELS[name], mode="same")
        shown = np.abs(out) if name == "edge" else out
        ax.imshow(np.clip(shown, 0, 1), cmap="gray", vmin=0, vmax=1)
        ax.set_title(title)
        ax.set_xlabel("x (pixel)")
        ax.set_ylabel("y (pixel)")
        kernel = KERNELS[name]
        kax.imshow(kernel, cmap="coolwarm", vmin=-np.abs(kernel).max(), vmax=np.abs(kernel).max())
        for (i, j), value in np.ndenumerate(kernel):
            kax.text(j, i, str(Fraction(value).limit_denominator(64)), ha="center", va="center", fontsize=8)
        kax.set_xticks([])
        kax.set_yticks([])
        kax.set_xlabel(f"{name} kernel")
    fig.suptitle("The lecture's 3×3 kernels: y = x * k (convolve2d, mode='same')")
    fig.tight_layout()
    directory = os.path.dirname(os.path.abspath(path))
    suffix = os.path.splitext(path)[1] or ".png"
    fd, tmp = tempfile.mkstemp(suffix=suffix, dir=directory)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=110)
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.remove(tmp)
    return path
