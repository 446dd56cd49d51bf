"""Build a deterministic synthetic monorepo with one `git fast-import`.

Usage: make_monorepo.py K N OUT [--seed S]. K components `pkg-000` ... under `packages/`, listed
in .github/releaser.yml; 20 bootstrap commits, each component tagged `pkg-XXX-v1.0.0` at one of
them (so the ranges differ), then N Conventional Commits (make_repo's message mix), each
touching 1-3 files of 1-2 components, and a file outside every component on 10%.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from pathlib import Path

from make_repo import BASE_EPOCH, BOOTSTRAP_COMMITS, IDENT, commit_block, data, random_message


def component(i: int) -> str:
    return f"pkg-{i:03d}"


def config_yaml(k: int) -> str:
    lines = ["components:"]
    lines += [f"  - {{name: {component(i)}, path: packages/{component(i)}}}" for i in range(k)]
    return "\n".join(lines) + "\n"


def files_of(i: int) -> tuple[str, ...]:
    base = f"packages/{component(i)}"
    return (f"{base}/src/main.py", f"{base}/src/util.py", f"{base}/README.md")


def build_stream(k: int, n: int, seed: int) -> bytes:
    rng = random.Random(seed)
    chunks = []
    first = {".github/releaser.yml": config_yaml(k), "README.md": "# monorepo\n"}
    for i in range(k):
        first.update({path: "# initial\n" for path in files_of(i)})
    chunks.append(commit_block(1, "chore: initial import\n", first))
    for mark in range(2, BOOTSTRAP_COMMITS + 1):
        i = rng.randrange(k)
        chunks.append(commit_block(mark, f"fix: bootstrap {mark}\n", {files_of(i)[0]: f"{mark}\n"}))
    when = f"{BASE_EPOCH + BOOTSTRAP_COMMITS * 60 + 30} +0000"
    for i in range(k):
        at = 1 + (i * 7) % BOOTSTRAP_COMMITS  # spread the tags over the bootstrap commits
        name = f"{component(i)}-v1.0.0"
        chunks.append(
            f"tag {name}\nfrom :{at}\ntagger {IDENT} {when}\n".encode() + data(f"Release {name}\n")
        )
    for j in range(n):
        mark = BOOTSTRAP_COMMITS + 1 + j
        touched = [rng.randrange(k) for _ in range(rng.choice((1, 1, 1, 2)))]
        paths = {p for i in touched for p in rng.sample(files_of(i), rng.randint(1, 2))}
        if rng.random() < 0.10:
            paths.add(f"docs/page_{rng.randrange(20):02d}.md")
        files = {p: f"# change {mark} {rng.getrandbits(32):08x}\n" for p in sorted(paths)}
        chunks.append(commit_block(mark, random_message(rng), files))
    return b"".join(chunks)


def make_monorepo(k: int, n: int, out: Path, seed: int = 1) -> Path:
    """Create OUT as a git repository with a checked-out work tree; OUT must not exist."""
    if out.exists():
        raise SystemExit(f"make_monorepo: {out} already exists; refusing to overwrite it")
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    stream = build_stream(k, n, seed)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=out, input=stream, check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=out, check=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("k", type=int, help="number of components")
    parser.add_argument("n", type=int, help="number of commits after the bootstrap")
    parser.add_argument("out", type=Path, help="directory to create")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.k < 1 or args.n < 0:
        parser.error("K must be >= 1 and N >= 0")
    make_monorepo(args.k, args.n, args.out, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
