"""glassnet.physics.scan — the Machine Learning Scan of a model's parameter space (and its baselines).
Parameter space, likelihood, observable sources (functions, external programs), parallel evaluation
(process pool or Dask), crash-safe results, the active-learning loop, test functions, config, plots."""
from .baselines import MCMCScan, RandomScan
from .base import Scan
from .evaluate import (
    Command, DaskExecutor, EvaluationError, FunctionRef, PoolExecutor, SerialExecutor, evaluate_point,
    make_executor, parse_output,
)
from .likelihood import Gaussian, Likelihood, Limit
from .loop import MLScan
from .results import ResultsFile, ScanResults, read_results
from .space import Dimension, ParameterSpace
