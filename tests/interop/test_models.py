"""Every model in glassnet.models round-trips through PyTorch and exports to ONNX with matching outputs."""
import numpy as np
import pytest

import glassnet as gn
from glassnet import models
from glassnet.interop import from_torch, to_onnx, to_torch, verify_onnx

rng = np.random.default_rng(0)


def floats(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def tokens(vocab, *shape):
    return rng.integers(3, vocab, shape)


def event_mask(batch, n):
    """Random real/padding nodes, at least one real node per event."""
    mask = (rng.random((batch, n)) < 0.7).astype(np.float32)
    mask[:, 0] = 1
    return mask


def events(batch):
    return floats(batch, 5, 4), floats(batch, 5, 5, 3), event_mask(batch, 5)


# name -> (build, example inputs, dynamic axes, other inputs: another batch size, and another
# sequence length where that axis is dynamic)
SPECS = {
    "AutoEncoder": (lambda: models.AutoEncoder(16, (8,), 2), (floats(3, 16),), (0,), (floats(7, 16),)),
    "ConvAutoEncoder": (lambda: models.ConvAutoEncoder(1, 8, 4), (floats(2, 1, 8, 8),), (0,),
                        (floats(5, 1, 8, 8),)),
    "VAE": (lambda: models.VAE(16, (8,), 2), (floats(3, 16),), (0,), (floats(7, 16),)),
    "LeNet5": (lambda: models.LeNet5(), (floats(2, 1, 28, 28),), (0,), (floats(3, 1, 28, 28),)),
    "LeNet5-tanh-avg": (lambda: models.LeNet5(activation="tanh", pooling="avg"), (floats(2, 1, 28, 28),), (0,),
                        (floats(3, 1, 28, 28),)),
    "SmallVGG": (lambda: models.SmallVGG(image_size=8, widths=(4, 8), hidden=16), (floats(2, 1, 8, 8),), (0,),
                 (floats(5, 1, 8, 8),)),
    "GAN": (lambda: models.GAN.mlp(6, 4, (8,)), (floats(3, 4),), (0,), (floats(7, 4),)),
    "EventDNN": (lambda: models.EventDNN(20, 8), (floats(3, 5, 4),), (0,), (floats(7, 5, 4),)),
    "EventMPNN": (lambda: models.EventMPNN(4, 3, 8), events(3), (0,), events(7)),
    "CharRNN-LSTM": (lambda: models.CharRNN(11, 6, 8, num_layers=2), (tokens(11, 3, 7),), (0, 1),
                     (tokens(11, 5, 12),)),
    "CharRNN-GRU": (lambda: models.CharRNN(11, 6, 8, cell="GRU"), (tokens(11, 3, 7),), (0, 1),
                    (tokens(11, 5, 12),)),
    "Seq2Seq": (lambda: models.Seq2Seq(9, 10, 6, 8), (tokens(9, 3, 7), tokens(10, 3, 4)), (0, 1),
                (tokens(9, 6, 11), tokens(10, 6, 9))),
    "Seq2Seq-LSTM-plain": (lambda: models.Seq2Seq(9, 10, 6, 8, cell="LSTM", attention=False),
                           (tokens(9, 3, 7), tokens(10, 3, 4)), (0, 1), (tokens(9, 6, 11), tokens(10, 6, 9))),
    "LastStepRegressor": (lambda: models.LastStepRegressor(2, 8), (floats(3, 6, 2),), (0, 1),
                          (floats(5, 13, 2),)),
    "RBM": (lambda: models.RBM(16, 8, rng=0), (rng.random((3, 16), np.float32),), (0,),
            (rng.random((7, 16), np.float32),)),
    "DBN": (lambda: models.DBN([16, 8, 4], rng=0), (rng.random((3, 16), np.float32),), (0,),
            (rng.random((7, 16), np.float32),)),
    "TransformerSeq2Seq": (lambda: models.TransformerSeq2Seq(9, 10, 8, 2, 1, 1, 16), (tokens(9, 3, 7), tokens(10, 3, 4)),
                           (0,), (tokens(9, 6, 7), tokens(10, 6, 4))),
}
# models whose forward is not a traced computation of Tensors, so there is nothing to export
NOT_EXPORTED = {models.Hopfield}  # recall: threshold updates on arrays until a fixed point


def model_classes():
    return {c for c in vars(models).values() if isinstance(c, type) and issubclass(c, gn.nn.Module)}


def flatten(out):
    if isinstance(out, (tuple, list)):
        return [t for item in out for t in flatten(item)]
    return [] if out is None else [out]


def test_every_exported_model_has_a_spec():
    covered = {type(build()) for build, *_ in SPECS.values()}
    assert model_classes() - covered - NOT_EXPORTED == set()


@pytest.mark.parametrize("name", sorted(SPECS))
def test_round_trip_through_torch(name):
    torch = pytest.importorskip("torch")
    build, inputs, _, _ = SPECS[name]
    model = build().eval()
    with gn.no_grad():
        ours = flatten(model(*inputs))
    twin = to_torch(model)
    with torch.no_grad():
        theirs = flatten(twin(*[torch.as_tensor(x) for x in inputs]))
    assert len(theirs) == len(ours)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(b.detach().numpy(), a.data, rtol=1e-4, atol=1e-5)
    back = from_torch(twin)
    assert type(back) is type(model) and not back.training
    assert list(back.state_dict()) == list(model.state_dict())
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[key], value)
    with gn.no_grad():
        for a, b in zip(ours, flatten(back(*inputs))):
            np.testing.assert_array_equal(b.data, a.data)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_onnx_export_runs_in_onnxruntime_with_dynamic_sizes(name, tmp_path):
    onnx = pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    build, inputs, dynamic_axes, other = SPECS[name]
    model = build().eval()
    path = tmp_path / "model.onnx"
    to_onnx(model, inputs, path, dynamic_axes=dynamic_axes)
    onnx.checker.check_model(str(path))
    assert verify_onnx(model, path, inputs) < 1e-4
    assert verify_onnx(model, path, other) < 1e-4
