"""A monorepo plan from one history walk equals the plan from one `git log` per component.

Equal in everything but which merge commits a component lists: merges carry no entries, and
whether `git log --full-history A..B -- dir` lists a merge depends on which of its parents the
walk had already marked as reached by A when it looked at it (the per-parent "relevance" of
revision.c is decided during the walk and only ever revised towards hiding). The one walk
applies git's rule with the final answer instead, so the merges it lists are a fixed function
of the history; the non-merge commits, their order, versions and notes must be identical.

Histories are generated with `git fast-import`: random commits on main and on side branches,
merges both ways (some changing files neither parent had), empty commits, reverts, component
tags on main and on branch tips merged later, prereleases, and dates that tie or run backwards.
"""

from __future__ import annotations

import random
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from releaser import config as config_mod
from releaser.domain.commits import RawCommit
from releaser.domain.components import ChangedCommit, PathIndex, assign
from releaser.engine import EnginePlan, plan
from releaser.git import GitRepo
from releaser.local_history import LocalHistory

TODAY = date(2026, 1, 2)
COMPONENTS = [
    {"name": "api", "path": "api"},
    {"name": "api-v2", "path": "api-v2"},
    {"name": "web", "path": "web/"},
    {"name": "core", "path": "libs/core"},
    {"name": "core-x", "path": "libs/core-x"},
    {"name": "pre", "path": "pre", "prerelease": "rc"},
    {"name": "ghost", "path": "ghost"},
]
FILES = (
    "api/a.py",
    "api/sub/b.py",
    "api-v2/a.py",
    "api-v2.md",
    "apix",
    "web/x/y.ts",
    "libs/core/c.rs",
    "libs/core-x/c.rs",
    "libs/corelib.txt",
    "pre/p.txt",
    "README.md",
)


class PerComponent:
    """The History interface without `changed_log`: the engine asks git once per component."""

    def __init__(self, inner: LocalHistory) -> None:
        self._inner = inner
        self.logs = 0

    def head(self):
        return self._inner.head()

    def reachable_tags(self):
        return self._inner.reachable_tags()

    def log(self, since, paths=()):
        self.logs += 1
        return self._inner.log(since, paths)

    def shas_since(self, since):
        return self._inner.shas_since(since)

    def missing_history(self, since):
        return self._inner.missing_history(since)

    def walk(self):
        return None  # as over the API: no one-walk fast paths

    def read(self, path):
        return self._inner.read(path)

    def tree(self):
        return self._inner.tree()


class NoPerComponentLog(LocalHistory):
    def log(self, since, paths=()):
        raise AssertionError("a monorepo plan must not run one log per component")


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n" % len(raw) + raw + b"\n"


class Builder:
    def __init__(self, rng: random.Random, dates: str) -> None:
        self.rng, self.dates = rng, dates
        self.out: list[bytes] = []
        self.mark = 0
        self.headers: list[str] = []
        self.versions = {c["name"]: [1, 0] for c in COMPONENTS}

    def commit(self, ref: str, parents: list[int], files: dict[str, str], full: bool) -> int:
        self.mark += 1
        when = 1_700_000_000 + self.mark * 60
        if self.dates == "same":
            when = 1_700_000_000
        elif self.dates == "skew":
            when += self.rng.randint(-4, 4) * 3600
        roll = self.rng.random()
        if roll < 0.08 and self.headers:
            message = f'Revert "{self.rng.choice(self.headers)}"\n'
        else:
            kind = self.rng.choice(["feat", "fix", "fix", "chore", "docs", "feat!"])
            scope = self.rng.choice(["", "(api)", "(web)"])
            header = f"{kind}{scope}: change {self.mark}"
            self.headers.append(header)
            message = header + "\n"
        block = [f"commit {ref}\nmark :{self.mark}\n".encode()]
        for who in ("author", "committer"):
            block.append(f"{who} Dev <dev@example.com> {when} +0000\n".encode())
        block.append(_data(message))
        if parents:
            block.append(b"from :%d\n" % parents[0])
        for other in parents[1:]:
            block.append(b"merge :%d\n" % other)
        if full:
            block.append(b"deleteall\n")
        for path, content in sorted(files.items()):
            block.append(f"M 100644 inline {path}\n".encode() + _data(content))
        self.out.append(b"".join(block) + b"\n")
        return self.mark

    def tag(self, component: dict, mark: int) -> None:
        version = self.versions[component["name"]]
        version[1] += 1
        suffix = "-rc.1" if component.get("prerelease") and self.rng.random() < 0.5 else ""
        name = f"{component['name']}-v{version[0]}.{version[1]}.0{suffix}"
        self.out.append(f"reset refs/tags/{name}\nfrom :{mark}\n\n".encode())


def build_history(path: Path, seed: int, dates: str, steps: int = 90) -> None:
    rng = random.Random(seed)
    b = Builder(rng, dates)
    files = {f: "0\n" for f in FILES}
    main = b.commit("refs/heads/main", [], files, full=False)
    main_files = dict(files)
    branches: dict[str, tuple[int, dict[str, str]]] = {}
    for step in range(steps):
        roll = rng.random()
        if roll < 0.12 and len(branches) < 3:
            name = f"refs/heads/side{step}"
            branches[name] = (main, dict(main_files))
        elif roll < 0.27 and branches:
            name = rng.choice(sorted(branches))
            tip, side_files = branches.pop(name)
            merged = {**main_files, **{k: v for k, v in side_files.items() if rng.random() < 0.8}}
            if rng.random() < 0.3:  # an evil merge: a change neither parent has
                merged[rng.choice(FILES)] = f"merge {step}\n"
            if rng.random() < 0.2:  # merge main into the branch instead, and keep it open
                tip = b.commit(name, [tip, main], merged, full=True)
                branches[name] = (tip, merged)
            else:
                main = b.commit("refs/heads/main", [main, tip], merged, full=True)
                main_files = merged
        else:
            on_side = branches and rng.random() < 0.4
            name = rng.choice(sorted(branches)) if on_side else "refs/heads/main"
            tip, current = branches[name] if on_side else (main, main_files)
            change = {f: f"{step}\n" for f in rng.sample(FILES, rng.choice([0, 1, 1, 2, 3]))}
            tip = b.commit(name, [tip], change, full=False)
            current = {**current, **change}
            if on_side:
                branches[name] = (tip, current)
            else:
                main, main_files = tip, current
        if rng.random() < 0.12:
            where = (
                main
                if not branches or rng.random() < 0.7
                else rng.choice(list(branches.values()))[0]
            )
            b.tag(rng.choice(COMPONENTS[:-1]), where)
    for _name, (tip, side_files) in sorted(branches.items()):
        if rng.random() < 0.5:
            main = b.commit("refs/heads/main", [main, tip], {**main_files, **side_files}, True)
            main_files = {**main_files, **side_files}
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=b"".join(b.out), check=True)


def _config():
    return config_mod.from_dict({"components": COMPONENTS})


def _no_merges(result: EnginePlan) -> EnginePlan:
    releases = tuple(
        replace(r, commits=tuple(c for c in r.commits if not c.is_merge)) for r in result.releases
    )
    return replace(result, releases=releases)


def _both(path: Path):
    config = _config()
    walked = plan(LocalHistory(GitRepo(path)), config, TODAY, None)
    old = PerComponent(LocalHistory(GitRepo(path)))
    per_component = plan(old, config, TODAY, None)
    assert old.logs == len(COMPONENTS)
    return _no_merges(walked), _no_merges(per_component)


@pytest.mark.parametrize("dates", ["ordered", "same", "skew"])
@pytest.mark.parametrize("seed", range(8))
def test_one_walk_equals_one_log_per_component(tmp_path, seed, dates):
    build_history(tmp_path / "repo", seed, dates)
    walked, per_component = _both(tmp_path / "repo")
    assert walked == per_component
    # The histories are not trivial: some component has commits and a previous tag.
    assert any(r.commits and r.previous_tag for r in walked.releases)


def test_linear_history_with_and_without_tags(tmp_path):
    build_history(tmp_path / "repo", 99, "ordered", steps=60)
    subprocess.run(["git", "tag", "-d", "api-v1.1.0"], cwd=tmp_path / "repo", capture_output=True)
    walked, per_component = _both(tmp_path / "repo")
    assert walked == per_component


def test_monorepo_plan_walks_history_once(tmp_path):
    build_history(tmp_path / "repo", 3, "ordered")
    result = plan(NoPerComponentLog(GitRepo(tmp_path / "repo")), _config(), TODAY, None)
    assert len(result.releases) == len(COMPONENTS)


@pytest.mark.parametrize(
    ("changed", "owners"),
    [
        ({"api/a.py"}, {0}),
        ({"api"}, {0}),  # a file named like the directory is inside the pathspec too
        ({"api-v2/a.py"}, {1}),
        ({"apix", "api-v2.md"}, set()),
        ({"libs/core-x/c.rs", "libs/corelib.txt"}, {4}),
        ({"libs/core/deep/er/c.rs", "web/x"}, {2, 3}),
        (set(), set()),
    ],
    ids=["dir", "file-named-as-dir", "dash-suffix", "name-prefix", "sibling", "deep", "none"],
)
def test_prefix_lookup_matches_whole_path_parts(changed, owners):
    index = PathIndex(["api", "api-v2", "web", "libs/core", "libs/core-x"])
    assert index.owners(frozenset(changed)) == owners


def test_range_is_reachability_not_order():
    # main: r - a - m(a, s) ; side: r - s, tagged. s comes before a in the walk's order, but
    # only s (and r) are reached by the tag. The merge m belongs to the root "." alone.
    def c(sha, *parents):
        return ChangedCommit(RawCommit(sha, "", parents), frozenset({"x/f"}))

    walk = [c("m", "a", "s"), c("s", "r"), c("a", "r"), c("r")]
    assert assign(walk, ["x", "x", "."], ["s", None, "s"]) == [[2], [1, 2, 3], [0, 2]]


def test_parser_is_independent_of_where_chunks_end(tmp_path):
    from releaser import git_paths

    build_history(tmp_path / "repo", 5, "ordered", steps=40)
    out = subprocess.run(
        ["git", *git_paths.log_args("HEAD", ())], cwd=tmp_path / "repo", capture_output=True
    ).stdout
    whole = list(git_paths.changed_commits([out]))
    assert len(whole) > 30 and any(c.paths for c in whole)
    for size in (1, 7, 4096):
        pieces = [out[i : i + size] for i in range(0, len(out), size)]
        assert list(git_paths.changed_commits(pieces)) == whole
