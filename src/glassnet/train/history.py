"""``History``: what ``Trainer.fit`` records per epoch (losses, metrics, learning rate, time)."""
from __future__ import annotations

import json
import math

from ..io.safefile import atomic_write


class History:
    """``history["val_loss"]`` is the list of per-epoch values (Keras' ``History.history``), one entry
    per finished epoch; ``stop_reason`` says why training stopped early (None if it ran to the end)."""

    def __init__(self):
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []
        self.stop_reason: str | None = None

    def append(self, epoch: int, logs: dict) -> None:
        for key in list(self.history) + [k for k in logs if k not in self.history]:
            self.history.setdefault(key, [math.nan] * len(self.epoch)).append(logs.get(key, math.nan))
        self.epoch.append(epoch)

    def __getitem__(self, key: str) -> list:
        return self.history[key]

    def __contains__(self, key: str) -> bool:
        return key in self.history

    def __len__(self) -> int:
        return len(self.epoch)

    def to_dict(self) -> dict:
        return {"epoch": list(self.epoch), "history": {k: list(v) for k, v in self.history.items()},
                "stop_reason": self.stop_reason}

    @classmethod
    def from_dict(cls, data: dict | None) -> "History":
        history = cls()
        if data:
            history.epoch = [int(e) for e in data["epoch"]]
            history.history = {k: [float(x) for x in v] for k, v in data["history"].items()}
            history.stop_reason = data.get("stop_reason")
        return history

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    def save(self, path) -> None:
        """Write the history as JSON (atomically)."""
        atomic_write(path, self.to_json().encode())

    @classmethod
    def load(cls, path) -> "History":
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    def plot(self, path, title: str = "Training history") -> str:
        """Write a figure: the losses (training and validation) and, beside them, every other metric."""
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        if not self.epoch:
            raise ValueError("History.plot: nothing recorded yet (fit for at least one epoch)")
        epochs = [e + 1 for e in self.epoch]
        metrics = sorted({k.removeprefix("val_") for k in self.history} - {"loss", "lr", "time"})
        fig, axes = plt.subplots(1, 1 + bool(metrics), figsize=(5.5 * (1 + bool(metrics)), 4), squeeze=False)
        panels = [("loss", axes[0, 0])] + ([(None, axes[0, 1])] if metrics else [])
        for name, ax in panels:
            for i, key in enumerate(["loss"] if name else metrics):
                for prefix, style in (("", "-"), ("val_", "--")):  # one colour per quantity
                    if prefix + key in self.history:
                        label = ("validation " if prefix else "training ") + key
                        ax.plot(epochs, self.history[prefix + key], style, color=f"C{i}", marker=".", label=label)
            ax.set_xlabel("epoch")
            ax.set_ylabel("loss" if name else "metric value")
            ax.set_title("Loss" if name else "Metrics")
            ax.grid(alpha=0.3)
            ax.legend()
        fig.suptitle(title + (f" (stopped: {self.stop_reason})" if self.stop_reason else ""), fontsize=10)
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)
        return str(path)
