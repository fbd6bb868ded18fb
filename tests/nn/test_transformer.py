"""The Transformer layers against PyTorch's with copied weights: forward values, input and parameter
gradients (float32, to 1e-4), with causal / boolean / float / key-padding masks, batch_first and norm_first
both ways; parameter names, shapes and counts; the positional encoding's formula."""
import itertools
import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.autograd import as_array

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
LAYOUTS = list(itertools.product([False, True], [False, True]))  # (batch_first, norm_first)


def copy_weights(ours, theirs):
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def sequences(batch_first, *lengths, batch=3, width=16, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((batch, n, width) if batch_first else (n, batch, width)).astype(np.float32)
            for n in lengths]


def run_both(ours, theirs, arrays, masks):
    """Forward both with the same inputs and masks, back-propagate the same random weights of the output;
    compare outputs, input gradients and parameter gradients."""
    g_in = [gn.tensor(a, requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    g_out = ours(*g_in, **masks)
    t_out = theirs(*t_in, **{k: torch.tensor(np.asarray(v)) if isinstance(v, np.ndarray) else v for k, v in masks.items()})
    np.testing.assert_allclose(as_array(g_out), t_out.detach().numpy(), rtol=1e-4, atol=1e-4)
    seed = np.random.default_rng(9).standard_normal(t_out.shape).astype(np.float32)
    (g_out * seed).sum().backward()
    (t_out * torch.tensor(seed)).sum().backward()
    for g, t in zip(g_in, t_in):
        np.testing.assert_allclose(as_array(g.grad), t.grad.detach().numpy(), rtol=1e-4, atol=1e-4)
    t_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(as_array(p.grad), t_params[name].grad.detach().numpy(), rtol=1e-4, atol=1e-4,
                                   err_msg=name)


def padding(batch, length):
    mask = np.zeros((batch, length), dtype=bool)
    mask[0, -2:] = True
    mask[2, -1] = True
    return mask


@pytest.mark.parametrize("batch_first,norm_first", LAYOUTS)
@pytest.mark.parametrize("masks", ["none", "causal float", "boolean + padding"])
def test_encoder_layer_matches_torch(batch_first, norm_first, masks):
    torch.manual_seed(0)
    theirs = torch.nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=batch_first, norm_first=norm_first)
    ours = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=batch_first, norm_first=norm_first)
    copy_weights(ours, theirs)
    given = {"none": {},
             "causal float": {"src_mask": nn.Transformer.generate_square_subsequent_mask(5)},
             "boolean + padding": {"src_mask": np.triu(np.ones((5, 5), dtype=bool), 3),
                                   "src_key_padding_mask": padding(3, 5)}}[masks]
    run_both(ours, theirs, sequences(batch_first, 5), given)


@pytest.mark.parametrize("batch_first,norm_first", LAYOUTS)
def test_decoder_layer_matches_torch_with_every_mask(batch_first, norm_first):
    torch.manual_seed(1)
    theirs = torch.nn.TransformerDecoderLayer(16, 4, 32, dropout=0.0, batch_first=batch_first, norm_first=norm_first)
    ours = nn.TransformerDecoderLayer(16, 4, 32, dropout=0.0, batch_first=batch_first, norm_first=norm_first)
    copy_weights(ours, theirs)
    memory_mask = np.zeros((4, 6), dtype=bool)
    memory_mask[0, 1] = True
    run_both(ours, theirs, sequences(batch_first, 4, 6),
             {"tgt_mask": np.triu(np.ones((4, 4), dtype=bool), 1), "memory_mask": memory_mask,
              "tgt_key_padding_mask": padding(3, 4), "memory_key_padding_mask": padding(3, 6)})


@pytest.mark.parametrize("batch_first,norm_first", LAYOUTS)
def test_whole_transformer_matches_torch(batch_first, norm_first):
    torch.manual_seed(2)
    options = dict(d_model=16, nhead=2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=24,
                   dropout=0.0, batch_first=batch_first, norm_first=norm_first, activation="gelu")
    theirs, ours = torch.nn.Transformer(**options), nn.Transformer(**options)
    copy_weights(ours, theirs)
    run_both(ours, theirs, sequences(batch_first, 6, 4),
             {"tgt_mask": nn.Transformer.generate_square_subsequent_mask(4),
              "src_key_padding_mask": padding(3, 6), "memory_key_padding_mask": padding(3, 6)})


def test_stacks_with_final_norms_match_torch():
    torch.manual_seed(3)
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0), 3,
                                         norm=torch.nn.LayerNorm(16), enable_nested_tensor=False)
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0), 3, norm=nn.LayerNorm(16))
    copy_weights(ours, theirs)
    run_both(ours, theirs, sequences(False, 5), {"mask": nn.Transformer.generate_square_subsequent_mask(5)})
    theirs = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(16, 4, 32, dropout=0.0), 2)
    ours = nn.TransformerDecoder(nn.TransformerDecoderLayer(16, 4, 32, dropout=0.0), 2)
    copy_weights(ours, theirs)
    run_both(ours, theirs, sequences(False, 4, 5), {"tgt_mask": nn.Transformer.generate_square_subsequent_mask(4)})


def test_default_transformer_has_pytorchs_parameters_and_count():
    ours, theirs = nn.Transformer(), torch.nn.Transformer()
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert ours.num_parameters() == sum(p.numel() for p in theirs.parameters()) == 44_140_544
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert np.array_equal(nn.Transformer.generate_square_subsequent_mask(4),
                          torch.nn.Transformer.generate_square_subsequent_mask(4).detach().numpy())


def test_matrices_start_xavier_uniform_and_layers_are_independent_copies():
    model = nn.Transformer(d_model=32, nhead=4, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=64)
    weight = as_array(model.encoder.layers[0].linear1.weight)
    bound = math.sqrt(6 / (32 + 64))
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.9 * bound
    first, second = model.encoder.layers
    assert not np.shares_memory(as_array(first.linear1.weight), as_array(second.linear1.weight))


def test_is_causal_without_a_mask_is_the_causal_mask_and_unbatched_input_works():
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0)
    x = np.random.default_rng(4).standard_normal((5, 8)).astype(np.float32)   # unbatched (L, E)
    causal = layer(x, is_causal=True)
    assert causal.shape == (5, 8)
    assert np.allclose(as_array(causal), as_array(layer(x, src_mask=nn.Transformer.generate_square_subsequent_mask(5))))
    assert not np.allclose(as_array(causal), as_array(layer(x)))


def test_callable_activation_and_dropout_in_training_mode():
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5, activation=gn.nn.functional.tanh)
    x = np.ones((3, 2, 8), np.float32)
    assert not np.allclose(as_array(layer(x)), as_array(layer.eval()(x)))


def test_bad_arguments_and_inputs_are_named():
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not swish"):
        nn.TransformerEncoderLayer(8, 2, activation="swish")
    with pytest.raises(nn.LayerInputError, match=r"TransformerEncoderLayer expects src .* E = d_model = 8"):
        nn.TransformerEncoderLayer(8, 2)(np.zeros((4, 2, 6), np.float32))
    model = nn.Transformer(8, 2, 1, 1, 16, batch_first=True)
    with pytest.raises(nn.LayerInputError, match="same batch size"):
        model(np.zeros((2, 3, 8), np.float32), np.zeros((3, 3, 8), np.float32))
    with pytest.raises(nn.LayerInputError, match="d_model = 8"):
        model(np.zeros((2, 3, 8), np.float32), np.zeros((2, 3, 5), np.float32))
    with pytest.raises(ValueError, match="num_layers must be at least 1"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2), 0)


@pytest.mark.parametrize("batch_first", [False, True])
def test_positional_encoding_is_the_sinusoid_table(batch_first):
    encode = nn.PositionalEncoding(6, dropout=0.0, max_len=50, batch_first=batch_first)
    pe = encode.state_dict()["pe"]
    for pos, i in itertools.product((0, 3, 49), (0, 1, 2)):
        angle = pos / 10000 ** (2 * i / 6)
        assert pe[pos, 2 * i] == pytest.approx(math.sin(angle), abs=1e-6)
        assert pe[pos, 2 * i + 1] == pytest.approx(math.cos(angle), abs=1e-6)
    x = np.zeros((2, 7, 6) if batch_first else (7, 2, 6), np.float32)
    out = as_array(encode(x))
    assert np.allclose(out[0] if batch_first else out[:, 0], pe[:7])
    with pytest.raises(nn.LayerInputError, match="max_len = 50"):
        encode(np.zeros((2, 51, 6) if batch_first else (51, 2, 6), np.float32))
    assert nn.PositionalEncoding(5).state_dict()["pe"].shape == (5000, 5)   # odd sizes work too
