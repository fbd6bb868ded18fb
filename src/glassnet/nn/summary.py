"""``Module.summary()``: the table of layers, output shapes and parameter counts."""
from __future__ import annotations

import numpy as np

from ..autograd import Tensor, as_tensor, no_grad


def summarize(model, input_size=None, dtype=np.float32, file=None) -> str:
    shapes = {}
    if input_size is not None:
        handles = []
        for name, module in model.named_modules():
            def record(mod, inputs, output, name=name):
                out = output[0] if isinstance(output, tuple) else output
                shapes[name] = tuple(getattr(out, "shape", ()))
            handles.append(module.register_forward_hook(record))
        was_training = model.training
        model.eval()
        try:
            with no_grad():
                model(as_tensor(np.zeros(input_size, dtype=dtype)))
        finally:
            model.train(was_training)
            for handle in handles:
                handle.remove()
    rows = [("Layer (type)", "Output shape", "Param #")]
    for name, module in model.named_modules():
        if not name:
            continue
        own = sum(p.numel() for p in module.parameters(recurse=False))
        depth = name.count(".")
        rows.append(("  " * depth + f"{name} ({type(module).__name__})",
                     str(shapes.get(name, "")) if input_size is not None else "-", f"{own:,}"))
    total = model.num_parameters()
    trainable = model.num_parameters(trainable_only=True)
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    rule = "-" * (sum(widths) + 4)
    lines = [f"{type(model).__name__}", rule]
    for i, row in enumerate(rows):
        lines.append(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}")
        if i == 0:
            lines.append(rule)
    lines += [rule, f"Total params: {total:,}", f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}"]
    text = "\n".join(lines)
    print(text, file=file)
    return text
