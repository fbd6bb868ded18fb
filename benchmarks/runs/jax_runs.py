"""JAX's side of the benchmarks (imported only in JAX's own worker process): the same models,
each training step one ``jax.jit``-compiled function (forward, gradient and optax update), with
the parameters and optimizer state donated to it so that XLA updates them in place."""
from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import optax

from workloads import (
    LENET_BATCH, MLP_BATCH, MLP_SIZES, RNN_GATES, RNN_HIDDEN, RNN_INPUT, RNN_UPDATES, Timed, batches, lenet_data,
    mlp_data, rnn_data, uniform_init,
)

jax.config.update("jax_platforms", "cpu")
VERSION = f"{jax.__version__}, optax {optax.__version__}"


def _dense(sizes, rng) -> list:
    return [(uniform_init((n_in, n_out), n_in, rng), uniform_init((n_out,), n_in, rng))
            for n_in, n_out in zip(sizes[:-1], sizes[1:])]


def _mlp_forward(params, x):
    for w, b in params[:-1]:
        x = jax.nn.relu(x @ w + b)
    w, b = params[-1]
    return x @ w + b


def _train_step(forward, loss, optimizer):
    """One jitted step: loss, gradients, optimizer update, new parameters."""
    def step(params, state, x, y):
        value, grads = jax.value_and_grad(lambda p: loss(forward(p, x), y))(params)
        updates, state = optimizer.update(grads, state, params)
        return optax.apply_updates(params, updates), state, value
    return jax.jit(step, donate_argnums=(0, 1))


def _cross_entropy(logits, y):
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


def _epoch(step, params, optimizer, data) -> callable:
    data = [(jax.device_put(X), jax.device_put(y)) for X, y in data]
    carry = {"params": jax.device_put(params), "state": optimizer.init(jax.device_put(params))}

    def epoch():
        params, state = carry["params"], carry["state"]
        for X, y in data:
            params, state, value = step(params, state, X, y)
        value.block_until_ready()
        carry["params"], carry["state"] = params, state
    return epoch


def mlp() -> Timed:
    optimizer = optax.adam(1e-3)
    params = _dense(MLP_SIZES, np.random.default_rng(0))
    X, y = mlp_data()
    return Timed(_epoch(_train_step(_mlp_forward, _cross_entropy, optimizer), params, optimizer,
                        batches(X, y, MLP_BATCH)), len(X))


def _conv(x, w, b, padding):
    y = jax.lax.conv_general_dilated(x, w, (1, 1), padding, dimension_numbers=("NCHW", "OIHW", "NCHW"))
    return y + b[None, :, None, None]


def _max_pool_2x2(x):
    return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")


def _lenet_forward(params, x):
    (w1, b1), (w2, b2), dense = params
    x = jax.nn.relu(_max_pool_2x2(_conv(x, w1, b1, ((2, 2), (2, 2)))))
    x = jax.nn.relu(_max_pool_2x2(_conv(x, w2, b2, ((0, 0), (0, 0)))))
    return _mlp_forward(dense, x.reshape(x.shape[0], -1))


def lenet() -> Timed:
    rng = np.random.default_rng(0)
    params = [(uniform_init((6, 1, 5, 5), 25, rng), uniform_init((6,), 25, rng)),
              (uniform_init((16, 6, 5, 5), 150, rng), uniform_init((16,), 150, rng)),
              _dense((400, 120, 84, 10), rng)]
    optimizer = optax.sgd(0.01, momentum=0.9)
    X, y = lenet_data()
    return Timed(_epoch(_train_step(_lenet_forward, _cross_entropy, optimizer), params, optimizer,
                        batches(X, y, LENET_BATCH)), len(X))


def _cell(kind: str):
    """PyTorch's cells (gate orders LSTM i, f, g, o and GRU r, z, n) on weights stored transposed."""
    def rnn(h, xw, w_hh, b_hh):
        return jnp.tanh(xw + h @ w_hh + b_hh)

    def gru(h, xw, w_hh, b_hh):
        hw = h @ w_hh + b_hh
        x_r, x_z, x_n = jnp.split(xw, 3, axis=-1)
        h_r, h_z, h_n = jnp.split(hw, 3, axis=-1)
        r, z = jax.nn.sigmoid(x_r + h_r), jax.nn.sigmoid(x_z + h_z)
        n = jnp.tanh(x_n + r * h_n)
        return (1 - z) * n + z * h

    def lstm(state, xw, w_hh, b_hh):
        h, c = state
        i, f, g, o = jnp.split(xw + h @ w_hh + b_hh, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        return jax.nn.sigmoid(o) * jnp.tanh(c), c
    return {"RNN": rnn, "GRU": gru, "LSTM": lstm}[kind]


def _recurrent_forward(kind: str):
    cell = _cell(kind)

    def forward(params, x):
        w_ih, b_ih, w_hh, b_hh, w_head, b_head = params
        xw = x @ w_ih + b_ih                   # every step's input projection at once
        h = jnp.zeros((x.shape[1], RNN_HIDDEN), x.dtype)
        state = (h, h) if kind == "LSTM" else h

        def step(state, xw_t):
            state = cell(state, xw_t, w_hh, b_hh)
            return state, None
        state, _ = jax.lax.scan(step, state, xw)
        h = state[0] if kind == "LSTM" else state
        return h @ w_head + b_head
    return forward


def recurrent(kind: str) -> Timed:
    rng = np.random.default_rng(0)
    width = RNN_GATES[kind] * RNN_HIDDEN
    params = [uniform_init((RNN_INPUT, width), RNN_HIDDEN, rng), uniform_init((width,), RNN_HIDDEN, rng),
              uniform_init((RNN_HIDDEN, width), RNN_HIDDEN, rng), uniform_init((width,), RNN_HIDDEN, rng),
              uniform_init((RNN_HIDDEN, 1), RNN_HIDDEN, rng), uniform_init((1,), RNN_HIDDEN, rng)]
    optimizer = optax.adam(1e-3)
    step = _train_step(_recurrent_forward(kind), lambda out, y: jnp.mean((out - y) ** 2), optimizer)
    x, y = rnn_data()
    return Timed(_epoch(step, params, optimizer, [(x, y)] * RNN_UPDATES), RNN_UPDATES * x.shape[1])
