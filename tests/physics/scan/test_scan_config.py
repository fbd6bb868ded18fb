import pytest

from glassnet.cli import main
from glassnet.physics.scan import MCMCScan, MLScan, RandomScan
from glassnet.physics.scan.config import ConfigError, load_config

GOOD = """
[scan]
method = "ml"
budget = 100
[parameters]
x = { min = 0, max = 1 }
m = { min = 10, max = 1000, scale = "log" }
[observable]
command = "python model.py {x} {m}"
timeout = 5
[likelihood]
O = { value = 1.0, sigma = 0.1 }
mh = { upper = 130, sigma = 2 }
[ml]
temperature = 0.5
hidden = [32, 32]
"""


def _write(tmp_path, text):
    path = tmp_path / "scan.toml"
    path.write_text(text)
    return str(path)


def test_a_good_config_builds_its_scan(tmp_path):
    config = load_config(_write(tmp_path, GOOD))
    scan = config.build(workers=0, verbose=0)
    assert isinstance(scan, MLScan) and scan.temperature == 0.5 and scan.regressor.hidden == (32, 32)
    assert config.space.names == ["x", "m"] and config.space.dimensions[1].log
    assert config.likelihood.observables == ["O", "mh"] and config.budget == 100
    assert config.output == str(tmp_path / "results.csv") and config.observable.cwd == str(tmp_path)
    assert isinstance(load_config(_write(tmp_path, GOOD.replace('"ml"', '"random"').split("[ml]")[0]))
                      .build(), RandomScan)
    mcmc = GOOD.replace('"ml"', '"mcmc"').replace("[ml]\ntemperature = 0.5\nhidden = [32, 32]", "[mcmc]\nn_chains = 4")
    assert load_config(_write(tmp_path, mcmc)).build().batch_size == 4
    assert isinstance(load_config(_write(tmp_path, mcmc)).build(), MCMCScan)


@pytest.mark.parametrize("old, new, message", [
    ("budget = 100", "budget = 100\nbudgte = 5", "unknown key 'scan.budgte'"),
    ("temperature = 0.5", "temprature = 0.5", "unknown key 'ml.temprature'"),
    ("x = { min = 0, max = 1 }", "x = { min = 1, max = 0 }", "'parameters.x': min (1) must be below max (0)"),
    ("sigma = 0.1", "sigma = 0", "'likelihood.O.sigma' must be > 0, got 0"),
    ("budget = 100", "budget = 'many'", "'scan.budget' must be an integer, got 'many'"),
    ("budget = 100", "", "missing key 'scan.budget'"),
    ('scale = "log"', 'scale = "ln"', "'parameters.m.scale' must be one of 'linear', 'log', got 'ln'"),
    ("min = 10,", "min = 0,", "'parameters.m': a log scale needs min > 0"),
    ("mh = { upper = 130, sigma = 2 }", "mh = { sigma = 2 }", "'likelihood.mh' needs value and sigma"),
    ("O = { value = 1.0, sigma = 0.1 }", "O = { value = 1.0 }", "missing key 'likelihood.O.sigma'"),
    ("timeout = 5", "timeout = 5\nfunction = 'model:f'", "exactly one of 'observable.command'"),
    ("[ml]", "[mcmc]", "section '[mcmc]' does not apply to scan.method = 'ml'"),
    ("hidden = [32, 32]", "hidden = [32, 0]", "'ml.hidden' must be a list of at most 16 layer sizes"),
    ("[scan]", "[scans]\n[scan]", "unknown key 'scans'"),
    ("budget = 100", "budget = 100 100", "invalid TOML"),
])
def test_bad_config_gets_one_line_naming_the_key(tmp_path, capsys, old, new, message):
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert message in str(error.value) and "\n" not in str(error.value)
    assert main(["scan", "run", path]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err
