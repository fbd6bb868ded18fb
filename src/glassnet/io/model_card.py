"""``model_card``: a Markdown description of a trained model — what it is, what it was trained on,
how well it does, and how to load it or carry it to PyTorch / ONNX."""
from __future__ import annotations

import io as _io
import math

from .safefile import atomic_write


def _history_table(history) -> list[str]:
    logs = getattr(history, "history", history) or {}
    if not logs:
        return []
    keys = list(logs)
    epochs = len(next(iter(logs.values())))
    lines = ["## Training history", "", f"{epochs} epochs" + (
        f"; stopped early: {history.stop_reason}" if getattr(history, "stop_reason", None) else "") + ".", "",
        "| quantity | first epoch | last epoch | best |", "|---|---:|---:|---:|"]
    for key in keys:
        values = [v for v in logs[key] if isinstance(v, (int, float)) and not math.isnan(v)]
        if not values:
            continue
        best = min(values) if "loss" in key or key in ("mae", "time") else max(values)
        lines.append(f"| {key} | {values[0]:.4g} | {values[-1]:.4g} | {best:.4g} |")
    return lines + [""]


def model_card(model, history=None, *, name: str | None = None, data: str | None = None,
               metrics: dict | None = None, input_size: tuple | None = None, intended_use: str | None = None,
               path=None) -> str:
    """Markdown card: architecture (layer table with parameter counts, output shapes if
    ``input_size`` is given), training data, the history's first/last/best values, the final
    ``metrics``, and how to reload and export the model. Written atomically to ``path`` if given."""
    title = name or type(model).__name__
    buffer = _io.StringIO()
    model.summary(input_size, file=buffer)
    total = model.num_parameters()
    lines = [f"# Model card: {title}", "",
             f"A `{type(model).__name__}` built with glassnet, {total:,} parameters "
             f"({model.num_parameters(trainable_only=True):,} trainable).", ""]
    if intended_use:
        lines += ["## Intended use", "", intended_use, ""]
    lines += ["## Architecture", "", "```", buffer.getvalue().rstrip(), "```", ""]
    if data:
        lines += ["## Training data", "", data, ""]
    lines += _history_table(history) if history is not None else []
    if metrics:
        lines += ["## Evaluation", "", "| metric | value |", "|---|---:|"]
        lines += [f"| {k} | {v:.4g} |" if isinstance(v, (int, float)) else f"| {k} | {v} |"
                  for k, v in metrics.items()]
        lines.append("")
    lines += ["## Using it", "", "```python", "import glassnet as gn",
              "model = gn.load('model.safetensors')            # saved with gn.save(model, path)",
              "from glassnet.interop import to_torch, to_onnx",
              "torch_model = to_torch(model)                   # same weights, PyTorch module",
              "to_onnx(model, example_input, 'model.onnx')     # for onnxruntime and other tools",
              "```", ""]
    text = "\n".join(lines)
    if path is not None:
        atomic_write(path, text.encode("utf-8"))
    return text
