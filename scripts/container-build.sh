#!/usr/bin/env bash
# Build the Action image offline with podman, on a Debian bookworm minbase made by mmdebstrap.
# Idempotent: the base tarball, imported base image and wheels are cached under .cache/container.
# Env: IMAGE (default localhost/releaser:dev), PY_VERSION (base's CPython, default 3.11),
#      REBUILD_BASE=1 to remake the base tarball.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$repo/.cache/container"
image="${IMAGE:-localhost/releaser:dev}"
base_image="localhost/releaser-base:bookworm"
py_version="${PY_VERSION:-3.11}"
mkdir -p "$cache"

log() { printf '[container-build] %s\n' "$*" >&2; }
die() { printf '[container-build] error: %s\n' "$*" >&2; exit 1; }

need_apt=()
command -v podman >/dev/null 2>&1 || need_apt+=(podman)
command -v runc >/dev/null 2>&1 || need_apt+=(runc)
command -v mmdebstrap >/dev/null 2>&1 || need_apt+=(mmdebstrap)
if ((${#need_apt[@]})); then
  [[ $(id -u) -eq 0 ]] || die "missing ${need_apt[*]} and not root; install them with apt"
  log "installing ${need_apt[*]} with apt"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" uidmap >/dev/null
fi

for f in Dockerfile requirements.lock requirements/bootstrap.txt entrypoint.py releaser/__init__.py; do
  [[ -f "$repo/$f" ]] || die "$f is missing from $repo"
done

# 1. Base root filesystem: python3 + git + CA certificates, no pip, plus binutils for the
#    Dockerfile's deps stage (strip), which the build stage purges. Recommends (less, ssh
#    client, patch), docs, man pages and locales are left out. The merged-usr hook installs
#    usr-is-merged, as Debian's own images have, instead of usrmerge (which needs perl).
mmdebstrap_args=(
  --variant=minbase --include=python3,git,ca-certificates,binutils
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr
  --aptopt='APT::Install-Recommends "false"'
  --dpkgopt='path-exclude=/usr/share/doc/*'
  --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --dpkgopt='path-exclude=/usr/share/man/*'
  --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-exclude=/usr/share/info/*'
  bookworm
)
# The tarball's name carries a digest of the recipe, so changing the recipe rebuilds it.
recipe="$(printf '%s\n' "${mmdebstrap_args[@]}" | sha256sum | cut -c1-12)"
base_tar="$cache/base-$recipe.tar"
if [[ "${REBUILD_BASE:-0}" == 1 || ! -s "$base_tar" ]]; then
  log "creating the bookworm minbase with mmdebstrap (about a minute)"
  rm -f "$cache"/base-*.tar "$cache/base.partial.tar"
  mmdebstrap "${mmdebstrap_args[@]}" "$cache/base.partial.tar"
  mv "$cache/base.partial.tar" "$base_tar"
fi
base_stamp="$cache/base.imported"
if ! podman image exists "$base_image" || [[ "$base_tar" -nt "$base_stamp" ]]; then
  log "importing $base_tar as $base_image"
  podman import "$base_tar" "$base_image" >/dev/null
  touch "$base_stamp"
fi

# 2. Wheels for the base's CPython, checked against the lock's hashes by pip on the host.
#    The host's pip config (local indexes, constraints) is ignored: PyPI only.
wheels="$cache/wheels-cp${py_version/./}"
lock_sum="$(cat "$repo/requirements.lock" "$repo/requirements/bootstrap.txt" | sha256sum | cut -c1-16)"
if [[ ! -f "$wheels/.lock-$lock_sum" ]]; then
  log "downloading wheels for CPython $py_version into $wheels"
  rm -rf "$wheels"
  mkdir -p "$wheels"
  platforms=()
  for p in manylinux_2_36 manylinux_2_34 manylinux_2_28 manylinux_2_17 manylinux2014 manylinux_2_5 manylinux1; do
    platforms+=(--platform "${p}_x86_64")
  done
  for req in requirements.lock requirements/bootstrap.txt; do
    PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS='' python3 -m pip download --quiet \
      --index-url https://pypi.org/simple --require-hashes --no-deps \
      --only-binary=:all: --python-version "$py_version" --implementation cp \
      "${platforms[@]}" -r "$repo/$req" -d "$wheels"
  done
  touch "$wheels/.lock-$lock_sum"
fi

# 3. A staged build context: exactly what .dockerignore allows, plus wheels/.
ctx="$cache/context"
rm -rf "$ctx"
mkdir -p "$ctx/requirements"
cp "$repo/Dockerfile" "$repo/.dockerignore" "$repo/requirements.lock" "$repo/entrypoint.py" "$ctx/"
cp "$repo/requirements/bootstrap.txt" "$ctx/requirements/"
tar -C "$repo" --exclude='__pycache__' --exclude='*.pyc' -cf - releaser | tar -C "$ctx" -xf -
cp -r "$wheels" "$ctx/wheels"
rm -f "$ctx"/wheels/.lock-*

log "building $image"
previous="$(podman image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
start=$SECONDS
# Docker format: the OCI format has no SHELL, and the Dockerfile's RUNs need bash's pipefail.
podman build --isolation=chroot --format docker --build-arg "BASE=$base_image" \
  --tag "$image" --file "$ctx/Dockerfile" "$ctx"
log "built $image in $((SECONDS - start)) s"
# Re-runs would otherwise pile up untagged copies of the old image.
current="$(podman image inspect --format '{{.Id}}' "$image")"
if [[ -n "$previous" && "$previous" != "$current" ]]; then
  podman rmi "$previous" >/dev/null 2>&1 || true
fi
podman image inspect --format '{{.Size}}' "$image" \
  | awk '{ printf "[container-build] image size: %.1f MB\n", $1 / 1e6 }' >&2
