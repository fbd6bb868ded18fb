"""ONNX export by tracing: checker-valid files that onnxruntime runs to the same outputs."""
import numpy as np
import pytest

import glassnet as gn
from glassnet.interop import to_onnx, verify_onnx

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")
nn, F = gn.nn, gn.nn.functional
import glassnet.models  # noqa: E402,F401


class Indexing(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(4, 6), nn.Linear(3, 2)

    def forward(self, x):
        h = F.relu(self.a(x)).reshape(-1, 2, 3).transpose(0, 2, 1)   # (B, 3, 2)
        h = gn.cat([h[:, :, 0], h[:, :, 1] ** 2], dim=1)[:, 1:4]      # (B, 3)
        pooled = gn.stack([h, h.clip(0.0, 0.5)], dim=1).max(axis=1)
        return self.b(pooled / (1 + h.abs().mean(axis=1, keepdims=True))), h.amin(dim=0)


MODELS = {
    "mlp": lambda: nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Dropout(0.3), nn.Linear(16, 8), nn.ReLU(),
                                 nn.Linear(8, 3), nn.Softmax(dim=1)),
    "activations": lambda: nn.Sequential(nn.Linear(4, 6), nn.ELU(0.7), nn.LeakyReLU(0.2), nn.Maxout(6, 4, 3),
                                         nn.Softplus(2.0), nn.Sigmoid(), nn.Linear(4, 2), nn.LogSoftmax(1)),
    "indexing": Indexing,
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_export_checks_and_runs_with_a_dynamic_batch(name, tmp_path):
    model = MODELS[name]()
    path = tmp_path / f"{name}.onnx"
    to_onnx(model, np.zeros((3, 4), np.float32), path)
    x = np.random.default_rng(0).standard_normal((257, 4)).astype(np.float32)
    assert verify_onnx(model, path, x) < 1e-4


def test_trained_model_gives_the_same_predictions_on_10000_inputs(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((512, 2)).astype(np.float32)
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    opt = gn.optim.Adam(model.parameters(), lr=0.03)
    for _ in range(100):
        opt.zero_grad()
        F.cross_entropy(model(gn.tensor(X)), y).backward()
        opt.step()
    to_onnx(model, X[:5], tmp_path / "xor.onnx")
    import onnxruntime
    session = onnxruntime.InferenceSession(str(tmp_path / "xor.onnx"), providers=["CPUExecutionProvider"])
    test = rng.standard_normal((10_000, 2)).astype(np.float32)
    (logits,) = session.run(None, {"input": test})
    with gn.no_grad():
        ours = model(gn.tensor(test)).data
    np.testing.assert_allclose(logits, ours, rtol=1e-4, atol=1e-5)
    assert np.array_equal(logits.argmax(1), ours.argmax(1))


def test_an_op_without_translation_is_named(tmp_path):
    class Odd(gn.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 2)

        def forward(self, x):
            return Odd.apply(self.fc(x))

    with pytest.raises(TypeError, match="operation Odd has no ONNX translation"):
        to_onnx(Model(), np.zeros((1, 2), np.float32), tmp_path / "odd.onnx")
    assert not (tmp_path / "odd.onnx").exists()


def assert_torch_round_trip(model, x):
    """The PyTorch twin gives the same outputs, and converting back gives the same state dict."""
    torch = pytest.importorskip("torch")
    from glassnet.interop import from_torch, to_torch
    with gn.no_grad():
        ours = model(gn.tensor(x)).data
    twin = to_torch(model)
    np.testing.assert_allclose(twin(torch.tensor(x)).detach().numpy(), ours, rtol=1e-4, atol=1e-5)
    back = from_torch(twin)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[key], value)


def test_convolutional_layers_round_trip_and_export(tmp_path):
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding="same", groups=1), nn.BatchNorm2d(4), nn.ReLU(),
                          nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1),
                          nn.AvgPool2d(2, padding=1, count_include_pad=False), nn.Upsample(scale_factor=2),
                          nn.MaxPool2d(2, stride=1, padding=1), nn.AdaptiveAvgPool2d(3), nn.Flatten(),
                          nn.LayerNorm(18)).eval()
    x = np.random.default_rng(0).standard_normal((2, 1, 8, 8)).astype(np.float32)
    assert_torch_round_trip(model, x)
    to_onnx(model, x, tmp_path / "m.onnx")
    assert verify_onnx(model, tmp_path / "m.onnx", np.concatenate([x, x, x])) < 1e-4


class RecurrentHead(nn.Module):
    def __init__(self, cell, **options):
        super().__init__()
        self.rnn = getattr(nn, cell)(4, 6, **options)
        self.out = nn.Linear(6 * (2 if options.get("bidirectional") else 1), 2)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.out(y)


@pytest.mark.parametrize("cell,options", [
    ("LSTM", {}), ("GRU", {"num_layers": 2}), ("RNN", {"nonlinearity": "relu", "bidirectional": True}),
    ("LSTM", {"batch_first": True, "bidirectional": True, "num_layers": 2}),
])
def test_recurrent_models_round_trip_and_export_with_any_length_and_batch(cell, options, tmp_path):
    model = RecurrentHead(cell, **options).eval()
    x = np.random.default_rng(0).standard_normal((5, 3, 4)).astype(np.float32)
    assert_torch_round_trip(model, x)
    to_onnx(model, x, tmp_path / "r.onnx", dynamic_axes=(0, 1))
    other = np.random.default_rng(1).standard_normal((9, 2, 4)).astype(np.float32)
    assert verify_onnx(model, tmp_path / "r.onnx", other) < 1e-4


def test_embedding_round_trips_and_exports_with_integer_input(tmp_path):
    model = nn.Sequential(nn.Embedding(10, 4, padding_idx=0), nn.Flatten(), nn.Linear(12, 2))
    idx = np.array([[1, 2, 3], [0, 9, 4]])
    assert_torch_round_trip(model, idx)
    proto = to_onnx(model, idx, tmp_path / "e.onnx")
    assert proto.graph.input[0].type.tensor_type.elem_type == 7  # int64
    assert verify_onnx(model, tmp_path / "e.onnx", np.random.default_rng(0).integers(0, 10, (5, 3))) < 1e-4


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed, self.fc = nn.Embedding(7, 3), nn.Linear(5, 2)

    def forward(self, tokens, features):
        return self.fc(gn.cat([self.embed(tokens).mean(axis=1), features], dim=-1)), features.sum(axis=1)


def test_several_inputs_are_named_and_each_has_its_dynamic_axes(tmp_path):
    model = TwoInputs()
    example = (np.array([[1, 2], [3, 4], [5, 6]]), np.ones((3, 2), np.float32))
    proto = to_onnx(model, example, tmp_path / "t.onnx", input_names=("tokens", "features"),
                    output_names=("scores", "total"), dynamic_axes={"tokens": (0, 1), "features": (0,)})
    assert [i.name for i in proto.graph.input] == ["tokens", "features"]
    assert [o.name for o in proto.graph.output] == ["scores", "total"]
    dims = [[d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim] for i in proto.graph.input]
    assert dims == [["batch", "tokens_axis1"], ["batch", 2]]
    rng = np.random.default_rng(0)
    other = (rng.integers(0, 7, (6, 4)), rng.standard_normal((6, 2)).astype(np.float32))
    assert verify_onnx(model, tmp_path / "t.onnx", other) < 1e-4


def test_an_input_the_trace_does_not_read_is_refused(tmp_path):
    class Baked(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(2, 1)

        def forward(self, x, scale):
            return self.fc(x) * np.asarray(scale.data)  # a NumPy constant, not an op on the input

    with pytest.raises(TypeError, match="input 'input_1' does not reach the outputs"):
        to_onnx(Baked(), (np.ones((2, 2), np.float32), np.ones((2, 1), np.float32)), tmp_path / "b.onnx")
    with pytest.raises(TypeError, match="example input 0 has dtype bool"):
        to_onnx(nn.Linear(2, 1), np.ones((2, 2), bool), tmp_path / "b.onnx")
    assert not (tmp_path / "b.onnx").exists()
