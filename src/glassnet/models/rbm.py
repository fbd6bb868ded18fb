"""The restricted Boltzmann machine and the deep belief network (0基础Python科研实践 lesson 5, "RBM
PRE-TRAINING": in 2006 Hinton trained a network layer by layer, unsupervised, each layer's hidden units
feeding the next, and so took it to 7 layers).

An RBM has binary visible units v and hidden units h, connected only across the two layers:

    energy            E(v, h) = −aᵀv − bᵀh − hᵀ W v          (W: (hidden, visible), as nn.Linear's)
    conditionals      p(h_j = 1 | v) = σ(b_j + W_j· v),   p(v_i = 1 | h) = σ(a_i + W_·iᵀ h)
    free energy       F(v) = −aᵀv − Σ_j log(1 + exp(b_j + W_j· v)),   p(v) ∝ exp(−F(v))

Learning follows the log-likelihood gradient ⟨h vᵀ⟩_data − ⟨h vᵀ⟩_model; contrastive divergence
(CD-k) estimates the model term with k steps of Gibbs sampling started at the data, persistent CD
(PCD) with a chain that carries on from one mini-batch to the next:

    ΔW = η (⟨p(h|v₀) v₀ᵀ⟩ − ⟨p(h|v_k) v_kᵀ⟩),   Δa = η ⟨v₀ − v_k⟩,   Δb = η ⟨p(h|v₀) − p(h|v_k)⟩
"""
from __future__ import annotations

import numpy as np
from tqdm.auto import tqdm

from .. import nn
from ..autograd import Tensor, as_array, as_tensor, get_rng
from ..nn import LayerInputError
from ..nn import functional as F
from ..nn.layers.linear import as_float_input


def sigmoid_(x: np.ndarray) -> np.ndarray:
    """σ(x) = ½(1 + tanh(x/2)) in place (no overflow for large |x|, three passes over the array)."""
    x *= 0.5
    np.tanh(x, out=x)
    x += 1
    x *= 0.5
    return x


def bernoulli(p: np.ndarray, rng) -> np.ndarray:
    """A 0/1 sample with P(1) = p, element by element (the draw u < p, u uniform in [0, 1))."""
    return (rng.random(p.shape, dtype=p.dtype) < p).astype(p.dtype)


class RBM(nn.Module):
    """A Bernoulli-Bernoulli restricted Boltzmann machine (visible and hidden units in {0, 1}; visible
    values in [0, 1] are read as probabilities). Parameters ``weight`` (n_hidden, n_visible),
    ``visible_bias`` a and ``hidden_bias`` b. Trained by CD-k (``k`` Gibbs steps from the data) or,
    with ``persistent=True``, by persistent CD (the chain of scikit-learn's BernoulliRBM).

    Example::

        rbm = RBM(64, 100, k=1)
        rbm.fit(X, epochs=10, batch_size=10, lr=0.1)      # X in [0, 1], shape (n, 64)
        features = rbm(X)                                # p(h = 1 | v), shape (n, 100)
        rbm.pseudo_log_likelihood(X).mean()
    """

    def __init__(self, n_visible: int, n_hidden: int, k: int = 1, persistent: bool = False, dtype=np.float32,
                 rng=None):
        super().__init__()
        if n_visible <= 0 or n_hidden <= 0:
            raise ValueError(f"RBM needs positive sizes, got n_visible={n_visible}, n_hidden={n_hidden}")
        if k < 1:
            raise ValueError(f"RBM: k (Gibbs steps per update) must be at least 1, got {k}")
        self.n_visible, self.n_hidden, self.k, self.persistent = n_visible, n_hidden, k, persistent
        # small random weights, zero biases (Hinton's practical guide; scikit-learn's N(0, 0.01²))
        self.weight = nn.Parameter((0.01 * get_rng(rng).standard_normal((n_hidden, n_visible))).astype(dtype))
        self.visible_bias = nn.Parameter(np.zeros(n_visible, dtype=dtype))
        self.hidden_bias = nn.Parameter(np.zeros(n_hidden, dtype=dtype))
        self.chain = None  # the persistent chain's hidden state (PCD), made at the first update

    # ----- the two conditionals and Gibbs sampling (arrays) -----
    def _visible(self, v, name: str = "v") -> np.ndarray:
        v = np.asarray(as_array(v), dtype=as_array(self.weight).dtype)
        if v.ndim != 2 or v.shape[1] != self.n_visible:
            raise LayerInputError(self, f"expects {name} of shape (batch, {self.n_visible}), got {v.shape}")
        return v

    def hidden_probabilities(self, v) -> np.ndarray:
        """p(h = 1 | v) = σ(v Wᵀ + b), shape (batch, n_hidden)."""
        return self._hidden(self._visible(v))

    def _hidden(self, v: np.ndarray) -> np.ndarray:
        return sigmoid_(v @ as_array(self.weight).T + as_array(self.hidden_bias))

    def visible_probabilities(self, h) -> np.ndarray:
        """p(v = 1 | h) = σ(h W + a), shape (batch, n_visible)."""
        return sigmoid_(np.asarray(as_array(h)) @ as_array(self.weight) + as_array(self.visible_bias))

    def gibbs(self, v, steps: int = 1, rng=None) -> np.ndarray:
        """``steps`` rounds of v → h ~ p(h|v) → v ~ p(v|h); returns the last visible sample."""
        rng = get_rng(rng)
        v = self._visible(v)
        for _ in range(steps):
            v = bernoulli(self.visible_probabilities(bernoulli(self.hidden_probabilities(v), rng)), rng)
        return v

    # ----- learning -----
    def contrastive_divergence(self, v0, lr: float = 0.1, rng=None) -> None:
        """One CD-k (or PCD) update of W, a, b from the mini-batch ``v0``."""
        self._update(self._visible(v0), lr, get_rng(rng))

    def _update(self, v0: np.ndarray, lr: float, rng) -> None:
        weight, a, b = as_array(self.weight), as_array(self.visible_bias), as_array(self.hidden_bias)
        positive = self._hidden(v0)
        if self.persistent:
            if self.chain is None or self.chain.shape != positive.shape:
                self.chain = np.zeros_like(positive)
            h = self.chain
        else:
            h = bernoulli(positive, rng)
        for step in range(self.k):
            vk = bernoulli(self.visible_probabilities(h), rng)
            negative = self._hidden(vk)
            if self.persistent or step < self.k - 1:  # CD's last hidden sample would go unused
                h = bernoulli(negative, rng)
        if self.persistent:
            self.chain = h
        step = np.asarray(lr / len(v0), dtype=weight.dtype)
        weight += step * (positive.T @ v0 - negative.T @ vk)
        a += step * (v0 - vk).sum(axis=0)
        b += step * (positive - negative).sum(axis=0)

    def reconstruction_error(self, v) -> float:
        """Mean squared difference between v and its mean-field reconstruction p(v | p(h | v))."""
        v = self._visible(v)
        return float(np.mean((v - self.visible_probabilities(self._hidden(v))) ** 2))

    def fit(self, X, epochs: int = 10, batch_size: int = 10, lr: float = 0.1, shuffle: bool = True, rng=None,
            verbose: int = 0) -> "RBM":
        """``epochs`` passes of mini-batch CD over X (n, n_visible) in [0, 1] (scikit-learn's defaults:
        10 epochs, batches of 10, η = 0.1). ``self.history`` gets the reconstruction error after each epoch."""
        rng = get_rng(rng)
        X = self._visible(X, "X")
        if not (X.min() >= 0 and X.max() <= 1):
            raise ValueError(f"RBM.fit expects X in [0, 1] (probabilities of the visible units), got values "
                             f"from {X.min():g} to {X.max():g}")
        self.history = []
        for _ in tqdm(range(epochs), desc="RBM", disable=not verbose):
            shuffled = X[rng.permutation(len(X))] if shuffle else X
            for start in range(0, len(X), batch_size):
                self._update(shuffled[start:start + batch_size], lr, rng)
            self.history.append(self.reconstruction_error(X))
        return self

    # ----- what the model says about data -----
    def free_energy(self, v) -> Tensor:
        """F(v) = −aᵀv − Σ_j softplus(b_j + W_j·v) per sample, as a differentiable Tensor: the gradient of
        F(v₀) − F(v_k) (v_k fixed) with respect to W, a, b is minus the CD update."""
        v = as_tensor(self._visible(v))
        return -(v @ self.visible_bias) - F.softplus(F.linear(v, self.weight, self.hidden_bias)).sum(axis=1)

    def pseudo_log_likelihood(self, v) -> np.ndarray:
        """Σ_i log p(v_i | v_{−i}) = Σ_i log σ(F(ṽ⁽ⁱ⁾) − F(v)) per sample, ṽ⁽ⁱ⁾ = v with unit i flipped
        (v_i → 1 − v_i). scikit-learn's ``score_samples`` draws one i at random and multiplies by the
        number of units: an unbiased estimate of this sum."""
        v = self._visible(v).astype(np.float64)
        weight, a, b = (as_array(p).astype(np.float64) for p in (self.weight, self.visible_bias, self.hidden_bias))
        result = np.empty(len(v))
        for start in range(0, len(v), 256):  # chunks keep the (batch, visible, hidden) array small
            chunk = v[start:start + 256]
            activation = chunk @ weight.T + b                                      # (B, H)
            change = 1 - 2 * chunk                                                 # flipping adds change_i to v_i
            free = -(chunk @ a) - np.logaddexp(0, activation).sum(axis=1)          # F(v), (B,)
            flipped = activation[:, None, :] + change[:, :, None] * weight.T       # (B, V, H)
            free_flipped = -(chunk @ a)[:, None] - change * a - np.logaddexp(0, flipped).sum(axis=2)
            result[start:start + 256] = -np.logaddexp(0, free[:, None] - free_flipped).sum(axis=1)
        return result

    def forward(self, v):
        """p(h = 1 | v) as a Tensor (differentiable: the RBM as a sigmoid layer)."""
        v = as_float_input(self, v, self.weight.dtype)
        if v.ndim != 2 or v.shape[1] != self.n_visible:
            raise LayerInputError(self, f"expects v of shape (batch, {self.n_visible}), got {tuple(v.shape)}")
        return F.sigmoid(F.linear(v, self.weight, self.hidden_bias))

    def extra_repr(self) -> str:
        return f"n_visible={self.n_visible}, n_hidden={self.n_hidden}, k={self.k}, persistent={self.persistent}"


class DBN(nn.Module):
    """A deep belief network: RBMs stacked so that each one's hidden layer is the next one's visible
    layer (``sizes`` = (visible, hidden₁, hidden₂, ...)). ``pretrain`` trains them greedily, bottom up,
    each on the hidden probabilities of the one below; ``classifier`` turns the stack into a sigmoid
    network (Linear + Sigmoid per RBM, then a Linear output layer) to fine-tune by back-propagation.

    Example::

        dbn = DBN([64, 100, 100, 100])
        dbn.pretrain(X, epochs=10)
        net = dbn.classifier(10)          # nn.Sequential, first layers initialized by the RBMs
    """

    def __init__(self, sizes, k: int = 1, persistent: bool = False, rng=None):
        super().__init__()
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2:
            raise ValueError(f"DBN needs at least a visible and a hidden size, got {sizes}")
        rng = get_rng(rng)
        self.sizes = sizes
        self.rbms = nn.ModuleList(RBM(a, b, k, persistent, rng=rng) for a, b in zip(sizes[:-1], sizes[1:]))

    def pretrain(self, X, epochs: int = 10, batch_size: int = 10, lr: float = 0.1, rng=None,
                 verbose: int = 0) -> list[float]:
        """Greedy layer-wise training, bottom up. The first RBM learns X itself; each higher one learns
        binary states sampled (afresh every epoch) from the hidden probabilities of the one below: they
        are what its visible units are, and they vary far more from one input to the next than the
        probabilities do, which keeps its CD signal ⟨h vᵀ⟩_data − ⟨h vᵀ⟩_model strong enough to carry
        the input's identity up many layers. Returns each RBM's pseudo-log-likelihood per unit of its
        input (probabilities)."""
        rng = get_rng(rng)
        inputs = np.asarray(as_array(X), dtype=np.float32)
        quality = []
        for depth, rbm in enumerate(self.rbms):
            for _ in tqdm(range(epochs), desc=f"DBN layer {depth + 1}", disable=not verbose):
                rbm.fit(inputs if depth == 0 else bernoulli(inputs, rng), 1, batch_size, lr, rng=rng)
            quality.append(float(rbm.pseudo_log_likelihood(inputs).mean() / rbm.n_visible))
            inputs = rbm.hidden_probabilities(inputs)
        return quality

    def forward(self, v):
        """The top layer's p(h = 1 | ·), each layer fed the probabilities of the one below."""
        for rbm in self.rbms:
            v = rbm(v)
        return v

    def classifier(self, n_classes: int) -> nn.Sequential:
        """nn.Sequential(Linear, Sigmoid, ..., Linear(n_classes)): the RBMs' W and b copied into the Linear
        layers (so it computes ``forward`` before its new output layer), ready for back-propagation."""
        layers = []
        for rbm in self.rbms:
            linear = nn.Linear(rbm.n_visible, rbm.n_hidden, dtype=as_array(rbm.weight).dtype)
            linear.load_state_dict({"weight": as_array(rbm.weight), "bias": as_array(rbm.hidden_bias)})
            layers += [linear, nn.Sigmoid()]
        return nn.Sequential(*layers, nn.Linear(self.sizes[-1], n_classes))

    def extra_repr(self) -> str:
        return f"sizes={self.sizes}"
