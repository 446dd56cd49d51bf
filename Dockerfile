# syntax=docker/dockerfile:1
# The releaser container Action: CPython, git, the hash-locked runtime dependencies, the app.
#
# BASE is python:3.12-slim pinned by its multi-arch index digest. The digest was found in
# public Dockerfiles in the search tool's code index (index ids 68600392934 and 71643116264,
# the latter noting it was checked against the canonical index). Re-resolve it when bumping:
#   docker buildx imagetools inspect python:3.12-slim
# scripts/container-build.sh overrides BASE with a Debian bookworm minbase (python3 3.11, git
# and binutils, no pip) to build offline; every step below works on both.
#
# Three stages keep the image small (bench/results-image.md): `deps` installs and strips the
# wheels, `build` installs git and prunes what the Action never runs, and the final stage
# copies that pruned tree into a single layer, so deleted files cost nothing.
ARG BASE=python:3.12-slim@sha256:78387bc3881b8273120a12ebe6c1ab22b018ccc2c9adf565ae1ac9b536e184ea

# Stage 1: dependencies only, so the wheels, pip and binutils never reach the final image.
FROM ${BASE} AS deps
SHELL ["/bin/bash", "-euo", "pipefail", "-c"]
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore

# strip (binutils) drops the debug info that some wheels ship: about 8 MB of PyYAML's,
# PyNaCl's and cryptography's extension modules. The offline test base brings binutils.
# hadolint ignore=DL3008
RUN if ! command -v strip >/dev/null 2>&1; then \
        apt-get update \
        && apt-get install -y --no-install-recommends binutils \
        && rm -rf /var/lib/apt/lists/*; \
    fi

# `wheel[s]` matches nothing in a normal checkout (then pip fetches from PyPI); an offline
# build context carries wheels/ with every locked wheel plus a pip wheel for bases without pip.
# Dependencies go to /app/deps with --target: no venv module or setuptools is needed and
# Debian's externally-managed marker does not apply. pip compiles their bytecode.
COPY requirements.lock requirements/bootstrap.txt wheel[s] /tmp/build/
RUN if python3 -m pip --version >/dev/null 2>&1; then \
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
        --target /app/deps -r /tmp/build/requirements.lock \
    && find /app/deps -type f -name '*.so*' -exec strip --strip-unneeded {} +

# Stage 2: the runtime tree, pruned.
FROM ${BASE} AS build
SHELL ["/bin/bash", "-euo", "pipefail", "-c"]

# git is needed at run time (tags, log). Debian security updates remove superseded package
# versions from the archive, so an apt version pin would break rebuilds; the base digest
# already fixes the distribution release. The runner mounts the checkout at
# /github/workspace owned by another uid, so exactly that path is marked safe.
# hadolint ignore=DL3008
RUN if ! command -v git >/dev/null 2>&1; then \
        apt-get update \
        && apt-get install -y --no-install-recommends git; \
    fi \
    && git config --system --add safe.directory /github/workspace \
    && if ! command -v python >/dev/null 2>&1; then \
        ln -s "$(command -v python3)" /usr/local/bin/python; \
    fi

# The Action runs git's local plumbing (log, rev-parse, for-each-ref, merge-base, show,
# rev-list, config) and Python; the rest goes. Each step is its own RUN for readability:
# the final stage copies the result, so deleted files cost nothing there.
#
# perl (47 MB): Debian's git depends on it only for its perl commands (the old add -p script,
# send-email, svn), and on libcurl only for http(s) remotes; the Action never fetches. A stub
# package stands in for both, so apt can purge them and everything only they needed, and the
# dpkg database stays consistent for image scanners and SBOMs. apt goes too (with gpgv,
# gnutls, libstdc++): nothing installs packages into a running Action. So does binutils,
# which only the offline test base carries, for the deps stage's strip. perl-base stays: it
# is Essential.
# Debian's images mark their packages manually installed, so apt's own dependencies would
# outlive it: its dependency closure is marked automatic first, then the packages holding
# the shared libraries Python and git load are marked manual again, the way python's
# official Dockerfile keeps its runtime libraries.
RUN apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts \
        --no-breaks --no-replaces --no-enhances apt \
        | grep -v '^[ <]' | sort -u | xargs -r apt-mark auto >/dev/null \
    && stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')" \
    && libs="$( { command -v python3; command -v git; \
        find "$stdlib" /usr/local/lib -name '*.so*' -type f 2>/dev/null; } \
        | xargs -r ldd 2>/dev/null \
        | awk '/=> \// { so = $(NF-1); if (index(so, "/usr/local/") == 1) next; \
            gsub("^/(usr/)?", "", so); print "*" so }' | sort -u || true)" \
    && { echo "$libs" | xargs -r dpkg-query --search 2>/dev/null \
        | awk 'sub(":$", "", $1) { print $1 }' | sort -u | xargs -r apt-mark manual >/dev/null \
        || true; } \
    && curl_pkg="$(dpkg-query -W -f="\${Depends}" git | tr ',' '\n' \
        | sed -n 's/^ *\(libcurl[^ ]*-gnutls\).*/\1/p')" \
    && test -n "$curl_pkg" \
    && curl_version="$(dpkg-query -W -f="\${Version}" "$curl_pkg")" \
    && mkdir -p /tmp/stub/DEBIAN \
    && printf '%s\n' \
        'Package: releaser-git-without-perl' \
        'Version: 1' \
        'Architecture: all' \
        'Maintainer: releaser <https://github.com/releaser-dev/releaser>' \
        "Provides: perl, liberror-perl, $curl_pkg (= $curl_version)" \
        'Description: stands in for the git dependencies removed from the releaser image' \
        " git's perl commands and http(s) transport are removed; see the releaser Dockerfile." \
        > /tmp/stub/DEBIAN/control \
    && dpkg-deb --root-owner-group --build /tmp/stub /tmp/stub.deb >/dev/null \
    && dpkg -i /tmp/stub.deb >/dev/null \
    && extra=() \
    && if [ "$(dpkg-query -W -f="\${db:Status-Status}" binutils 2>/dev/null)" = installed ]; then \
        extra=(binutils); \
    fi \
    && apt-get purge -y -q --autoremove --allow-remove-essential \
        apt perl liberror-perl "$curl_pkg" "${extra[@]}" \
    && rm -rf /tmp/stub /tmp/stub.deb

# git: the programs that needed libcurl or perl, servers (daemon, shell, http-backend),
# scalar, imap-send, the i18n helper for its shell scripts' messages, gitweb, and the sample
# hooks every `git init` would copy. Debian ships git-core/git as a second copy of git.
RUN gitcore="$(git --exec-path)" \
    && rm -rf "$gitcore"/git-remote-http* "$gitcore"/git-remote-ftp* "$gitcore"/git-http-* \
        "$gitcore"/git-imap-send "$gitcore"/git-daemon "$gitcore"/git-shell \
        "$gitcore"/git-sh-i18n--envsubst "$gitcore"/scalar "$gitcore"/git-instaweb \
        "$gitcore"/git-web--browse /usr/bin/git-shell /usr/bin/scalar \
        /usr/share/git-core/templates/hooks /usr/share/git-core/contrib /usr/share/gitweb \
        /usr/share/perl5/Git /usr/share/perl5/Git.pm \
    && for f in "$gitcore"/*; do \
        if [ -f "$f" ] && [ ! -L "$f" ] && head -n1 "$f" | grep -q '^#!.*perl'; then \
            rm -f "$f"; \
        fi; \
    done \
    && find "$gitcore" -xtype l -delete \
    && if cmp -s "$gitcore/git" "$(command -v git)"; then \
        ln -sf "$(command -v git)" "$gitcore/git"; \
    fi

# CPython: the IDE, Tk, the test suite, 2to3, pydoc's topics, ensurepip and pip are never
# imported by the Action. The stdlib's bytecode is dropped here and compiled again below for
# exactly what the Action imports.
RUN stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')" \
    && purelib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
    && rm -rf "$stdlib"/{test,idlelib,tkinter,turtledemo,ensurepip,lib2to3,pydoc_data} \
        "$stdlib"/turtle.py "$stdlib"/lib-dynload/_tkinter.* \
        "$purelib"/{pip,setuptools,wheel,_distutils_hack}{,-*.dist-info} \
        "$purelib"/distutils-precedence.pth \
        /usr/local/bin/{pip,idle,2to3}* /usr/local/share/man \
    && find "$stdlib" -depth -name __pycache__ -type d -exec rm -rf {} +

# glibc's iconv modules (9 MB): git re-encodes a commit message whose `encoding` header is
# not UTF-8. Keep the encodings such commits use (Latin, Cyrillic, Japanese, Korean,
# Chinese) and drop the rest (EBCDIC and IBM code pages, ...); a conversion whose module is
# gone fails cleanly and git shows the message as stored.
RUN gconv="$(dirname "$(find /usr/lib -path '*/gconv/gconv-modules' -print -quit)")" \
    && keep=(ISO8859-1 ISO8859-2 ISO8859-15 CP1250 CP1251 CP1252 KOI8-R KOI8-U \
        EUC-JP SJIS CP932 ISO-2022-JP libJIS EUC-KR UHC libKSC GBK GB18030 EUC-CN BIG5 libGB) \
    && args=() \
    && for m in "${keep[@]}"; do args+=(! -name "$m.so"); done \
    && find "$gconv" -maxdepth 1 -name '*.so' "${args[@]}" -delete

# Documentation except the copyright files; caches, logs, dpkg and debconf backups.
RUN find /usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete \
    && find /usr/share/doc -mindepth 1 -type d -empty -delete \
    && rm -rf /usr/share/{man,info,locale,lintian,groff} /var/lib/apt /var/cache/apt \
        /var/cache/debconf/*-old /var/lib/dpkg/*-old /var/log/* /root/.cache /tmp/*

COPY --from=deps /app/deps /app/deps
COPY releaser/ /app/releaser/
COPY entrypoint.py /app/entrypoint.py

# Bytecode for the app and for exactly the stdlib modules that importing it loads (the deps
# were compiled by pip); anything imported later compiles in memory. Then make sure every
# native piece the Action loads still finds its shared libraries after the pruning above.
ENV PYTHONPATH=/app:/app/deps
RUN python3 -m compileall -q /app/releaser /app/entrypoint.py \
    && env -u PYTHONDONTWRITEBYTECODE python3 -c 'import importlib, pkgutil, releaser; \
[importlib.import_module(m.name) for m in pkgutil.walk_packages(releaser.__path__, "releaser.") \
 if m.name != "releaser.__main__"]' \
    && stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')" \
    && missing="$( { command -v python3; command -v git; \
        find "$stdlib/lib-dynload" /app/deps -name '*.so*' -type f; } \
        | xargs -r ldd 2>/dev/null | awk '/:$/ { f = $0 } /not found/ { print f, $0 }' || true)" \
    && if [ -n "$missing" ]; then echo "missing shared libraries: $missing" >&2; exit 1; fi \
    && rm -rf /tmp/*

# Stage 3: one layer holding exactly the pruned tree. The base's ENV does not carry over.
FROM scratch
# Copying the whole tree is the point: the build stage is this Dockerfile's own pruned tree,
# and one layer of it is what keeps the deletions above from costing anything.
# hadolint ignore=DL3067
COPY --from=build / /

LABEL org.opencontainers.image.title="releaser" \
      org.opencontainers.image.description="Conventional Commits release PRs, publishing and release evidence" \
      org.opencontainers.image.source="https://github.com/releaser-dev/releaser" \
      org.opencontainers.image.licenses="MIT"

ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app:/app/deps

ENTRYPOINT ["python", "/app/entrypoint.py"]
