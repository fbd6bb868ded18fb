"""Each library's side of the benchmarks, one module per library: a worker process imports exactly one.
Every module has a function per workload returning a ``workloads.Timed``, and its library's VERSION."""
