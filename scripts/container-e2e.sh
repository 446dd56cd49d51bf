#!/usr/bin/env bash
# Build the Action image (scripts/container-build.sh) and run it like the Actions runner does:
# smoke checks, then the fake-GitHub release scenario.
# Env: IMAGE (default localhost/releaser:dev), SKIP_BUILD=1 to reuse the built image,
#      SCENARIO=smoke|release|all (default all).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export IMAGE="${IMAGE:-localhost/releaser:dev}"
scenario="${SCENARIO:-all}"
python="$repo/.venv/bin/python"
[[ -x "$python" ]] || python="python3"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  "$repo/scripts/container-build.sh"
fi
podman image exists "$IMAGE" || { echo "[container-e2e] error: no image $IMAGE" >&2; exit 1; }

start=$SECONDS
if [[ "$scenario" == smoke || "$scenario" == all ]]; then
  "$python" "$repo/scripts/container_e2e.py" smoke --image "$IMAGE"
fi
if [[ "$scenario" == release || "$scenario" == all ]]; then
  "$python" "$repo/scripts/container_e2e.py" release --image "$IMAGE"
fi
echo "[container-e2e] passed in $((SECONDS - start)) s" >&2
