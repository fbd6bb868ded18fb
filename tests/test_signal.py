"""gn.signal: convolve2d / correlate2d against scipy.signal, the lecture's kernels, the figure."""
import numpy as np
import pytest

import glassnet as gn

signal = gn.signal


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
@pytest.mark.parametrize("kernel_shape", [(3, 3), (2, 4), (1, 1), (4, 3)])
def test_convolve2d_and_correlate2d_match_scipy(mode, kernel_shape):
    scipy_signal = pytest.importorskip("scipy.signal")
    rng = np.random.default_rng(0)
    image, kernel = rng.standard_normal((7, 9)), rng.standard_normal(kernel_shape)
    np.testing.assert_allclose(signal.convolve2d(image, kernel, mode), scipy_signal.convolve2d(image, kernel, mode),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(signal.correlate2d(image, kernel, mode),
                               scipy_signal.correlate2d(image, kernel, mode), rtol=1e-12, atol=1e-12)


def test_convolution_flips_the_kernel_and_correlation_does_not():
    image = np.zeros((5, 5))
    image[2, 2] = 1  # an impulse: convolution reproduces the kernel, correlation its 180° rotation
    kernel = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(signal.convolve2d(image, kernel, "same"), np.pad(kernel, 1))
    np.testing.assert_array_equal(signal.correlate2d(image, kernel, "same"), np.pad(kernel[::-1, ::-1], 1))


def test_correlate2d_is_what_conv2d_computes():
    rng = np.random.default_rng(1)
    image, kernel = rng.standard_normal((6, 8)), rng.standard_normal((3, 2))
    out = gn.nn.functional.conv2d(image[None, None], kernel[None, None])
    np.testing.assert_allclose(out.data[0, 0], signal.correlate2d(image, kernel, "valid"), rtol=1e-12)


def test_the_lecture_kernels():
    assert set(signal.KERNELS) == {"identity", "sharpen", "blur", "edge"}
    np.testing.assert_array_equal(signal.KERNELS["sharpen"], [[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    np.testing.assert_array_equal(signal.KERNELS["edge"], [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])
    np.testing.assert_array_equal(signal.KERNELS["blur"] * 16, [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    flat = np.full((6, 6), 0.5)
    np.testing.assert_allclose(signal.convolve2d(flat, signal.KERNELS["identity"], "valid"), 0.5)
    np.testing.assert_allclose(signal.convolve2d(flat, signal.KERNELS["sharpen"], "valid"), 0.5)  # sums to 1
    np.testing.assert_allclose(signal.convolve2d(flat, signal.KERNELS["blur"], "valid"), 0.5)
    np.testing.assert_allclose(signal.convolve2d(flat, signal.KERNELS["edge"], "valid"), 0.0)  # no edges


def test_kernel_figure_is_written(tmp_path):
    pytest.importorskip("matplotlib")
    image = np.kron(np.eye(4), np.ones((4, 4)))  # a small image, so that no data set is needed
    path = signal.kernel_figure(str(tmp_path / "kernels.png"), image)
    with open(path, "rb") as figure:
        assert figure.read(8) == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["kernels.png"]  # no temporary file left


def test_bad_inputs():
    with pytest.raises(ValueError, match="2-D image and a 2-D kernel"):
        signal.convolve2d(np.zeros((2, 3, 3)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="mode must be one of"):
        signal.correlate2d(np.zeros((3, 3)), np.ones((3, 3)), "circular")
    with pytest.raises(ValueError, match=r"kernel \(3, 3\) to fit in the image \(2, 5\)"):
        signal.convolve2d(np.zeros((2, 5)), np.ones((3, 3)), "valid")
