"""Benchmark `releaser plan` against the raw `git log` floor, commitizen and git-cliff.

Run: bash bench/setup.sh && bench/.venv/bin/python bench/run.py [--sizes 2000,20000] [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import make_repo
from measure import (
    BenchError,
    Stats,
    capture,
    cpu_model,
    first_line,
    load_average,
    measure,
    measure_interleaved,
    ram_gib,
    repo_state,
)

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "work"
TINY_N = 5
GOAL_FLOOR_RATIO = 3.0
GOAL_PEAK_MB = 60.0
GOAL_TINY_MS = 100.0
LINEAR_SLACK = 1.25  # per-commit cost at the largest N may be at most this much above the smallest
HEAVY = ("github", "requests", "jsonschema")


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    cmd: list[str]
    parse: str  # how to read a version out of stdout: "releaser", "plain", or "" (none)


def tool_paths(args: argparse.Namespace) -> dict[str, list[str] | None]:
    def exe(path: Path, fallback: str) -> list[str] | None:
        if path.exists():
            return [str(path)]
        found = shutil.which(fallback) if fallback else None
        return [found] if found else None

    releaser = args.releaser.split() if args.releaser else exe(ROOT / ".venv/bin/releaser", "")
    if releaser and not releaser_works(releaser):
        releaser = None
    return {
        "releaser": releaser,
        "cz": exe(BENCH / ".venv/bin/cz", "cz"),
        "git-cliff": exe(BENCH / ".venv/bin/git-cliff", "git-cliff"),
        "git": exe(Path("/nonexistent"), "git"),
    }


def releaser_works(releaser: list[str]) -> bool:
    """The entry point can exist before releaser/cli.py does; only an importable CLI counts."""
    probe = subprocess.run(
        [releaser_python(releaser), "-c", "import releaser.cli"], capture_output=True
    )
    return probe.returncode == 0


def releaser_python(releaser: list[str]) -> str:
    """The interpreter behind the releaser entry point, for import and profile checks."""
    first = Path(releaser[0])
    if first.name.startswith("python"):
        return str(first)
    shebang = first.read_text(errors="replace").splitlines()[0]
    return shebang[2:].strip() if shebang.startswith("#!") else sys.executable


def build_repo(n: int, seed: int) -> Path:
    """Cached fixture; the key includes make_repo.py's hash so an edited generator rebuilds."""
    digest = hashlib.sha256(Path(make_repo.__file__).read_bytes()).hexdigest()[:10]
    repo = WORK / f"repo-n{n}-s{seed}-{digest}"
    if not (repo / ".git").is_dir():
        tmp = WORK / f".tmp-{repo.name}"
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"building {repo.name} ...", file=sys.stderr)
        make_repo.make_repo(n, tmp, seed)
        tmp.rename(repo)
    return repo


def versions(tools: list[Tool], repo: Path) -> dict[str, str]:
    out = {}
    for tool in tools:
        if not tool.parse:
            continue
        text = capture(tool.cmd, repo)
        if tool.parse == "releaser":
            releases = json.loads(text)["releases"]
            root = [r for r in releases if r.get("path", ".") == "."] or releases
            out[tool.name] = root[0]["version"] if root else "(no release)"
        else:
            out[tool.name] = text.strip().splitlines()[-1].removeprefix("v")
    return out


def bench_size(tools: list[Tool], n: int, seed: int, runs: int) -> tuple[dict, dict]:
    repo = build_repo(n, seed)
    before = repo_state(repo)
    print(f"  N={n}: {', '.join(t.name for t in tools)} x{runs} ...", file=sys.stderr)
    stats = measure_interleaved({t.name: t.cmd for t in tools}, repo, runs)
    found = versions(tools, repo)
    if repo_state(repo) != before:
        raise BenchError(f"a tool modified {repo}; results would be unfair, rebuild it")
    return stats, found


def tiny_checks(releaser: list[str], seed: int, runs: int) -> dict:
    repo = build_repo(TINY_N, seed)
    stats = measure([*releaser, "plan", "--repo", str(repo)], repo, max(runs, 10))
    probe = (
        "import contextlib, io, json, sys\n"
        "from releaser.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        main(['plan', '--repo', {str(repo)!r}])\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    py = releaser_python(releaser)
    heavy = json.loads(capture([py, "-c", probe], repo).strip().splitlines()[-1])
    imp = subprocess.run([py, "-X", "importtime", "-c", "import releaser.cli"], capture_output=True)
    cumulative = [ln for ln in imp.stderr.decode().splitlines() if ln.endswith("releaser.cli")]
    import_us = int(cumulative[-1].split("|")[1]) if cumulative else -1
    return {"stats": stats, "heavy": heavy, "import_us": import_us}


def profile(releaser: list[str], repo: Path) -> str:
    py = releaser_python(releaser)
    cmd = [py, "-m", "cProfile", "-s", "cumtime", "-m", "releaser", "plan", "--json"]
    out = capture([*cmd, "--repo", str(repo)], repo)
    start = out.find("   Ordered by")
    lines = out[start:].splitlines() if start >= 0 else out.splitlines()[-30:]
    return "\n".join(lines[:26])


def fmt_table(sizes, results, floor="git log (floor)") -> str:
    rows = [
        "| N | tool | median ms | min–max ms | peak MB | × floor |",
        "|---|---|---|---|---|---|",
    ]
    for n in sizes:
        stats: dict[str, Stats] = results[n][0]
        base = stats[floor].median_ms
        for name, st in stats.items():
            rows.append(
                f"| {n:,} | {name} | {st.median_ms:.1f} | {st.min_ms:.1f}–{st.max_ms:.1f} "
                f"| {st.peak_mb:.1f} | {st.median_ms / base:.2f} |"
            )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000", help="comma-separated commit counts")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per tool (>=3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--releaser", help="command to run releaser (default: .venv/bin/releaser)")
    parser.add_argument("--out", type=Path, default=BENCH / "results-engine.md")
    parser.add_argument("--allow-missing", action="store_true", help="skip tools not installed")
    args = parser.parse_args(argv)
    if args.runs < 3:
        parser.error("--runs must be at least 3")
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})

    paths = tool_paths(args)
    missing = [name for name, cmd in paths.items() if cmd is None]
    if missing and not args.allow_missing:
        print(
            f"error: missing {', '.join(missing)}; run `bash bench/setup.sh` "
            "(releaser comes from /work/main/.venv: `pip install -e .`) or pass --allow-missing",
            file=sys.stderr,
        )
        return 2
    tools = []
    if paths["releaser"]:
        tools.append(
            Tool("releaser plan --json", [*paths["releaser"], "plan", "--json"], "releaser")
        )
    tools.append(Tool("git log (floor)", ["git", "log", "--format=%H%x00%B", "v1.0.0..HEAD"], ""))
    if paths["cz"]:
        tools.append(
            Tool("cz bump --get-next", [*paths["cz"], "bump", "--get-next", "--yes"], "plain")
        )
    if paths["git-cliff"]:
        tools.append(
            Tool("git-cliff --bumped-version", [*paths["git-cliff"], "--bumped-version"], "plain")
        )

    args.load_start = load_average()
    try:
        results = {n: bench_size(tools, n, args.seed, args.runs) for n in sizes}
        tiny = tiny_checks(paths["releaser"], args.seed, args.runs) if paths["releaser"] else None
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    table = fmt_table(sizes, results)
    print(table)
    report, ok = render(args, paths, tools, sizes, results, tiny)
    args.out.write_text(report)
    print(f"\nwrote {args.out}; goals {'all met' if ok else 'NOT all met'}", file=sys.stderr)
    return 0 if ok else 3


def render(args, paths, tools, sizes, results, tiny) -> tuple[str, bool]:
    rel = "releaser plan --json"
    big, small = sizes[-1], sizes[0]
    goals: list[tuple[str, bool | None, str]] = []
    if tiny is not None:
        st = results[big][0]
        ratio = st[rel].median_ms / st["git log (floor)"].median_ms
        goals.append(
            (f"N={big:,}: releaser ≤ {GOAL_FLOOR_RATIO:g}× floor", ratio <= 3, f"{ratio:.2f}×")
        )
        for peer in [t.name for t in tools if t.parse == "plain"]:
            faster = st[rel].median_ms < st[peer].median_ms
            goals.append(
                (
                    f"N={big:,}: releaser faster than {peer}",
                    faster,
                    f"{st[rel].median_ms:.0f} vs {st[peer].median_ms:.0f} ms",
                )
            )
        peak = max(results[n][0][rel].peak_mb for n in sizes)
        goals.append(
            (f"releaser peak RSS ≤ {GOAL_PEAK_MB:g} MB", peak <= GOAL_PEAK_MB, f"{peak:.1f} MB")
        )
        tms = tiny["stats"].median_ms
        goals.append(
            (
                f"tiny repo ({TINY_N} commits) `releaser plan` ≤ {GOAL_TINY_MS:g} ms",
                tms <= GOAL_TINY_MS,
                f"{tms:.1f} ms",
            )
        )
        goals.append(
            (
                "no PyGithub/requests/jsonschema import on `plan`",
                not tiny["heavy"],
                ", ".join(tiny["heavy"]) or "none imported",
            )
        )
        if big != small:
            per = (results[big][0][rel].median_ms / big) / (
                results[small][0][rel].median_ms / small
            )
            goals.append(
                (
                    f"linear: per-commit cost at {big:,} ≤ {LINEAR_SLACK}× that at {small:,}",
                    per <= LINEAR_SLACK,
                    f"{per:.2f}×",
                )
            )
    for n in sizes:
        found = results[n][1]
        same = len(set(found.values())) == 1
        goals.append(
            (
                f"N={n:,}: all tools agree on the next version",
                same,
                ", ".join(f"{k.split()[0]} {v}" for k, v in found.items()),
            )
        )
    ok = all(g[1] for g in goals) and tiny is not None

    lines = [
        "# Engine benchmark results",
        "",
        f"Generated by `bench/run.py --sizes {args.sizes} --runs {args.runs} --seed {args.seed}` "
        f"on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC. Do not edit by hand; re-run it.",
        "",
        "## Machine",
        "",
    ]
    machine = {
        "CPU": cpu_model(),
        "cores": str(os.cpu_count()),
        "RAM": ram_gib(),
        "load average (1/5/15 min), start → end": f"{args.load_start} → {load_average()}",
        "Python (bench)": sys.version.split()[0],
        "git": first_line(["git", "--version"]),
        "commitizen": first_line([*paths["cz"], "version"]) if paths["cz"] else "missing",
        "git-cliff": first_line([*paths["git-cliff"], "--version"])
        if paths["git-cliff"]
        else "missing",
        "releaser": " ".join(paths["releaser"]) if paths["releaser"] else "missing",
    }
    lines += [f"- {k}: {v}" for k, v in machine.items()]
    lines += [
        "",
        "## Method",
        "",
        "Each fixture is built by `bench/make_repo.py N OUT --seed S` (20 bootstrap commits, "
        "annotated tag `v1.0.0`, then N Conventional Commits). Every tool runs in the fixture "
        f"as a fresh process: one warm-up each, then {args.runs} rounds running the tools in turn "
        "(so a burst of load hits all alike); the median is reported. "
        "Time and peak MB come from `bench/spawn.py`, a small wrapper that spawns the command "
        "with stdout to /dev/null and reads `ru_maxrss` from `os.wait4`: the largest single "
        "process of the command's tree (e.g. the `git log` a tool spawns); ~8 MB, the "
        "wrapper's own start-up size, is the lowest it can show. The floor is "
        "`git log --format=%H%x00%B v1.0.0..HEAD`, the least work any tool must do.",
        "",
        "## Results",
        "",
        fmt_table(sizes, results),
        "",
    ]
    if big != small:
        lines += [f"Scaling ({small:,} → {big:,} commits, ideal linear = {big / small:g}×):", ""]
        lines += [
            f"- {name}: {results[big][0][name].median_ms / st.median_ms:.2f}×"
            for name, st in results[small][0].items()
        ]
        lines.append("")
    if tiny is not None:
        st = tiny["stats"]
        lines += [
            f"Tiny repo ({TINY_N} commits since tag), `releaser plan` (text): median "
            f"{st.median_ms:.1f} ms over {st.runs} runs, peak {st.peak_mb:.1f} MB; "
            f"`import releaser.cli` cumulative {tiny['import_us'] / 1000:.1f} ms.",
            "",
        ]
    lines += ["## Goals", "", "| goal | met | measured |", "|---|---|---|"]
    lines += [f"| {g} | {'yes' if m else 'NO'} | {v} |" for g, m, v in goals]
    if tiny is None:
        lines += ["", "releaser was not available, so its goals were not measured."]
    elif not ok:
        lines += [
            "",
            f"## Profile (releaser plan --json, N={big:,}, cProfile by cumtime)",
            "",
            "```",
            profile(paths["releaser"], build_repo(big, args.seed)),
            "```",
        ]
    return "\n".join(lines) + "\n", ok


if __name__ == "__main__":
    sys.exit(main())
