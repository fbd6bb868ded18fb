#!/usr/bin/env bash
# Install everything the test suite needs, then run it (the README's second command).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install --quiet -e ".[test]"
python -m pytest -n 2 "$@"
