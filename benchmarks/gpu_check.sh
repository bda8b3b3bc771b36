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
  python3 -m venv .venv && .venv/bin/python -m pip install --quiet -e ".[cuda]"
  PY=.venv/bin/python
fi
exec "$PY" benchmarks/gpu_check.py "$@"
