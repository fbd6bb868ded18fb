"""The compiled/reference switch and the thread policy (glassnet.backends)."""
import numpy as np
import pytest

from glassnet.backends import compiled, threads


def test_flags_switch_inside_the_block_and_restore_after_an_error():
    assert compiled.enabled
    with pytest.raises(RuntimeError):
        with compiled.flags(enabled=False):
            assert not compiled.enabled and not compiled.active()
            raise RuntimeError("inside")
    assert compiled.enabled
    assert compiled.active() == compiled.is_available()


def test_job_threads_follows_scikit_learn_n_jobs():
    everything = threads.job_threads(None)
    assert everything >= 1 and threads.job_threads(-1) == everything
    assert threads.job_threads(1) == 1
    assert threads.job_threads(10 ** 6) == everything
    assert threads.job_threads(0) == 1


def test_blas_threads_limit_inside_the_block_only():
    pytest.importorskip("threadpoolctl")
    before = threads.blas_thread_count()
    with threads.blas_threads(1):
        assert threads.blas_thread_count() == 1
        a = np.ones((64, 64), dtype=np.float32)
        np.testing.assert_allclose(a @ a, 64)
    assert threads.blas_thread_count() == before


def test_numba_threads_set_and_restore():
    numba = pytest.importorskip("numba")
    before = numba.get_num_threads()
    with threads.numba_threads(1):
        assert numba.get_num_threads() == 1
    assert numba.get_num_threads() == before


@pytest.mark.parametrize("model", ["lenet", "LSTM", "GRU", "RNN"])
def test_a_training_step_is_the_same_with_the_switch_on_and_off(model):
    """Every compiled kernel a model runs (direct convolutions, the 2x2 max pool, the recurrent
    loops) against its NumPy reference, through the layers that pick them."""
    import glassnet as gn
    from glassnet.models import LeNet5
    rng = np.random.default_rng(0)
    if model == "lenet":
        x, target = rng.standard_normal((4, 1, 28, 28)).astype(np.float32), np.array([1, 2, 3, 4])
    else:
        x, target = rng.standard_normal((7, 4, 5)).astype(np.float32), rng.standard_normal((4, 1)).astype(np.float32)

    def step():
        gn.manual_seed(0)
        if model == "lenet":
            net = LeNet5()
            loss = gn.nn.functional.cross_entropy(net(gn.tensor(x)), target)
        else:
            net = getattr(gn.nn, model)(5, 6, num_layers=2, bidirectional=True)
            out, _ = net(gn.tensor(x), lengths=np.array([7, 3, 5, 1]))
            loss = gn.nn.functional.mse_loss(out[-1].sum(dim=1, keepdim=True), target)
        loss.backward()
        return [loss.detach().numpy()] + [gn.autograd.as_array(p.grad) for p in net.parameters()]

    fast = step()
    with compiled.flags(enabled=False):
        reference = step()
    for a, b in zip(fast, reference):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
