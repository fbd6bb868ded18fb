"""Save/load round trips (safetensors + JSON), refusal of damaged files, the text dump and the plot."""
import os

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_classification

from glassnet.trees import DecisionTreeClassifier, GradientBoostingClassifier, GradientBoostingRegressor
from glassnet.trees.plot import dump_tree, plot_tree
from glassnet.trees.serialize import load_model


@pytest.fixture(scope="module")
def model_and_data():
    X, y = make_classification(n_samples=300, n_features=4, n_classes=3, n_informative=3, n_redundant=0,
                               random_state=0)
    X[::10, 1] = np.nan
    labels = np.array(["b", "s", "x"])[y]
    return GradientBoostingClassifier(n_estimators=4, max_depth=3).fit(X, labels, verbose=False), X


def test_round_trip_gives_identical_predictions(model_and_data, tmp_path):
    model, X = model_and_data
    path = tmp_path / "model.safetensors"
    model.save_model(path)
    loaded = load_model(path)
    assert type(loaded) is GradientBoostingClassifier and loaded.get_params() == model.get_params()
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert [p.name for p in tmp_path.iterdir()] == ["model.safetensors"]     # no temporary file left


def test_load_into_estimator_of_the_wrong_class_is_refused(model_and_data, tmp_path):
    model, _ = model_and_data
    model.save_model(tmp_path / "m.safetensors")
    with pytest.raises(ValueError, match="holds a GradientBoostingClassifier, not a GradientBoostingRegressor"):
        GradientBoostingRegressor().load_model(tmp_path / "m.safetensors")


def test_damaged_and_foreign_files_are_refused(model_and_data, tmp_path):
    model, _ = model_and_data
    path = tmp_path / "m.safetensors"
    model.save_model(path)
    data = path.read_bytes()
    (tmp_path / "truncated.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated.safetensors is not a readable safetensors file"):
        load_model(tmp_path / "truncated.safetensors")
    (tmp_path / "noise.safetensors").write_bytes(os.urandom(200))
    with pytest.raises(ValueError, match="noise.safetensors"):
        load_model(tmp_path / "noise.safetensors")
    from safetensors.numpy import save_file
    save_file({"w": np.zeros(3)}, str(tmp_path / "other.safetensors"))
    with pytest.raises(ValueError, match="not a glassnet tree model"):
        load_model(tmp_path / "other.safetensors")
    with pytest.raises(FileNotFoundError, match="no model file"):
        load_model(tmp_path / "absent.safetensors")


def test_saving_an_unfitted_model_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unfitted"):
        GradientBoostingClassifier().save_model(tmp_path / "m.safetensors")


def test_text_dump_of_a_boosted_tree(model_and_data):
    model, _ = model_and_data
    text = dump_tree(model, 0)
    tree = model.forest_.tree(0)
    lines = text.splitlines()
    assert len(lines) == len(tree["feature"])
    assert lines[0].startswith(f"0:[f{tree['feature'][0]}<") and "yes=1,no=2,missing=" in lines[0]
    assert sum("leaf=" in line for line in lines) == np.sum(tree["feature"] < 0)
    with pytest.raises(IndexError, match="out of range"):
        dump_tree(model, 99)


def test_text_dump_of_a_cart_tree_with_names():
    X, y = load_iris(return_X_y=True)
    model = DecisionTreeClassifier(max_depth=1).fit(X, y)
    assert dump_tree(model, feature_names=["sl", "sw", "pl", "pw"]).splitlines()[0].startswith("0:[pl<2.45]")


def test_plot_writes_a_figure(model_and_data, tmp_path):
    model, _ = model_and_data
    figure = plot_tree(model, 1, path=tmp_path / "tree.png")
    assert (tmp_path / "tree.png").stat().st_size > 5000
    assert figure.axes[0].get_title().startswith("tree 1 of GradientBoostingClassifier")
