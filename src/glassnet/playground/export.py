"""Export a playground session: the Python code that rebuilds and trains the same network on the same
data, and the trained model as a glassnet file (``gn.save``)."""
from __future__ import annotations

import os
import tempfile

import glassnet as gn

from .data import GENERATORS, feature_names
from .settings import FEATURES

FEATURE_CODE = {"x": "X[:, 0]", "y": "X[:, 1]", "xSquared": "X[:, 0] ** 2", "ySquared": "X[:, 1] ** 2",
                "xTimesY": "X[:, 0] * X[:, 1]", "sinX": "np.sin(X[:, 0])", "sinY": "np.sin(X[:, 1])"}
ACTIVATION_CODE = {"relu": "nn.ReLU()", "tanh": "nn.Tanh()", "sigmoid": "nn.Sigmoid()", "linear": "nn.Identity()",
                   "leakyrelu": "nn.LeakyReLU()", "elu": "nn.ELU()", "softplus": "nn.Softplus()"}
OPTIMIZER_CODE = {
    "sgd": "optim.SGD(net.parameters(), lr={learningRate})",
    "momentum": "optim.SGD(net.parameters(), lr={learningRate}, momentum={momentum})",
    "nesterov": "optim.SGD(net.parameters(), lr={learningRate}, momentum={momentum}, nesterov=True)",
    "adagrad": "optim.Adagrad(net.parameters(), lr={learningRate})",
    "rmsprop": "optim.RMSprop(net.parameters(), lr={learningRate}, alpha={alpha})",
    "adam": "optim.Adam(net.parameters(), lr={learningRate}, betas=({beta1}, {beta2}))",
}


def _data_code(session) -> str:
    s = session.settings
    if s["dataset"] == "upload":
        rows = ",\n    ".join(f"({x1:.6g}, {x2:.6g}, {label:.6g})" for (x1, x2), label in
                              zip(session.upload.X.tolist(), session.upload.y.tolist()))
        dtype = "np.float32" if session.problem == "regression" else "np.int64"
        return (f"# the uploaded CSV, scaled by {session.upload_scale:.6g} into the plane [-6, 6]²\n"
                f"table = np.array([\n    {rows},\n])\n"
                f"X, y = table[:, :2].astype(np.float32), table[:, 2].astype({dtype})\n")
    noise = s["noise"] / 100
    if s["dataset"] == "blobs":
        call = f"synthetic.make_blobs_multiclass({s['numSamples']}, n_classes={s['numClasses']}, noise={noise}, rng=rng)"
    else:
        call = f"synthetic.{GENERATORS[s['dataset']].__name__}({s['numSamples']}, noise={noise}, rng=rng)"
    return f"X, y = {call}\n"


def _network_code(session) -> str:
    s = session.settings
    lines, width = [], session.train_x.shape[1]
    for hidden in s["networkShape"]:
        lines.append(f"nn.Linear({width}, {hidden}), {ACTIVATION_CODE[s['activation']]},")
        if s["dropout"] > 0:
            lines.append(f"nn.Dropout({s['dropout']}, rng=rng),")
        width = hidden
    lines.append(f"nn.Linear({width}, {session.num_classes if session.problem == 'multiclass' else 1}),")
    if session.problem == "classification":
        lines.append("nn.Tanh(),")
    return "net = nn.Sequential(\n" + "".join(f"    {line}\n" for line in lines) + ")\n"


def python_code(session) -> str:
    """A script that rebuilds the data, the features, the network and the optimizer of ``session`` and
    trains it for as many epochs as the session has (the same seed gives the same data and start)."""
    s = session.settings
    features = ", ".join(FEATURE_CODE[f] for f in FEATURES if s[f])
    if session.problem == "multiclass":
        loss, targets = "F.cross_entropy(output, target)", "y"
    elif session.problem == "classification":
        loss, targets = "0.5 * F.mse_loss(output, target)", "(2.0 * y - 1.0).astype(np.float32)[:, None]"
    else:
        loss, targets = "0.5 * F.mse_loss(output, target)", "y.astype(np.float32)[:, None]"
    penalty = ""
    if s["regularization"] != "none" and s["regularizationRate"] > 0:
        kind = "l1_penalty" if s["regularization"] == "L1" else "l2_penalty"
        penalty = (f"        weights = [m.weight for m in net if isinstance(m, nn.Linear)]\n"
                   f"        loss = loss + nn.utils.{kind}(weights, {s['regularizationRate']})\n")
    return f'''"""The glassnet Playground's network: {s['dataset']} data, {len(s['networkShape'])} hidden layer(s)
{s['networkShape']} of {s['activation']}, {s['optimizer']} with learning rate {s['learningRate']}.
Run it with: python this_file.py [epochs]"""
import sys

import numpy as np

from glassnet import as_tensor, nn, optim
from glassnet.data import synthetic
from glassnet.nn import functional as F

rng = np.random.default_rng({s['seed']})
{_data_code(session)}order = rng.permutation(len(X))
n_train = max(1, min(len(X) - 1, round(len(X) * {s['percTrainData']} / 100)))
train, test = order[:n_train], order[n_train:]


def features(X):
    return np.stack([{features}], axis=1).astype(np.float32)


inputs, target_all = features(X), {targets}
rng = np.random.default_rng({s['seed'] + 1})
{_network_code(session)}for layer in net:
    if isinstance(layer, nn.Linear):
        nn.init.default_layer_init_(layer.weight, layer.bias, rng=rng)
optimizer = {OPTIMIZER_CODE[s['optimizer']].format(**s)}
batch_size = {s['batchSize']}
epochs = int(sys.argv[1]) if len(sys.argv) > 1 else {max(session.epoch, 1)}


def loss_of(index):
    net.eval()
    output, target = net(as_tensor(inputs[index])), target_all[index]
    return float({loss}.item())


for epoch in range(epochs):
    shuffled = train[rng.permutation(len(train))]
    for start in range(0, len(shuffled), batch_size):
        index = shuffled[start:start + batch_size]
        net.train()
        output, target = net(as_tensor(inputs[index])), target_all[index]
        loss = {loss}
{penalty}        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
print(f"epochs {{epochs}}: train loss {{loss_of(train):.4f}}, test loss {{loss_of(test):.4f}}")
'''


def glassnet_file(session) -> bytes:
    """The trained network as a glassnet file (``gn.save``: safetensors with the architecture), with the
    playground's settings, features and problem in its metadata; ``gn.load`` rebuilds the network."""
    metadata = {"playground": session.settings, "features": feature_names(session.settings),
                "problem": session.problem, "epoch": session.epoch}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "playground_model.gn")
        gn.save(session.network, path, metadata=metadata)
        with open(path, "rb") as file:
            return file.read()
