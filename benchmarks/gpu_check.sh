#!/usr/bin/env bash
# The GPU figures of the README in one JSON (see benchmarks/gpu_check.py): masked/dense step
# ratio and images/s of WRN-28-10 at batch 128 in float32, mixed_bfloat16 and with XLA,
# MirroredStrategy over every visible GPU, and the cost of a topology update.
# Under 5 minutes on one H200. Usage: bash benchmarks/gpu_check.sh [--quick]
#
# Python: the project's .venv if there is one; else a python3 that already has TensorFlow
# (a GPU image, with ftk from this checkout on PYTHONPATH); else a fresh .venv with
# ftk[cuda] (needs a package index).
set -euo pipefail
cd "$(dirname "$0")/.."
export KERAS_BACKEND=tensorflow TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
if [ -x .venv/bin/python ]; then
  PY=.venv/bin/python
elif python3 -c 'import tensorflow, keras' 2>/dev/null; then
  PY=python3
  export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
else
  echo "gpu_check: no TensorFlow in python3 and no .venv; installing ftk[cuda] into .venv." >&2
  if ! { python3 -m venv .venv &&
         .venv/bin/python -m pip install --quiet --retries 1 --timeout 20 -e ".[cuda]"; }; then
    rm -rf .venv
    echo "gpu_check: could not install ftk[cuda] (is a package index reachable?). Run it where" \
         "'python3 -c \"import tensorflow\"' works, or where pip can install TensorFlow." >&2
    exit 3
  fi
  PY=.venv/bin/python
fi
exec "$PY" benchmarks/gpu_check.py "$@"
