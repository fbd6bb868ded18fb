"""PyTorch's side of the benchmarks (imported only in PyTorch's own worker process)."""
from __future__ import annotations

import os

import torch

from runs import pytorch_api

VERSION = torch.__version__
torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", os.cpu_count())))


def mlp():
    return pytorch_api.mlp(torch)


def lenet():
    return pytorch_api.lenet(torch)


def recurrent(kind: str):
    return pytorch_api.recurrent(torch, kind)
