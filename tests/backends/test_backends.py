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
