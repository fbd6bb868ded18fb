"""Dask clusters for a scan on a batch system, started and stopped by the scan itself.

A scan's ``scheduler`` is a dask ``Client``, a running scheduler's address 'tcp://host:8786', or a
cluster to start: ``{"kind": "slurm", "jobs": 20, "cores": 4, "memory": "8GB", "walltime": "02:00:00"}``
(in a config file, the ``[cluster]`` table). The kinds are dask-jobqueue's clusters, each batch job
one or more Dask workers that evaluate points:
    slurm     dask_jobqueue.SLURMCluster      (sbatch)
    htcondor  dask_jobqueue.HTCondorCluster   (condor_submit)
    pbs       dask_jobqueue.PBSCluster        (qsub)
    local     distributed.LocalCluster        the same code path on one machine (tests, a laptop)
``jobs`` is how many batch jobs to submit (for 'local': worker processes); every other key is passed
to the cluster class as it is (queue, account, job_extra_directives, interface, ...: see dask-jobqueue's
documentation; a local cluster takes processes, threads_per_worker and memory_limit). The scheduler runs in the scan's process, so start the scan on a login node or in a
job of its own; the jobs are cancelled when the scan ends.
"""
from __future__ import annotations

class ClusterError(ValueError):
    """A cluster spec that cannot make a cluster (the message says why)."""


CLUSTERS = {"slurm": "SLURMCluster", "htcondor": "HTCondorCluster", "pbs": "PBSCluster", "local": "LocalCluster"}
LOCAL_OPTIONS = ("processes", "threads_per_worker", "memory_limit")  # LocalCluster passes unknown ones to workers


def start_cluster(spec: dict):
    """The cluster ``spec`` describes, with its jobs submitted (ClusterError for a bad spec)."""
    options = dict(spec)
    kind, jobs = options.pop("kind", None), options.pop("jobs", 1)
    if kind not in CLUSTERS:
        raise ClusterError(f"cluster kind must be one of {', '.join(CLUSTERS)}, got {kind!r}")
    if not (type(jobs) is int and jobs >= 0):
        raise ClusterError(f"cluster jobs must be an integer >= 0, got {jobs!r}")
    unknown = sorted(set(options) - set(LOCAL_OPTIONS)) if kind == "local" else []
    if unknown:
        raise ClusterError(f"cannot make a local cluster with {unknown[0]!r}: its options are {', '.join(LOCAL_OPTIONS)}")
    try:
        if kind == "local":
            import distributed
            return distributed.LocalCluster(n_workers=jobs, **{"dashboard_address": None, **options})
        try:
            import dask_jobqueue
        except ImportError:
            raise ImportError(f"a {kind} cluster needs dask-jobqueue: pip install 'glassnet[scan]'") from None
        cluster = getattr(dask_jobqueue, CLUSTERS[kind])(**options)
    except (TypeError, ValueError) as error:
        raise ClusterError(f"cannot make a {kind} cluster from {options}: {error}") from None
    cluster.scale(jobs=jobs)
    return cluster
