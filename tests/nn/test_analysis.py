import numpy as np
import pytest

from glassnet.nn.analysis import (
    gradient_norms_through_time, plot_attention, plot_gradient_norms, plot_memory_curve,
)


def test_gradients_vanish_in_a_tanh_rnn_but_not_in_an_lstm_and_explode_with_large_weights():
    rnn = gradient_norms_through_time("RNN", length=60)
    lstm = gradient_norms_through_time("LSTM", length=60)
    exploding = gradient_norms_through_time("RNN", length=60, weight_scale=4.0, hidden_size=64)
    assert rnn.shape == (60,)
    assert rnn[0] / rnn[-1] < 1e-6            # 60 steps back almost nothing arrives
    assert lstm[0] / lstm[-1] > 100 * rnn[0] / rnn[-1]
    assert exploding[-30] > 10 * exploding[-1]


def test_figures_are_written(tmp_path):
    pytest.importorskip("matplotlib")
    paths = [
        plot_gradient_norms({"RNN": np.logspace(-8, 0, 20)}, str(tmp_path / "g.png")),
        plot_attention(np.eye(4), "abcd", "wxyz", str(tmp_path / "a.png")),
        plot_memory_curve([10, 20], {"LSTM": [1.0, 0.9]}, str(tmp_path / "m.png")),
    ]
    for path in paths:
        with open(path, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "g.png", "m.png"]
