"""Hand-made and damaged glassnet model files and checkpoints (``gn.load``, ``load_checkpoint``).

Each file is loaded in a child process: it must be refused with one ``FileFormatError`` naming the
field, quickly and in little memory, without importing or running anything the file names.
"""
from __future__ import annotations

import json
import os
import signal
import time

import numpy as np
import pytest
import safetensors.numpy

LOAD = """
import resource, time
import numpy as np
import glassnet as gn
from glassnet.io import FileFormatError
start = time.perf_counter()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # (a peak that exec may inherit from the parent)
try:
    model = gn.load({path!r})
except FileFormatError as error:
    print("REFUSED:", error)
else:
    print("LOADED", type(model).__name__)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(f"seconds {{time.perf_counter() - start:.2f}} peak_growth_mb {{grown / 1024:.0f}}")
"""


def write_model_file(path, architecture, tensors, format_name="glassnet.model/1"):
    metadata = {"glassnet.format": json.dumps(format_name), "user": "{}",
                "architecture": architecture if isinstance(architecture, str) else json.dumps(architecture)}
    path.write_bytes(safetensors.numpy.save(tensors, metadata=metadata))
    return path


def linear(in_features, out_features, dtype="float32"):
    return {"class": "glassnet.nn.Linear",
            "config": {"in_features": in_features, "out_features": out_features, "bias": True, "dtype": dtype}}


def weights(out_features=10, in_features=3, prefix="", dtype=np.float32):
    return {f"{prefix}weight": np.ones((out_features, in_features), dtype), f"{prefix}bias": np.zeros(out_features, dtype)}


def nested(depth) -> str:
    """``depth`` Sequentials inside one another around a Linear, as JSON text (too deep for json.dumps)."""
    return ('{"class": "glassnet.nn.Sequential", "children": {"0": ' * depth + json.dumps(linear(3, 10))
            + "}}" * depth)


def structural(attributes, parameters=("weight", "bias"), children=None):
    """A module described by its structure (no constructor call) with these attributes."""
    return {"class": "glassnet.nn.Linear", "structure": {
        "attributes": {"in_features": 3, "out_features": 10, **attributes}, "children": children or {},
        "parameters": list(parameters), "buffers": [], "empty": [], "empty_buffers": []}}


def refused(hostile, path, timeout=30):
    result = hostile.python(LOAD.format(path=str(path)), timeout=timeout)
    assert result.returncode == 0 and result.stdout.startswith("REFUSED:"), result.output[-2000:]
    return result.stdout


def test_a_class_outside_the_loadable_layers_is_never_imported(hostile, tmp_path):
    for name in ("glassnet.cli.__main__.x", "glassnet.cli.train.run", "os.system", "glassnet.io.api.save",
                 "glassnet.physics.scan.loop.x"):
        path = write_model_file(tmp_path / "m.safetensors", {"class": name, "config": {}}, {})
        stdout = refused(hostile, path)
        assert name in stdout and "class" in stdout and "usage:" not in stdout, stdout


@pytest.mark.parametrize("architecture, tensors, field", [
    (linear(50_000_000, 10), weights(), "in_features"),
    ({"class": "glassnet.nn.Conv2d", "config": {"in_channels": 3, "out_channels": 8, "kernel_size": [4000, 4000]}},
     {"weight": np.ones((8, 3, 3, 3), np.float32), "bias": np.zeros(8, np.float32)}, "kernel_size"),
    ({"class": "glassnet.nn.LSTM", "config": {"input_size": 3, "hidden_size": 10_000_000}},
     {"weight_ih_l0": np.ones((40, 3), np.float32)}, "hidden_size"),
    ({"class": "glassnet.nn.Embedding", "config": {"num_embeddings": 10**9, "embedding_dim": 4}},
     {"weight": np.ones((5, 4), np.float32)}, "num_embeddings"),
], ids=["Linear", "Conv2d", "LSTM", "Embedding"])
def test_declared_sizes_are_checked_against_the_stored_tensors_before_building(hostile, tmp_path, architecture,
                                                                               tensors, field):
    path = write_model_file(tmp_path / "m.safetensors", architecture, tensors)
    assert path.stat().st_size < 2048
    stdout = refused(hostile, path, timeout=30)
    assert field in stdout, stdout
    seconds, peak = (float(word) for word in stdout.split()[-3::2])
    assert seconds < 5 and peak < 300, stdout


@pytest.mark.parametrize("depth", [100, 3000])
def test_deep_nesting_is_refused(hostile, tmp_path, depth):
    path = write_model_file(tmp_path / "m.safetensors", nested(depth), weights(prefix="0." * depth))
    assert "nested" in refused(hostile, path)


def test_nested_predict_is_one_line_with_exit_code_2(hostile, tmp_path):
    path = write_model_file(tmp_path / "m.safetensors", nested(3000), weights(prefix="0." * 3000))
    (tmp_path / "x.csv").write_text("a,b,c\n1,2,3\n")
    result = hostile.glassnet("predict", path, tmp_path / "x.csv")
    assert result.returncode == 2 and "Traceback" not in result.stderr and "nested" in result.last_line()


def test_weights_of_a_dtype_the_architecture_does_not_use_are_refused(hostile, tmp_path):
    path = write_model_file(tmp_path / "m.safetensors", linear(3, 10), weights(dtype=np.int32))
    stdout = refused(hostile, path)
    assert "weight" in stdout and "int32" in stdout and "float32" in stdout


@pytest.mark.parametrize("architecture, field", [
    ("[1, 2, 3]", "architecture"),
    ({"class": 5, "config": {}}, "class"),
    ({"class": "glassnet.nn.Linear", "config": {"in_features": 3, "out_features": 10, "dtype": "object"}}, "dtype"),
    ({"class": "glassnet.nn.Linear", "config": [3, 10]}, "config"),
    ({"class": "glassnet.nn.Sequential", "children": [linear(3, 10)]}, "children"),
    ({"class": "glassnet.nn.Linear", "config": {"in_features": "3", "out_features": 10}}, "in_features"),
    ('{"class": "glassnet.nn.Linear", "config": ' + "[" * 5000 + "]" * 5000 + "}", "nested"),
    (structural({"__class__": {"dtype": "float32"}}), "__class__"),
    (structural({"forward": 1}), "forward"),
    (structural({}, parameters=["weight", "missing"]), "missing"),
    (structural({}, children={"x": {"class": "builtins.eval", "config": {}}}), "builtins.eval"),
], ids=["list", "class-number", "dtype-object", "config-list", "children-list", "size-text", "deep-json",
        "structure-dunder", "structure-method", "structure-missing-tensor", "structure-foreign-child"])
def test_every_malformed_architecture_field_is_named(hostile, tmp_path, architecture, field):
    path = write_model_file(tmp_path / "m.safetensors", architecture, weights())
    assert field in refused(hostile, path)


WRITE_FOREVER = """
import glassnet as gn
net = gn.nn.Sequential(gn.nn.Linear(2000, 2000), gn.nn.Linear(2000, 2000))
while True:
    gn.save(net, {path!r})
"""


def test_temporary_files_of_killed_writes_are_cleaned(hostile, tmp_path):
    path = tmp_path / "model.safetensors"
    writer = hostile.spawn_python(WRITE_FOREVER.format(path=str(path)))
    try:
        deadline = time.monotonic() + 60
        while not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]:
            assert time.monotonic() < deadline and writer.poll() is None, "the writer never wrote"
            time.sleep(0.005)
    finally:
        os.killpg(writer.pid, signal.SIGKILL)
        writer.wait()
    left = [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]
    assert left, "the kill came too late to leave a temporary file"
    result = hostile.python(f"""
        import glassnet as gn
        gn.save(gn.nn.Linear(2, 2), {str(path)!r})
        print(type(gn.load({str(path)!r})).__name__)
    """)
    assert result.stdout.strip() == "Linear", result.output
    assert sorted(os.listdir(tmp_path)) == ["model.safetensors"], os.listdir(tmp_path)


RESUME_INTO_ANOTHER_OPTIMIZER = """
import glassnet as gn
from glassnet.io import FileFormatError, load_checkpoint, save_checkpoint
net = gn.nn.Linear(3, 2)
adam = gn.optim.Adam(net.parameters(), lr=0.1)
net(gn.ones(4, 3)).sum().backward()
adam.step()
save_checkpoint({path!r}, net, adam, epoch=1)
for other in (gn.optim.SGD(net.parameters(), lr=0.1, momentum=0.9), gn.optim.RMSprop(net.parameters())):
    try:
        load_checkpoint({path!r}, net, other)
    except FileFormatError as error:
        print("REFUSED:", error)
    else:
        print("LOADED into", type(other).__name__, other.state_dict()["param_groups"][0])
    try:
        other.load_state_dict(adam.state_dict())
    except ValueError as error:
        print("REFUSED:", error)
    else:
        print("LOADED state dict into", type(other).__name__)
"""


def test_a_checkpoint_of_one_optimizer_refuses_to_load_into_another(hostile, tmp_path):
    result = hostile.python(RESUME_INTO_ANOTHER_OPTIMIZER.format(path=str(tmp_path / "ckpt.safetensors")))
    lines = result.stdout.splitlines()
    assert len(lines) == 4 and all(line.startswith("REFUSED:") for line in lines), result.output[-2000:]
    assert "Adam" in lines[0] and "SGD" in lines[0] and "RMSprop" in lines[2]


def test_a_good_model_still_loads_quickly(hostile, tmp_path):
    path = write_model_file(tmp_path / "m.safetensors", {"class": "glassnet.nn.Sequential", "children": {
        "0": linear(3, 10), "1": {"class": "glassnet.nn.ReLU", "config": {}}}}, weights(prefix="0."))
    result = hostile.python(LOAD.format(path=str(path)))
    assert result.stdout.startswith("LOADED Sequential"), result.output[-2000:]
