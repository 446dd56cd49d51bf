"""Build a deterministic synthetic Conventional Commits repository with one `git fast-import`.

Usage: make_repo.py N OUT [--seed S] [--lightweight-tag]. 20 bootstrap commits, tag v1.0.0,
then N seeded-random commits; the same N and seed always give the same commit hashes.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from pathlib import Path

BOOTSTRAP_COMMITS = 20
BASE_TAG = "v1.0.0"
BASE_EPOCH = 1_700_000_000  # fixed dates keep hashes stable across runs and machines
IDENT = "Bench Bot <bench@example.invalid>"

OTHER_TYPES = ("docs", "chore", "refactor", "test", "ci", "build", "style", "perf")
SCOPES = ("api", "cli", "core", "parser", "deps", "docs", "git", "notes", "config")
WORDS = (
    "add remove handle support parse render cache retry tag commit version release notes "
    "config path scope footer body header token error message window buffer stream index "
    "merge branch range limit table column option flag default value empty large small"
).split()
FILES = tuple(f"src/pkg/mod_{i:02d}.py" for i in range(40)) + tuple(
    f"docs/page_{i:02d}.md" for i in range(10)
)

PYPROJECT = """\
[project]
name = "bench-fixture"
version = "1.0.0"

[tool.commitizen]
name = "cz_conventional_commits"
version = "1.0.0"
tag_format = "v$version"
version_scheme = "semver2"
"""

# git-cliff has a built-in default, but an explicit file pins the behaviour we compare against.
CLIFF_TOML = """\
[changelog]
body = \"\"\"
{% for commit in commits %}- {{ commit.message | upper_first }}
{% endfor %}\"\"\"

[git]
conventional_commits = true
filter_unconventional = false
tag_pattern = "v[0-9].*"

[bump]
features_always_bump_minor = true
breaking_always_bump_major = true
"""


def pick_type(rng: random.Random) -> str:
    """Return a commit type: feat 20%, fix 30%, the rest spread evenly over other types."""
    roll = rng.random()
    if roll < 0.20:
        return "feat"
    if roll < 0.50:
        return "fix"
    return rng.choice(OTHER_TYPES)


def sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


def random_message(rng: random.Random) -> str:
    """One Conventional Commit message with the mix described in bench/README.md."""
    ctype = pick_type(rng)
    scope = f"({rng.choice(SCOPES)})" if rng.random() < 0.35 else ""
    breaking = rng.random() < 0.005
    bang = "!" if breaking and rng.random() < 0.5 else ""
    lines = [f"{ctype}{scope}{bang}: {sentence(rng, 3, 9)}"]
    if rng.random() < 0.40:
        lines += ["", sentence(rng, 8, 20).capitalize() + "."]
    footers = []
    if breaking and not bang:
        footers.append(f"BREAKING CHANGE: {sentence(rng, 4, 10)}")
    if rng.random() < 0.20:
        footers.append(f"Refs: #{rng.randint(1, 5000)}")
    if footers:
        lines += ["", *footers]
    return "\n".join(lines) + "\n"


def data(payload: str) -> bytes:
    raw = payload.encode()
    return b"data %d\n" % len(raw) + raw + b"\n"


def commit_block(mark: int, message: str, files: dict[str, str]) -> bytes:
    when = f"{BASE_EPOCH + mark * 60} +0000"
    out = [
        b"commit refs/heads/main\n",
        b"mark :%d\n" % mark,
        f"author {IDENT} {when}\n".encode(),
        f"committer {IDENT} {when}\n".encode(),
        data(message),
    ]
    if mark > 1:
        out.append(b"from :%d\n" % (mark - 1))
    for path, content in files.items():
        out.append(f"M 100644 inline {path}\n".encode())
        out.append(data(content))
    out.append(b"\n")
    return b"".join(out)


def build_stream(n: int, seed: int, lightweight: bool) -> bytes:
    rng = random.Random(seed)
    chunks = []
    first = {"pyproject.toml": PYPROJECT, "cliff.toml": CLIFF_TOML, "README.md": "# fixture\n"}
    first.update({path: "# initial\n" for path in FILES})
    chunks.append(commit_block(1, "chore: initial import\n", first))
    for mark in range(2, BOOTSTRAP_COMMITS + 1):
        msg = f"{'feat' if mark % 3 == 0 else 'fix'}: bootstrap step {mark}\n"
        chunks.append(commit_block(mark, msg, {rng.choice(FILES): f"# bootstrap {mark}\n"}))
    if lightweight:
        chunks.append(f"reset refs/tags/{BASE_TAG}\nfrom :{BOOTSTRAP_COMMITS}\n\n".encode())
    else:
        when = f"{BASE_EPOCH + BOOTSTRAP_COMMITS * 60 + 30} +0000"
        chunks.append(
            f"tag {BASE_TAG}\nfrom :{BOOTSTRAP_COMMITS}\ntagger {IDENT} {when}\n".encode()
            + data(f"Release {BASE_TAG}\n")
        )
    for i in range(n):
        mark = BOOTSTRAP_COMMITS + 1 + i
        touched = rng.sample(FILES, rng.randint(1, 3))
        files = {path: f"# change {mark} {rng.getrandbits(32):08x}\n" for path in touched}
        chunks.append(commit_block(mark, random_message(rng), files))
    return b"".join(chunks)


def make_repo(n: int, out: Path, seed: int = 1, lightweight: bool = False) -> Path:
    """Create OUT as a git repository with a checked-out work tree; OUT must not exist."""
    if out.exists():
        raise SystemExit(f"make_repo: {out} already exists; refusing to overwrite it")
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    stream = build_stream(n, seed, lightweight)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=out, input=stream, check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=out, check=True)
    # cz and git-cliff shell out to git; a local identity keeps them from complaining.
    subprocess.run(["git", "config", "user.name", "Bench Bot"], cwd=out, check=True)
    subprocess.run(["git", "config", "user.email", "bench@example.invalid"], cwd=out, check=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of commits after the v1.0.0 tag")
    parser.add_argument("out", type=Path, help="directory to create")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lightweight-tag", action="store_true", help="tag without annotation")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("N must be >= 0")
    make_repo(args.n, args.out, args.seed, args.lightweight_tag)
    return 0


if __name__ == "__main__":
    sys.exit(main())
