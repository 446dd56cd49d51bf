#!/usr/bin/env bash
# Create bench/.venv with the pinned peer tools; releaser itself runs from the project's .venv.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
python="${PYTHON:-python3}"

"$python" -m venv "$here/.venv"
"$here/.venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  commitizen==4.19.3 git-cliff==2.14.2

# One releaser for all measurements: the project's editable install in .venv.
if [ ! -x "$root/.venv/bin/releaser" ]; then
  echo "setup.sh: $root/.venv/bin/releaser not found; installing the project there" >&2
  [ -x "$root/.venv/bin/python" ] || "$python" -m venv "$root/.venv"
  "$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$root"
fi

"$here/.venv/bin/cz" version
"$here/.venv/bin/git-cliff" --version
command -v git >/dev/null || { echo "setup.sh: git is required" >&2; exit 1; }
git --version
