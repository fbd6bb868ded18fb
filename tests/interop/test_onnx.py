"""ONNX export by tracing: checker-valid files that onnxruntime runs to the same outputs."""
import numpy as np
import pytest

import glassnet as gn
from glassnet.interop import to_onnx, verify_onnx

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")
nn, F = gn.nn, gn.nn.functional


class Indexing(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(4, 6), nn.Linear(3, 2)

    def forward(self, x):
        h = F.relu(self.a(x)).reshape(-1, 2, 3).transpose(0, 2, 1)   # (B, 3, 2)
        h = gn.cat([h[:, :, 0], h[:, :, 1] ** 2], dim=1)[:, 1:4]      # (B, 3)
        pooled = gn.stack([h, h.clip(0.0, 0.5)], dim=1).max(axis=1)
        return self.b(pooled / (1 + h.abs().mean(axis=1, keepdims=True))), h.min(dim=0)


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
