"""The fused sequence kernels against the reference cells, and finite-difference checks (float64)."""
import numpy as np
import pytest

import glassnet as gn
from glassnet.backends import compiled
from glassnet.nn.kernels.recurrent import GRUSequence, LSTMSequence, RNNSequence
from glassnet.nn.kernels.recurrent_reference import gru_cell, lstm_cell, rnn_cell, run_reference

KERNELS = {"RNN_TANH": (RNNSequence, 1), "RNN_RELU": (RNNSequence, 1), "LSTM": (LSTMSequence, 4),
           "GRU": (GRUSequence, 3)}


def _arrays(mode, rng, steps=5, batch=3, inputs=4, hidden=6):
    gates = KERNELS[mode][1]
    shapes = [(steps, batch, inputs), (gates * hidden, inputs), (gates * hidden, hidden),
              (gates * hidden,), (gates * hidden,), (batch, hidden)] + ([(batch, hidden)] if mode == "LSTM" else [])
    return [rng.standard_normal(s) for s in shapes]


def _fused(mode, tensors, **options):
    kernel = KERNELS[mode][0]
    if mode.startswith("RNN"):
        options["nonlinearity"] = mode[4:].lower()
    return kernel.apply(*tensors, **options)


def _reference(mode, tensors, **options):
    state = tuple(tensors[5:]) if mode == "LSTM" else tensors[5]
    base = "LSTM" if mode == "LSTM" else mode[:3]
    return run_reference(base, tensors[0], tensors[1:5], state, nonlinearity=mode[4:].lower() or "tanh",
                         **options)


@pytest.mark.parametrize("mode", list(KERNELS))
@pytest.mark.parametrize("options", [{}, {"reverse": True}, {"lengths": [5, 2, 4]},
                                     {"lengths": [3, 5, 1], "reverse": True}])
def test_fused_kernel_equals_reference_cells(mode, options):
    rng = np.random.default_rng(0)
    arrays = _arrays(mode, rng)
    fused = [gn.tensor(a.copy(), requires_grad=True) for a in arrays]
    reference = [gn.tensor(a.copy(), requires_grad=True) for a in arrays]
    out_f, out_r = _fused(mode, fused, **options), _reference(mode, reference, **options)
    np.testing.assert_allclose(out_f.data, out_r.data, rtol=1e-10, atol=1e-12)
    weights = rng.standard_normal(out_f.shape)
    (out_f * weights).sum().backward()
    (out_r * weights).sum().backward()
    for a, b in zip(fused, reference):
        np.testing.assert_allclose(a.grad, b.grad, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("mode", list(KERNELS))
def test_fused_kernel_gradcheck(mode):
    rng = np.random.default_rng(1)
    arrays = _arrays(mode, rng, steps=3, batch=2, inputs=3, hidden=2)
    weights = rng.standard_normal((3 + (2 if mode == "LSTM" else 1), 2, 2))
    assert gn.autograd.gradcheck(lambda *t: _fused(mode, list(t), lengths=[3, 2]) * weights, arrays)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_reference_cell_gradcheck(cell):
    rng = np.random.default_rng(2)
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    arrays = [rng.standard_normal(s) for s in [(2, 3), (gates * 2, 3), (gates * 2, 2), (gates * 2,),
                                               (gates * 2,), (2, 2), (2, 2)]]
    if cell == "lstm":
        fn = lambda x, h, c, *w: gn.stack(list(lstm_cell(x, (h, c), *w)))  # noqa: E731
        assert gn.autograd.gradcheck(fn, [arrays[0], arrays[5], arrays[6], *arrays[1:5]])
    else:
        step = rnn_cell if cell == "rnn" else gru_cell
        assert gn.autograd.gradcheck(lambda x, h, *w: step(x, h, *w), [arrays[0], arrays[5], *arrays[1:5]])


@pytest.mark.parametrize("mode", list(KERNELS))
@pytest.mark.parametrize("options", [{}, {"lengths": [5, 2, 4], "reverse": True}])
def test_compiled_loops_equal_the_numpy_reference_loops(mode, options):
    pytest.importorskip("numba")
    arrays = [a.astype(np.float32) for a in _arrays(mode, np.random.default_rng(3), hidden=16)]
    weights = np.random.default_rng(4).standard_normal((5 + (2 if mode == "LSTM" else 1), 3, 16))

    def run():
        tensors = [gn.tensor(a.copy(), requires_grad=True) for a in arrays]
        out = _fused(mode, tensors, **options)
        (out * weights.astype(np.float32)).sum().backward()
        return [out.data] + [t.grad for t in tensors]

    fast = run()
    with compiled.flags(enabled=False):
        reference = run()
    for a, b in zip(fast, reference):  # float32, rational tanh against NumPy's: amplified over 5 steps
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("mode", list(KERNELS))
@pytest.mark.parametrize("options", [{}, {"lengths": [3, 5, 1, 4, 5], "reverse": True}])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_batch_cut_into_parts_gives_the_same_result(mode, options, dtype, monkeypatch):
    """With several threads the batch rows run as parts on their own threads; three uneven parts
    (and the weight gradients in three blocks of steps) must give what one part gives, in the
    NumPy loops (float64) and the compiled ones (float32)."""
    from glassnet.nn.kernels import recurrent_plumbing

    arrays = [a.astype(dtype) for a in _arrays(mode, np.random.default_rng(5), batch=5)]
    weights = np.random.default_rng(6).standard_normal((5 + (2 if mode == "LSTM" else 1), 5, 6)).astype(dtype)

    def run():
        tensors = [gn.tensor(a.copy(), requires_grad=True) for a in arrays]
        out = _fused(mode, tensors, **options)
        (out * weights).sum().backward()
        return [out.data] + [t.grad for t in tensors]

    whole = run()
    monkeypatch.setattr(recurrent_plumbing, "batch_parts", lambda batch: [slice(0, 1), slice(1, 3), slice(3, batch)])
    parts = run()
    tolerance = 1e-10 if dtype == np.float64 else 1e-5
    for a, b in zip(parts, whole):
        np.testing.assert_allclose(a, b, rtol=tolerance, atol=tolerance)
