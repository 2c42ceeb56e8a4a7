#!/usr/bin/env bash
# The whole test suite on a fresh machine: install everything the tests need, lint, then run pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
python3 -m ruff check .
python3 -m pytest -q "$@"
