import pytest

from glassnet.models import train_adding_problem

threadpoolctl = pytest.importorskip("threadpoolctl")


@pytest.fixture(scope="module", autouse=True)
def _one_blas_thread():
    with threadpoolctl.threadpool_limits(1, user_api="blas"):
        yield


@pytest.mark.slow
def test_lstm_solves_the_adding_problem_at_delay_50_where_the_plain_rnn_does_not():
    lstm = train_adding_problem("LSTM", length=50, steps=700, verbose=0)
    rnn = train_adding_problem("RNN", length=50, steps=700, verbose=0)
    baseline = lstm["baseline_mse"]
    assert lstm["mse"] < 0.1 * baseline, lstm["mse"]
    assert rnn["mse"] > 0.6 * baseline, rnn["mse"]
