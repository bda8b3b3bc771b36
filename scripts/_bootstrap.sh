# Sourced by scripts/demo and scripts/test: creates .venv with ftk[cpu,dev] once,
# and again whenever pyproject.toml changes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-python3}"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
  echo "ftk needs Python >= 3.10; $("$PYTHON" --version) found. Set PYTHON=/path/to/python3.x." >&2
  exit 1
}
stamp=.venv/.ftk-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "Setting up .venv (ftk[cpu,dev]); the first time takes a few minutes." >&2
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[cpu,dev]"
  touch "$stamp"
fi
export KERAS_BACKEND=tensorflow TF_CPP_MIN_LOG_LEVEL=2
