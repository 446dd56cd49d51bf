#!/usr/bin/env bash
# Regenerate requirements.lock: every transitive runtime dependency of the Action image,
# pinned, with sha256 hashes of every file pip may pick, resolved from PyPI only.
# Usage: scripts/lock-requirements.sh            (writes requirements.lock)
#        scripts/lock-requirements.sh --check    (fails if a lock is stale; needs PyPI)
# Also writes requirements/bootstrap.txt (the hash-pinned pip wheel for bases without pip).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.cache/lock-venv"
# Pinned so the lock file's format does not drift with the tool.
pip_tools_version="7.6.2"

# This host's pip config adds local indexes, find-links and constraints; a lock must come
# from PyPI alone, so ignore every pip setting from the environment.
export PIP_CONFIG_FILE=/dev/null
unset PIP_FIND_LINKS PIP_EXTRA_INDEX_URL PIP_INDEX_URL PIP_CONSTRAINT || true

if [[ ! -x "$venv/bin/pip-compile" ]] \
  || ! "$venv/bin/pip-compile" --version 2>/dev/null | grep -q "$pip_tools_version"; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --index-url https://pypi.org/simple "pip-tools==$pip_tools_version"
fi

# Debian's python3 has no pip (python3-pip is not in the minbase test image), so the image
# build can bootstrap from a pip wheel; that wheel gets its own hash-locked pin.
pip_bootstrap_version="26.3"

compile() { # compile SRC OUT
  CUSTOM_COMPILE_COMMAND="scripts/lock-requirements.sh" "$venv/bin/pip-compile" \
    --quiet --resolver=backtracking --generate-hashes --allow-unsafe --strip-extras \
    --no-emit-index-url --no-emit-trusted-host --index-url https://pypi.org/simple \
    --output-file "$2" "$1"
}

cd "$repo"
mkdir -p requirements
check="${1:-}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [[ "$check" == "--check" ]]; then
  cp requirements.lock "$tmp/requirements.lock" 2>/dev/null || true
  cp requirements/bootstrap.txt "$tmp/bootstrap.txt" 2>/dev/null || true
  compile pyproject.toml "$tmp/requirements.lock"
  echo "pip==$pip_bootstrap_version" | compile - "$tmp/bootstrap.txt"
  stale=0
  diff -u requirements.lock "$tmp/requirements.lock" || stale=1
  diff -u requirements/bootstrap.txt "$tmp/bootstrap.txt" || stale=1
  if (( stale )); then
    echo "lock files are stale: run scripts/lock-requirements.sh" >&2
    exit 1
  fi
  echo "lock files are up to date"
else
  # The image runs CPython 3.11 (Debian bookworm test base) or 3.12 (python:3.12-slim);
  # every runtime dependency ships wheels for both, and the lock hashes all of them.
  compile pyproject.toml requirements.lock
  echo "pip==$pip_bootstrap_version" | compile - requirements/bootstrap.txt
fi
