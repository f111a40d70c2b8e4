#!/usr/bin/env bash
# Build and install llama-cpp-python (with its OpenAI-compatible server) from source.
#
# Why from source: PyPI ships only an sdist for llama-cpp-python, so pip compiles
# llama.cpp (C++, several minutes on 2 cores). GGML_NATIVE=OFF keeps the binary
# portable: a wheel built on one CI runner must not use CPU instructions that the
# next runner lacks (SIGILL). The built wheel is kept in a cache folder so that CI
# reruns (with that folder cached) only install it.
#
# Usage: scripts/build_llama_cpp.sh            (uses $PYTHON, default: python)
# Env:   PYTHON=/path/to/python   RAG_WHEEL_CACHE=~/.cache/rag-wheels
set -euo pipefail

VERSION="0.3.36"
PY="${PYTHON:-python}"
WHEELS="${RAG_WHEEL_CACHE:-$HOME/.cache/rag-wheels}"

if "$PY" - "$VERSION" <<'PYEOF' 2>/dev/null
import sys
import llama_cpp
import llama_cpp.server.app  # the [server] extra (fastapi, uvicorn, sse-starlette, ...): the package alone imports without it
sys.exit(0 if llama_cpp.__version__ == sys.argv[1] else 1)
PYEOF
then
    echo "llama-cpp-python $VERSION already installed; nothing to build"
    exit 0
fi

mkdir -p "$WHEELS"
if ! ls "$WHEELS"/llama_cpp_python-"$VERSION"-*.whl >/dev/null 2>&1; then
    echo "building llama-cpp-python $VERSION wheel into $WHEELS (takes minutes)"
    CMAKE_ARGS="-DGGML_NATIVE=OFF" \
    CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
        "$PY" -m pip wheel --no-deps --no-cache-dir --wheel-dir "$WHEELS" \
        "llama-cpp-python==$VERSION"
fi

# --only-binary: install the cached wheel, never fall back to a second source build.
"$PY" -m pip install --find-links "$WHEELS" --only-binary llama-cpp-python \
    "llama-cpp-python[server]==$VERSION"
"$PY" -c "import llama_cpp, llama_cpp.server.app; print('llama-cpp-python', llama_cpp.__version__)"
