#!/usr/bin/env bash
# Install everything the test suite needs, then run it (the README's second command).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet -e ".[test]"
# two test processes on two cores: one BLAS thread each, or small matrix products crawl
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 python -m pytest -n 2 "$@"
