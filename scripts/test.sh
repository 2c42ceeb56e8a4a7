#!/usr/bin/env bash
# The whole test suite on a fresh machine: install everything the tests need (into .venv, as scripts/setup.sh
# does), lint, then run pytest with that environment's tools first on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
venv=${KEHOACH_VENV:-.venv}
export PATH="$(cd "$venv/bin" && pwd):$PATH"
"$venv/bin/python" -m ruff check .
# The Windows harness (docs/windows.md): where Wine cannot be had (exit 3) tests/windows skip, except in CI.
PYTHON="$venv/bin/python" bash scripts/windows/build-harness.sh || { status=$?; [ "$status" -eq 3 ] && [ "${CI:-}" != true ] || exit "$status"; }
"$venv/bin/python" -m pytest -q "$@"
