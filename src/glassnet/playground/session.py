"""One browser tab's training session: its data, its network (a ``gn.nn.Sequential``), its optimizer,
and the state the page draws (losses, weights, the heatmap of every neuron, gradient flow).

The losses are the playground's: ½·mean((ŷ - t)²) for two classes (a tanh output, targets t = ±1) and
for regression (a linear output); cross-entropy with a softmax output for 3-5 classes. L1 and L2
penalties apply to the weights, not the biases, as in TensorFlow Playground.

A network whose loss or weights stop being finite numbers has diverged: it takes no more steps, and
its state says why (``diverged``) until it is reset. JSON has no NaN, so the page never gets one: a
value that is not finite is sent as null.
"""
from __future__ import annotations

import base64
import math
import time

import numpy as np

from .. import nn, optim
from ..autograd import as_array, as_tensor
from ..nn import functional as F
from . import data
from .settings import DISPLAY_ONLY, LIVE, SettingsError, validate

GRID = 50            # the output heatmap is GRID x GRID over the plane
NEURON_STRIDE = 2    # a neuron's heatmap takes every 2nd grid point: 25 x 25
ACTIVATIONS = {
    "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "linear": nn.Identity,
    "leakyrelu": nn.LeakyReLU, "elu": nn.ELU, "softplus": nn.Softplus,
}
DATA_SETTINGS = {"dataset", "noise", "percTrainData", "numSamples", "numClasses", "seed"}


def make_optimizer(parameters, settings: dict) -> optim.Optimizer:
    """The optimizer the page chose, with PyTorch's update rules."""
    kind, lr = settings["optimizer"], settings["learningRate"]
    if kind == "sgd":
        return optim.SGD(parameters, lr=lr)
    if kind in ("momentum", "nesterov"):
        return optim.SGD(parameters, lr=lr, momentum=settings["momentum"], nesterov=kind == "nesterov")
    if kind == "adagrad":
        return optim.Adagrad(parameters, lr=lr)
    if kind == "rmsprop":
        return optim.RMSprop(parameters, lr=lr, alpha=settings["alpha"])
    return optim.Adam(parameters, lr=lr, betas=(settings["beta1"], settings["beta2"]))


def build_network(n_inputs: int, settings: dict, problem: str, num_classes: int, rng) -> nn.Sequential:
    """inputs → [Linear → activation (→ Dropout)] per hidden layer → Linear (→ Tanh for two classes),
    initialized as PyTorch's Linear from ``rng``."""
    layers, width = [], n_inputs
    for hidden in settings["networkShape"]:
        layers += [nn.Linear(width, hidden), ACTIVATIONS[settings["activation"]]()]
        if settings["dropout"] > 0:
            layers.append(nn.Dropout(settings["dropout"], rng=rng))
        width = hidden
    layers.append(nn.Linear(width, num_classes if problem == "multiclass" else 1))
    if problem == "classification":
        layers.append(nn.Tanh())
    network = nn.Sequential(*layers)
    for layer in linear_layers(network):
        nn.init.default_layer_init_(layer.weight, layer.bias, rng=rng)
    return network


def linear_layers(network: nn.Sequential) -> list[nn.Linear]:
    return [module for module in network if isinstance(module, nn.Linear)]


def data_loss(output: Tensor, target: np.ndarray, problem: str) -> Tensor:
    if problem == "multiclass":
        return F.cross_entropy(output, target)
    return 0.5 * F.mse_loss(output, target)


def targets(points: data.Points) -> np.ndarray:
    """What the network's output is compared with: class indices, ±1 columns, or regression columns."""
    if points.problem == "multiclass":
        return points.y
    if points.problem == "classification":
        return (2.0 * points.y - 1.0).astype(np.float32)[:, None]
    return points.y.astype(np.float32)[:, None]


def quantize(values: np.ndarray) -> str:
    """Values in [-1, 1] (clipped; NaN drawn as 0) as base64 of int8 (×127): a 25×25 map is 844 characters."""
    values = np.clip(np.nan_to_num(values, nan=0.0), -1, 1)
    return base64.b64encode(np.round(values * 127).astype(np.int8).tobytes()).decode()


def finite_or_none(values, decimals: int | None = None):
    """Numbers (or nested lists of them, rounded to ``decimals``) for JSON, which has no NaN or
    Infinity: those become None."""
    array = np.asarray(values, dtype=np.float64)
    array = array if decimals is None else array.round(decimals)
    if array.ndim == 0:
        return float(array) if math.isfinite(array) else None
    return np.where(np.isfinite(array), array, None).tolist()


def grid_points() -> np.ndarray:
    """GRID² points over [-6, 6]², row by row from the top (x₂ = +6) as the canvas draws them."""
    centers = (np.arange(GRID) + 0.5) / GRID * 2 * data.PLANE - data.PLANE
    x1, x2 = np.meshgrid(centers, centers[::-1])
    return np.stack([x1.ravel(), x2.ravel()], axis=1).astype(np.float32)


class Session:
    """Data, network and optimizer of one tab; every change goes through ``configure`` / ``command``."""

    def __init__(self):
        self.settings = validate({})
        self.upload: data.Points | None = None
        self.upload_scale = 1.0
        self.grid = grid_points()
        self.regenerate()

    # ----- building -----
    def regenerate(self) -> None:
        """New points from the settings' seed, a new split, a new network."""
        rng = np.random.default_rng(self.settings["seed"])
        points = data.generate(self.settings, rng, self.upload)
        self.problem, self.num_classes = points.problem, points.num_classes
        self.train_points, self.test_points = points.split(self.settings["percTrainData"], rng)
        self.reset()

    def reset(self) -> None:
        """New weights (from the seed), a new optimizer, epoch 0."""
        s = self.settings
        self.train_x, self.test_x = data.features(self.train_points.X, s), data.features(self.test_points.X, s)
        self.train_t, self.test_t = targets(self.train_points), targets(self.test_points)
        self.grid_x = data.features(self.grid, s)
        self.rng = np.random.default_rng(s["seed"] + 1)
        self.network = build_network(self.train_x.shape[1], s, self.problem, self.num_classes, self.rng)
        self.optimizer = make_optimizer(self.network.parameters(), s)
        self.epoch, self.updates, self.order, self.cursor = 0, 0, self.rng.permutation(len(self.train_x)), 0
        self.diverged: str | None = None  # why training stopped for good, until the next reset

    def configure(self, changes: dict) -> str:
        """Apply setting changes; returns 'display', 'live' (taken by the running session), or 'reset'."""
        settings = validate(changes, self.settings)
        changed = {name for name in settings if settings[name] != self.settings[name]}
        if settings["dataset"] == "upload" and self.upload is None:
            raise SettingsError("data set 'upload' needs a CSV: upload one first")
        self.settings = settings
        if changed <= DISPLAY_ONLY:
            return "display"
        if changed <= LIVE:
            for group in self.optimizer.param_groups:
                group["lr"] = settings["learningRate"]
            return "live"
        if changed & DATA_SETTINGS:
            self.regenerate()
        else:
            self.reset()
        return "reset"

    def use_upload(self, points: data.Points, scale: float) -> None:
        self.upload, self.upload_scale = points, scale
        self.settings = dict(self.settings, dataset="upload")
        self.regenerate()

    def set_weight(self, layer: int, to: int, source: int, value) -> None:
        """Set one weight of Linear layer ``layer`` (0 = first): from neuron ``source`` to ``to``."""
        layers = linear_layers(self.network)
        if not isinstance(layer, int) or not 0 <= layer < len(layers):
            raise SettingsError(f"setWeight: layer must be 0 to {len(layers) - 1}, got {layer!r}")
        weight = as_array(layers[layer].weight)
        for name, index, size in (("to", to, weight.shape[0]), ("from", source, weight.shape[1])):
            if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < size:
                raise SettingsError(f"setWeight: {name} must be 0 to {size - 1} in layer {layer}, got {index!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not abs(value) <= 100:
            raise SettingsError(f"setWeight: the weight must be a number between -100 and 100, got {value!r}")
        weight[to, source] = value

    # ----- training -----
    def train_batch(self) -> bool:
        """One optimizer step on the next mini-batch (an epoch is one pass over the shuffled training set);
        True when it ended an epoch. A loss that is not finite is not stepped on: training has diverged."""
        index = self.order[self.cursor:self.cursor + self.settings["batchSize"]]
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is caught below, as divergence
            output = self.network(as_tensor(self.train_x[index]))
            loss = data_loss(output, self.train_t[index], self.problem)
            rate, penalty = self.settings["regularizationRate"], self.settings["regularization"]
            if penalty != "none" and rate > 0:
                weights = [layer.weight for layer in linear_layers(self.network)]
                loss = loss + (nn.utils.l1_penalty if penalty == "L1" else nn.utils.l2_penalty)(weights, rate)
            value = float(as_array(loss))
            if not math.isfinite(value):
                self.diverge(f"the training loss became {value}")
                return False
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
        self.updates += 1
        self.cursor += len(index)
        if self.cursor >= len(self.order):
            self.epoch += 1
            self.order, self.cursor = self.rng.permutation(len(self.train_x)), 0
            return True
        return False

    def diverge(self, what: str) -> None:
        settings = self.settings
        self.diverged = (f"training diverged at epoch {self.epoch + 1}: {what}. The steps grew without bound: "
                         f"lower the learning rate (now {settings['learningRate']:g})"
                         + (f" or the regularization rate (now {settings['regularizationRate']:g})"
                            if settings["regularization"] != "none" and settings["regularizationRate"] > 0 else "")
                         + ", then press reset")

    def train_for(self, seconds: float, max_updates: int, to_epoch_end: bool = False) -> int:
        """Mini-batch steps until ``seconds`` have passed or ``max_updates`` were made (or an epoch
        ended, with ``to_epoch_end``, or training diverged); returns how many."""
        start, done = time.perf_counter(), 0
        self.network.train()
        while not self.diverged and done < max_updates and time.perf_counter() - start < seconds:
            done += 1
            if self.train_batch() and to_epoch_end:
                break
        return done

    def train_epoch(self) -> None:
        """The rest of this epoch (a whole one from its start), unless training diverges."""
        self.network.train()
        while not self.train_batch() and not self.diverged:
            pass

    # ----- what the page draws -----
    def forward_all(self, x: np.ndarray) -> list[np.ndarray]:
        """The outputs of every hidden layer (after its activation) and of the network, in eval mode,
        from plain arrays (no graph is recorded: this runs beside training in other threads)."""
        self.network.eval()
        outputs, a = [], x
        for module in self.network:
            if isinstance(module, nn.Linear):
                a = a @ as_array(module.weight).T + as_array(module.bias)
            elif not isinstance(module, nn.Dropout):
                a = as_array(module(as_tensor(a)))
                outputs.append(a)
        if not isinstance(self.network[-1], nn.Tanh):
            outputs.append(a)
        return outputs

    def loss_of(self, x: np.ndarray, t: np.ndarray) -> float:
        if len(x) == 0:
            return 0.0
        output = self.forward_all(x)[-1]
        return float(as_array(data_loss(as_tensor(output), t, self.problem)))

    def layout(self) -> dict:
        """What changes only on a reset: the points, the features, the shape, the input heatmaps."""
        points = lambda p: np.column_stack([p.X, p.y]).round(3).tolist()
        return {
            "type": "reset", "settings": self.settings, "problem": self.problem, "numClasses": self.num_classes,
            "features": data.feature_names(self.settings),
            "shape": [self.train_x.shape[1], *self.settings["networkShape"],
                      self.num_classes if self.problem == "multiclass" else 1],
            "train": points(self.train_points), "test": points(self.test_points),
            "grid": GRID, "neuronGrid": GRID // NEURON_STRIDE,
        }

    def _thumbnail(self, values: np.ndarray) -> np.ndarray:
        return values.reshape(GRID, GRID)[::NEURON_STRIDE, ::NEURON_STRIDE]

    def gradient_flow(self) -> list[float]:
        """mean |∂L/∂W| of each layer's weights in the last step (0 before the first): gradients that
        shrink layer by layer towards the input are the vanishing gradients of deep sigmoid networks."""
        return [float(np.abs(as_array(layer.weight.grad)).mean()) if layer.weight.grad is not None else 0.0
                for layer in linear_layers(self.network)]

    def state(self) -> dict:
        """Losses, weights, gradient flow and every neuron's heatmap, for one page update (non-finite
        numbers as None, and ``diverged`` saying why when training has diverged)."""
        layers = linear_layers(self.network)
        if not self.diverged and not all(np.isfinite(as_array(p)).all() for p in self.network.parameters()):
            self.diverge("the weights are no longer finite numbers")
        with np.errstate(all="ignore"):  # a diverged network computes with inf and NaN
            outputs = self.forward_all(self.grid_x)
            losses = self.loss_of(self.train_x, self.train_t), self.loss_of(self.test_x, self.test_t)
        output = outputs[-1]
        state = {
            "type": "state", "epoch": self.epoch, "updates": self.updates,
            "trainLoss": finite_or_none(losses[0]), "testLoss": finite_or_none(losses[1]),
            "neurons": [[quantize(self._thumbnail(column)) for column in layer.T] for layer in outputs[:-1]],
            "weights": [finite_or_none(as_array(layer.weight), 4) for layer in layers],
            "biases": [finite_or_none(as_array(layer.bias), 4) for layer in layers],
            "gradFlow": finite_or_none(self.gradient_flow()),
            "diverged": self.diverged,
        }
        if self.problem == "multiclass":
            with np.errstate(all="ignore"):
                probabilities = np.exp(output - output.max(axis=1, keepdims=True))
                probabilities /= probabilities.sum(axis=1, keepdims=True)
            state["output"] = quantize(probabilities.max(axis=1))
            state["outputClass"] = base64.b64encode(probabilities.argmax(axis=1).astype(np.uint8).tobytes()).decode()
        else:
            state["output"] = quantize(output[:, 0])
        return state
