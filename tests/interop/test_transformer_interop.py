"""The Transformer layers round-trip through PyTorch (to_torch / from_torch) and export to ONNX."""
import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.autograd import as_array
from glassnet.interop import from_torch, to_onnx, to_torch, verify_onnx

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
rng = np.random.default_rng(0)


def floats(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def padding(batch, length):
    mask = np.zeros((batch, length), dtype=bool)
    mask[0, -2:] = True
    return mask


class TinyEncoderClassifier(nn.Module):
    """Tokens → embedding · √d + positions → Transformer encoder → mean over positions → classes."""

    def __init__(self, vocab=12, d_model=16, classes=3):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.position = nn.PositionalEncoding(d_model, dropout=0.1, max_len=64, batch_first=True)
        self.encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(d_model, 2, 32, batch_first=True, activation="gelu"), 2)
        self.out = nn.Linear(d_model, classes)
        self.scale = d_model ** 0.5

    def forward(self, tokens):
        return self.out(self.encoder(self.position(self.embed(tokens) * self.scale)).mean(dim=1))


# name -> (build, inputs, keyword inputs)
LAYERS = {
    "MultiheadAttention": (lambda: nn.MultiheadAttention(16, 4, batch_first=True),
                           (floats(3, 5, 16), floats(3, 6, 16), floats(3, 6, 16)), {"key_padding_mask": padding(3, 6)}),
    "TransformerEncoderLayer": (lambda: nn.TransformerEncoderLayer(16, 4, 32, norm_first=True),
                                (floats(5, 3, 16),), {"src_key_padding_mask": padding(3, 5)}),
    "TransformerDecoderLayer": (lambda: nn.TransformerDecoderLayer(16, 4, 32, batch_first=True, activation="gelu"),
                                (floats(3, 4, 16), floats(3, 6, 16)),
                                {"tgt_mask": nn.Transformer.generate_square_subsequent_mask(4)}),
    "TransformerEncoder": (lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32, batch_first=True), 2,
                                                         norm=nn.LayerNorm(16)),
                           (floats(3, 5, 16),), {"src_key_padding_mask": padding(3, 5)}),
    "TransformerDecoder": (lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(16, 4, 32), 2),
                           (floats(4, 3, 16), floats(6, 3, 16)), {"memory_key_padding_mask": padding(3, 6)}),
    "Transformer": (lambda: nn.Transformer(16, 2, 2, 1, 24, batch_first=True),
                    (floats(3, 6, 16), floats(3, 4, 16)),
                    {"tgt_mask": nn.Transformer.generate_square_subsequent_mask(4)}),
    "PositionalEncoding": (lambda: nn.PositionalEncoding(16, max_len=20), (floats(7, 3, 16),), {}),
    "GELU": (lambda: nn.GELU("tanh"), (floats(4, 5),), {}),
    "custom model": (TinyEncoderClassifier, (rng.integers(0, 12, (3, 7)),), {}),
}


def first(out):
    return out[0] if isinstance(out, tuple) else out


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_round_trip_through_torch_in_eval_mode(name):
    build, inputs, options = LAYERS[name]
    model = build().eval()
    with gn.no_grad():
        ours = as_array(first(model(*inputs, **options)))
    twin = to_torch(model)
    assert not twin.training
    with torch.no_grad():
        theirs = first(twin(*map(torch.as_tensor, inputs),
                            **{k: torch.as_tensor(v) for k, v in options.items()})).detach().numpy()
    np.testing.assert_allclose(theirs, ours, rtol=1e-4, atol=1e-5)
    back = from_torch(twin)
    assert type(back) is type(model)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(as_array(back.state_dict()[key]), as_array(value))
    with gn.no_grad():
        np.testing.assert_array_equal(as_array(first(back(*inputs, **options))), ours)


def test_a_torch_built_encoder_comes_over_with_its_weights():
    torch.manual_seed(0)
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2).eval()
    ours = from_torch(theirs)
    x = floats(2, 5, 8)
    with torch.no_grad():
        want = theirs(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(as_array(ours(x)), want, rtol=1e-4, atol=1e-5)


def test_a_custom_activation_has_no_twin_and_says_so():
    layer = nn.TransformerEncoderLayer(8, 2, 16, activation=gn.nn.functional.tanh)
    with pytest.raises(TypeError, match="relu or gelu only"):
        to_torch(layer)


@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer_exports_to_onnx_with_a_dynamic_batch(batch_first, tmp_path):
    pytest.importorskip("onnxruntime")
    model = nn.Transformer(16, 2, 2, 2, 24, batch_first=batch_first, activation="gelu").eval()

    def pair(batch):
        shapes = ((batch, 6, 16), (batch, 4, 16)) if batch_first else ((6, batch, 16), (4, batch, 16))
        return tuple(floats(*shape) for shape in shapes)
    path = tmp_path / "transformer.onnx"
    to_onnx(model, pair(3), path, dynamic_axes=(0,) if batch_first else (1,))
    assert verify_onnx(model, path, pair(3)) < 1e-4
    assert verify_onnx(model, path, pair(5)) < 1e-4


def test_custom_encoder_model_exports_to_onnx(tmp_path):
    pytest.importorskip("onnxruntime")
    model = TinyEncoderClassifier().eval()
    path = tmp_path / "classifier.onnx"
    to_onnx(model, rng.integers(0, 12, (3, 7)), path)
    assert verify_onnx(model, path, rng.integers(0, 12, (8, 7))) < 1e-4
