# syntax=docker/dockerfile:1
# The releaser container Action: CPython, git, the hash-locked runtime dependencies, the app.
#
# BASE is python:3.12-slim pinned by its multi-arch index digest. The digest was found in
# public Dockerfiles in the search tool's code index (index ids 68600392934 and 71643116264,
# the latter noting it was checked against the canonical index). Re-resolve it when bumping:
#   docker buildx imagetools inspect python:3.12-slim
# scripts/container-build.sh overrides BASE with a Debian bookworm minbase (python3 3.11 + git,
# no pip) to build offline; every step below works on both.
ARG BASE=python:3.12-slim@sha256:78387bc3881b8273120a12ebe6c1ab22b018ccc2c9adf565ae1ac9b536e184ea
# Stage 1: dependencies only, so the wheels and the bootstrap pip never reach the final image.
FROM ${BASE} AS deps
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore

# `wheel[s]` matches nothing in a normal checkout (then pip fetches from PyPI); an offline
# build context carries wheels/ with every locked wheel plus a pip wheel for bases without pip.
# Dependencies go to /app/deps with --target: no venv module or setuptools is needed and
# Debian's externally-managed marker does not apply.
COPY requirements.lock requirements/bootstrap.txt wheel[s] /tmp/build/
RUN set -eu; \
    if python3 -m pip --version >/dev/null 2>&1; then \
        set -- python3 -m pip; \
    else \
        set -- /tmp/build/pip-*.whl; \
        if [ ! -f "$1" ]; then echo "base has no pip and the context has no wheels/pip-*.whl" >&2; exit 1; fi; \
        python3 "$1/pip" install --no-index --require-hashes --no-deps --target /tmp/pip \
            --find-links /tmp/build -r /tmp/build/bootstrap.txt; \
        set -- env PYTHONPATH=/tmp/pip python3 -m pip; \
    fi; \
    if [ -n "$(find /tmp/build -maxdepth 1 -name '*.whl' -print -quit)" ]; then \
        set -- "$@" install --no-index --find-links /tmp/build; \
    else \
        set -- "$@" install; \
    fi; \
    "$@" --no-cache-dir --require-hashes --no-deps --only-binary=:all: \
        --target /app/deps -r /tmp/build/requirements.lock

# Stage 2: the runtime image.
FROM ${BASE}

LABEL org.opencontainers.image.title="releaser" \
      org.opencontainers.image.description="Conventional Commits release PRs, publishing and release evidence" \
      org.opencontainers.image.source="https://github.com/releaser-dev/releaser" \
      org.opencontainers.image.licenses="MIT"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app:/app/deps

# git is needed at run time (tags, log). Debian security updates remove superseded package
# versions from the archive, so an apt version pin would break rebuilds; the base digest
# already fixes the distribution release. The runner mounts the checkout at
# /github/workspace owned by another uid, so exactly that path is marked safe.
# hadolint ignore=DL3008
RUN if ! command -v git >/dev/null 2>&1; then \
        apt-get update \
        && apt-get install -y --no-install-recommends git \
        && apt-get clean \
        && rm -rf /var/lib/apt/lists/*; \
    fi \
    && git config --system --add safe.directory /github/workspace \
    && if ! command -v python >/dev/null 2>&1; then \
        ln -s "$(command -v python3)" /usr/local/bin/python; \
    fi

COPY --from=deps /app/deps /app/deps
COPY releaser/ /app/releaser/
COPY entrypoint.py /app/entrypoint.py
RUN python3 -m compileall -q /app/releaser /app/entrypoint.py

ENTRYPOINT ["python", "/app/entrypoint.py"]
