#!/usr/bin/env bash
# Install everything the tests need into .venv (idempotent) and run the test suite.
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
export PIP_DISABLE_PIP_VERSION_CHECK=1
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
# CPU build of torch from the local disk first: a bare `torch` requirement would pull a CUDA build.
.venv/bin/python -m pip install -q torch==2.13.0 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install -q -e '.[test]' 2>&1 | grep -v "^WARNING: Location" || true
if [ -f scripts/build_llama_cpp.sh ]; then
  PYTHON=.venv/bin/python bash scripts/build_llama_cpp.sh
fi
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
.venv/bin/python -m ruff check rag tests bench app.py
.venv/bin/python -m mypy  # files and options: [tool.mypy] in pyproject.toml
exec .venv/bin/python -m pytest -q "$@"
