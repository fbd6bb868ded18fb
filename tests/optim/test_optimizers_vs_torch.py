"""Every optimizer and scheduler against PyTorch: 15 steps on the same gradients, same numbers."""
import numpy as np
import pytest

import glassnet as gn

torch = pytest.importorskip("torch")

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.05)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05)),
    ("SGD", dict(lr=0.1, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.2)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
]


def run_both(name, kwargs, steps=15, schedule=None):
    rng = np.random.default_rng(0)
    shapes = [(4, 3), (3,)]
    init = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    ours = [gn.nn.Parameter(a.copy()) for a in init]
    theirs = [torch.nn.Parameter(torch.tensor(a)) for a in init]
    opt = getattr(gn.optim, name)(ours, **kwargs)
    topt = getattr(torch.optim, name)(theirs, **kwargs)
    sched = tsched = None
    if schedule:
        sched = getattr(gn.optim.lr_scheduler, schedule[0])(opt, **schedule[1])
        tsched = getattr(torch.optim.lr_scheduler, schedule[0])(topt, **schedule[1])
    for _ in range(steps):
        for p, tp in zip(ours, theirs):
            g = rng.standard_normal(p.shape).astype(np.float32)
            p.grad, tp.grad = gn.tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
        if sched:
            sched.step()
            tsched.step()
            assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-6)
    return ours, theirs, opt


@pytest.mark.parametrize("name,kwargs", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_fifteen_steps_match_torch(name, kwargs):
    ours, theirs, _ = run_both(name, kwargs)
    for p, tp in zip(ours, theirs):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-4, atol=1e-6)
        assert p.data.dtype == np.float32


SCHEDULES = [
    ("StepLR", dict(step_size=4, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[3, 8], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10, eta_min=0.001)),
]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=[s[0] for s in SCHEDULES])
def test_schedulers_match_torch(schedule):
    ours, theirs, _ = run_both("SGD", dict(lr=0.1, momentum=0.9), schedule=schedule)
    for p, tp in zip(ours, theirs):
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-4, atol=1e-6)


def test_lambda_lr_and_reduce_on_plateau_match_torch():
    p, tp = gn.nn.Parameter(np.ones(1, np.float32)), torch.nn.Parameter(torch.ones(1))
    opt, topt = gn.optim.SGD([p], lr=1.0), torch.optim.SGD([tp], lr=1.0)
    sched = gn.optim.lr_scheduler.LambdaLR(opt, lambda e: 1 / (1 + e))
    tsched = torch.optim.lr_scheduler.LambdaLR(topt, lambda e: 1 / (1 + e))
    for _ in range(5):
        opt.step(), topt.step(), sched.step(), tsched.step()
        assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr())
    plateau = gn.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1)
    tplateau = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, factor=0.5, patience=2, cooldown=1)
    for metric in [5, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3]:
        plateau.step(metric), tplateau.step(metric)
        assert opt.param_groups[0]["lr"] == pytest.approx(topt.param_groups[0]["lr"])


def test_optimizer_state_dict_round_trip_continues_identically():
    ours, _, opt = run_both("Adam", dict(lr=0.01, amsgrad=True), steps=5)
    saved = opt.state_dict()
    assert set(saved["state"][0]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    copies = [gn.nn.Parameter(p.detach().clone()) for p in ours]
    twin = gn.optim.Adam(copies, lr=0.5)
    twin.load_state_dict(saved)
    assert twin.param_groups[0]["lr"] == 0.01
    for p, q in zip(ours, copies):
        g = gn.full(tuple(p.shape), 0.3)
        p.grad, q.grad = g, g.clone()
    opt.step(), twin.step()
    for p, q in zip(ours, copies):
        np.testing.assert_array_equal(p.data, q.data)


def test_bad_optimizer_arguments_are_named():
    p = gn.nn.Parameter(np.ones(2, np.float32))
    with pytest.raises(ValueError, match="invalid lr"):
        gn.optim.SGD([p], lr=-1)
    with pytest.raises(ValueError, match="empty parameter list"):
        gn.optim.Adam([])
    with pytest.raises(ValueError, match="invalid betas"):
        gn.optim.Adam([p], betas=(0.9, 1.5))
    with pytest.raises(KeyError, match="unknown option"):
        gn.optim.SGD([{"params": [p], "momentun": 0.9}], lr=0.1)
    with pytest.raises(ValueError, match="Nesterov"):
        gn.optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        gn.optim.SGD([np.ones(2)], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        gn.optim.SGD([gn.ones(2, requires_grad=True) * 2], lr=0.1)


def test_parameter_groups_have_their_own_options():
    a, b = gn.nn.Parameter(np.ones(1, np.float32)), gn.nn.Parameter(np.ones(1, np.float32))
    opt = gn.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    a.grad, b.grad = gn.ones(1), gn.ones(1)
    opt.step()
    assert a.data[0] == pytest.approx(0.9) and b.data[0] == pytest.approx(0.5)
