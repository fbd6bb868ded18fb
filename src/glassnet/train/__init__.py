"""glassnet.train — Trainer, callbacks, metrics and History: the fit / evaluate / predict loop.
Built on nn, optim and data."""
from . import metrics
from .callbacks import (
    Callback, CSVLogger, EarlyStopping, LRSchedulerCallback, ModelCheckpoint, ProgressBar, TerminateOnNaN,
)
from .history import History
from .metrics import (
    accuracy, confusion_matrix, f1_score, mean_absolute_error, precision, recall, r2_score, roc_auc_score,
    roc_curve,
)
from .trainer import Trainer
