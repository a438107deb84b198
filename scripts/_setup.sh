# Sourced by scripts/run and scripts/test: make .venv if missing and install the project into it
# (again only when pyproject.toml changed). Needs Python 3.11+ and nothing else.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -x .venv/bin/python ]; then
  py=""
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      py=$candidate; break
    fi
  done
  [ -n "$py" ] || { echo "Python 3.11 or newer is required (python3.11 not found)." >&2; exit 1; }
  echo "Creating .venv with $py …" >&2
  "$py" -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ] ||
   [ requirements.lock -nt .venv/.installed ]; then
  echo "Installing dependencies into .venv (first run takes a few minutes) …" >&2
  .venv/bin/python -m pip install --quiet --upgrade pip >&2
  # The tested versions, each checked against its hash; then the project itself on top.
  .venv/bin/python -m pip install --quiet --require-hashes -r requirements.lock >&2
  .venv/bin/python -m pip install --quiet --no-deps -e . >&2
  extras=${RECEPTIONIST_EXTRAS:-dev}
  if [ -n "$extras" ] && [ "$extras" != dev ]; then
    # Extras the lock does not cover are resolved from pyproject.toml.
    .venv/bin/python -m pip install --quiet -e ".[$extras]" >&2
  fi
  touch .venv/.installed
fi
