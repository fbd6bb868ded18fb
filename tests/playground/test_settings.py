import pytest

from glassnet.playground.settings import MAX_HIDDEN_LAYERS, SettingsError, defaults, schema, validate


def test_defaults_are_tensorflow_playgrounds():
    s = validate({})
    assert s == defaults()
    assert (s["dataset"], s["networkShape"], s["activation"], s["learningRate"]) == ("circle", [4, 2], "tanh", 0.03)


def test_url_strings_are_converted():
    s = validate({"networkShape": "8,8", "learningRate": "0.01", "x": "false", "sinX": "true", "noise": "10"})
    assert s["networkShape"] == [8, 8] and s["learningRate"] == 0.01
    assert s["x"] is False and s["sinX"] is True and s["noise"] == 10
    assert validate({"networkShape": ""})["networkShape"] == []


@pytest.mark.parametrize("changes, words", [
    ({"networkShape": [2] * 1000}, f"at most {MAX_HIDDEN_LAYERS} hidden layers, got 1000"),
    ({"networkShape": [9]}, "networkShape[0] (neurons) must be between 1 and 8, got 9"),
    ({"learningRate": "abc"}, "learningRate must be a number, got 'abc'"),
    ({"learningRate": float("nan")}, "learningRate must be between"),
    ({"batchSize": 2.5}, "batchSize must be a whole number"),
    ({"dataset": "mnist"}, "unknown dataset 'mnist'; choose one of circle, xor"),
    ({"colour": "red"}, "unknown setting 'colour'"),
    ({"x": False, "y": False}, "choose at least one input feature"),
    ({"x": "maybe"}, "x must be true or false"),
])
def test_bad_settings_are_refused_with_a_clear_message(changes, words):
    with pytest.raises(SettingsError) as error:
        validate(changes)
    assert words in str(error.value)


def test_a_refused_change_leaves_the_base_untouched():
    base = validate({"learningRate": 0.1})
    with pytest.raises(SettingsError):
        validate({"activation": "relu", "learningRate": "abc"}, base)
    assert base["activation"] == "tanh" and base["learningRate"] == 0.1


def test_schema_is_json_ready():
    import json

    table = json.loads(json.dumps(schema()))
    assert table["settings"]["optimizer"]["limits"] == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    assert table["datasets"]["blobs"]["problem"] == "multiclass"
