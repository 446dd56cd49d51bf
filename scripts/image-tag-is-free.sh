#!/usr/bin/env bash
# Refuse to overwrite a published image: `push=true` only when REPOSITORY:TAG does not exist.
#
#   scripts/image-tag-is-free.sh [--skip-existing] ghcr.io/releaser-dev/releaser 0.1.0
#
# A version's image is immutable once pushed: users who pin `:<version>` (or its digest) must
# get the bytes that version was released with, and a re-push could swap them. The registry is
# asked with `docker buildx imagetools inspect`; only an answer that the manifest is unknown
# counts as "free". Any other failure (auth, network, rate limit) fails closed: no push.
#
# It writes `push=true` (free) or `push=false` to $GITHUB_OUTPUT when that is set; the push
# step runs only on `push=true`. An existing tag fails the job (exit 1), or with
# --skip-existing is a warning and `push=false` (exit 0): the image pushed first stays.
# Exit codes: 0 free (or skipped), 1 exists or cannot tell, 2 bad arguments.
set -euo pipefail

skip_existing=false
if [[ "${1:-}" == "--skip-existing" ]]; then
  skip_existing=true
  shift
fi
if (($# != 2)); then
  echo "usage: $0 [--skip-existing] REPOSITORY TAG" >&2
  exit 2
fi
decide() { # decide true|false
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    echo "push=$1" >>"$GITHUB_OUTPUT"
  fi
}
repository="$1"
tag="$2"
# Both end up in a registry reference and in workflow output: only the expected shapes pass.
if ! [[ "$repository" =~ ^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+$ ]]; then
  echo "::error::not an image repository: ${repository//[^a-zA-Z0-9.\/_:-]/?}"
  exit 2
fi
if ! [[ "$tag" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "::error::not a release version: ${tag//[^a-zA-Z0-9._-]/?}"
  exit 2
fi
ref="$repository:$tag"

errors="$(mktemp)"
trap 'rm -f "$errors"' EXIT
if digest="$(docker buildx imagetools inspect --format '{{json .Manifest.Digest}}' "$ref" \
  2>"$errors")"; then
  digest="$(printf '%s' "$digest" | tr -cd 'a-z0-9:')"
  decide false
  if [[ "$skip_existing" == true ]]; then
    echo "::warning::$ref already exists (${digest:-digest unknown}); it is kept and not pushed again."
    exit 0
  fi
  echo "::error::$ref already exists (${digest:-digest unknown}); a released version's image is never overwritten. Release a new version instead."
  exit 1
fi
if grep -qiE 'not found|manifest[ _]unknown|name[ _]unknown' "$errors"; then
  echo "$ref does not exist yet: it may be pushed."
  decide true
  exit 0
fi
reason="$(head -n 1 "$errors" | tr -cd '[:print:]' | cut -c1-200)"
decide false
echo "::error::cannot tell whether $ref exists (${reason:-no error text}); refusing to push."
exit 1
