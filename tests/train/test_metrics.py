import numpy as np
import pytest

from glassnet.train import metrics as M

sk = pytest.importorskip("sklearn.metrics")


@pytest.fixture
def labels():
    rng = np.random.default_rng(0)
    return rng.integers(0, 3, 200), rng.integers(0, 3, 200)


def test_confusion_matrix_and_accuracy(labels):
    y, p = labels
    np.testing.assert_array_equal(M.confusion_matrix(y, p), sk.confusion_matrix(y, p))
    np.testing.assert_array_equal(M.confusion_matrix(y, p, labels=[2, 0]), sk.confusion_matrix(y, p, labels=[2, 0]))
    assert M.accuracy(y, p) == sk.accuracy_score(y, p)


@pytest.mark.parametrize("average", ["macro", "micro", "weighted"])
def test_precision_recall_f1_multiclass(labels, average):
    y, p = labels
    assert M.precision(y, p, average=average) == pytest.approx(sk.precision_score(y, p, average=average))
    assert M.recall(y, p, average=average) == pytest.approx(sk.recall_score(y, p, average=average))
    assert M.f1_score(y, p, average=average) == pytest.approx(sk.f1_score(y, p, average=average))


def test_binary_scores_and_roc():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    score = np.round(y * 0.3 + rng.random(300), 1)  # ties included
    p = (score > 0.6).astype(int)
    assert M.precision(y, p) == pytest.approx(sk.precision_score(y, p))
    assert M.recall(y, p) == pytest.approx(sk.recall_score(y, p))
    assert M.f1_score(y, p) == pytest.approx(sk.f1_score(y, p))
    fpr, tpr, thresholds = M.roc_curve(y, score)
    sk_fpr, sk_tpr, sk_thr = sk.roc_curve(y, score, drop_intermediate=False)
    np.testing.assert_allclose(fpr, sk_fpr)
    np.testing.assert_allclose(tpr, sk_tpr)
    np.testing.assert_allclose(thresholds[1:], sk_thr[1:])
    assert M.roc_auc_score(y, score) == pytest.approx(sk.roc_auc_score(y, score))
    with pytest.raises(ValueError, match="both positive and negative"):
        M.roc_curve(np.ones(3), np.arange(3.0))


def test_regression_metrics():
    rng = np.random.default_rng(2)
    y, p = rng.standard_normal(50), rng.standard_normal(50)
    assert M.r2_score(y, p) == pytest.approx(sk.r2_score(y, p))
    assert M.mean_absolute_error(y, p) == pytest.approx(sk.mean_absolute_error(y, p))
    assert M.r2_score(y, y) == 1.0
