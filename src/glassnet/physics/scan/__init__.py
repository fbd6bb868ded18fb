"""glassnet.physics.scan — the Machine Learning Scan of a model's parameter space (and its baselines).
Parameter space, likelihood, observable sources (functions, external programs), parallel evaluation
(killable worker processes or Dask), crash-safe results, the active-learning loop, test functions, config, plots."""
from .baselines import MCMCScan, RandomScan
from .base import Scan
from .evaluate import Command, EvaluationError, FunctionRef, SetupError, evaluate_point, parse_output
from .executors import DaskExecutor, PoolExecutor, SerialExecutor, make_executor
from .likelihood import Gaussian, Likelihood, Limit
from .loop import MLScan
from .results import ResultsDamaged, ResultsFile, ScanResults, read_results
from .space import Dimension, ParameterSpace
