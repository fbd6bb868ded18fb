#!/usr/bin/env bash
# Install everything the test suite needs, then run it (the README's second command).
set -euo pipefail
cd "$(dirname "$0")/.."
# The playground's browser tests drive Debian's Chromium (never a downloaded browser build).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
        || echo "could not install chromium: the playground's browser tests will be skipped" >&2
fi
python -m pip install --quiet -e ".[test]"
# two test processes on two cores: one BLAS thread each, or small matrix products crawl
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 python -m pytest -n 2 "$@"
