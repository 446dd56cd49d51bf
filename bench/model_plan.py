"""`releaser plan --json` with a model component vs the same repository without it: the
model's cost should be its hashing and little else (goal: with-model <= code-only + hashing).

Usage: python bench/model_plan.py [--mb 50,200] [--files 4] [--commits 2000] [--runs 21]

Builds under /tmp (deleted afterwards): bench/make_repo.py's history of N commits on src/ with
tag v1.0.0, then a model component models/churn released as churn@v1.0.0 whose weights are
not in git (gitignored, model.yaml declares their sha256 and a uri), then a retrain: new
weights of --mb MB in --files files in the working tree and a new data version committed. Two
config files name the same repository and the same two components: in the control,
models/churn is a plain code component; in the other it is `type: model`. Each plan is a
fresh process; hashing is releaser's hash_file over the same files in this process; each
round runs the three once (a drifting machine then slows all alike), the median of --runs
rounds after a warm-up is shown, page cache warm for all three. Two
model sizes show what grows with the model and what does not. --keep leaves the fixture.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from releaser.models.hashing import hash_file  # noqa: E402

APP = "components:\n  - {name: app, path: src, tag-prefix: v}\n"
# The control plans the same two components: models/churn as a plain code component (its
# commits since its tag churn@v1.0.0, its changelog), so the difference is `type: model` alone.
CODE = APP + "  - {name: churn, path: models/churn, tag-prefix: churn@v}\n"
MODEL = APP + "  - {name: churn, path: models/churn, type: model}\n"


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": "@1700000000 +0000"}
    env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"]
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def weights(model: Path, total: int, count: int, seed: bytes) -> list[dict]:
    files = []
    block = hashlib.sha256(seed).digest() * (1024 * 1024 // 32)
    for index in range(count):
        name = f"model-{index:02d}.safetensors"
        digest = hashlib.sha256()
        with open(model / name, "wb") as out:
            for chunk in range(total // count // len(block)):
                data = block[:-8] + chunk.to_bytes(8, "big")
                out.write(data)
                digest.update(data)
        size = (model / name).stat().st_size
        uri = f"s3://models/churn/{name}"
        files.append({"path": name, "sha256": digest.hexdigest(), "size": size, "uri": uri})
    return files


def manifest(files: list[dict], data_version: str) -> dict:
    return {
        "schema": "releaser/model/v1",
        "name": "churn",
        "artifact": {"format": "safetensors", "files": files},
        "interface": {
            "version": 1,
            "inputs": [{"name": "tenure", "type": "long"}, {"name": "spend", "type": "double"}],
            "outputs": [{"name": "churn", "type": "float32"}],
        },
        "architecture": {"family": "gbdt", "name": "xgboost"},
        "training": {
            "data": [{"name": "customers", "version": data_version}],
            "hyperparameters": {"depth": 6},
        },
        "metrics": [{"name": "auc", "value": 0.91, "dataset": "holdout"}],
        "gates": [{"metric": "auc", "min": 0.85}],
    }


def build(root: Path, commits: int, total: int, count: int) -> Path:
    repo = root / "repo"
    subprocess.run(
        [sys.executable, str(BENCH / "make_repo.py"), str(commits), str(repo)],
        check=True,
        capture_output=True,
    )
    git(repo, "checkout", "-q", "-f", "HEAD")
    model = repo / "models/churn"
    model.mkdir(parents=True)
    (repo / ".gitignore").write_text("*.safetensors\n")
    first = weights(model, total, count, b"v1")
    (model / "model.yaml").write_text(yaml.safe_dump(manifest(first, "2024-06")))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "feat(churn): first model")
    git(repo, "tag", "churn@v1.0.0")
    second = weights(model, total, count, b"v2")
    (model / "model.yaml").write_text(yaml.safe_dump(manifest(second, "2024-07")))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "chore(churn): retrain on July data")
    return repo


def run_once(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run; CPU is user + sys of the process and the git
    processes it waited for (os.wait4), which a loaded machine disturbs far less than wall."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv} failed with {proc.returncode}")
    return wall, usage.ru_utime + usage.ru_stime


def hash_once(model: Path, names: list[str]) -> tuple[float, float]:
    """(wall, CPU) of hashing `names` with releaser's hash_file, in this process."""
    start, cpu = time.perf_counter(), time.process_time()
    for name in names:
        hash_file(model, name)
    return time.perf_counter() - start, time.process_time() - cpu


def timed_rounds(a: list[str], b: list[str], hashing, runs: int) -> tuple[tuple[float, float], ...]:
    """Median (wall, CPU) of `a`, of `b` and of `hashing()`, one of each per round, after a
    warm-up: a shared machine whose speed drifts then slows all three alike."""
    for argv in (a, b):
        run_once(argv)
    hashing()
    times: tuple[list[tuple[float, float]], ...] = ([], [], [])
    for _ in range(runs):
        times[0].append(run_once(a))
        times[1].append(run_once(b))
        times[2].append(hashing())
    return tuple(
        (statistics.median(w for w, _ in t), statistics.median(c for _, c in t)) for t in times
    )


def measure(root: Path, args, mb: int):
    """((wall, CPU) of the code-only plan, of the with-model plan, of hashing) at `mb` MB."""
    repo = build(root, args.commits, mb * 1024 * 1024, args.files)
    configs = {}
    for name, text in (("code-only", CODE), ("with-model", MODEL)):
        configs[name] = root / f"{name}.yml"
        configs[name].write_text(text)
    model = repo / "models/churn"
    names = sorted(p.name for p in model.glob("*.safetensors"))
    subprocess.run(["cat", *names], cwd=model, stdout=subprocess.DEVNULL, check=True)
    plan = [*args.releaser.split(), "plan", "--json", "--repo", str(repo), "--config"]
    return timed_rounds(
        [*plan, str(configs["code-only"])],
        [*plan, str(configs["with-model"])],
        lambda: hash_once(model, names),
        args.runs,
    )


def compile_bytecode() -> None:
    """Write releaser's .pyc files first, as `pip install` does: a run must not compile a
    module the other plan finds compiled (this machine sets PYTHONDONTWRITEBYTECODE)."""
    import compileall

    compileall.compile_dir(str(ROOT / "releaser"), quiet=1)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", default="50,200", help="model sizes in MB, comma-separated")
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--commits", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--releaser", default=str(ROOT / ".venv/bin/releaser"))
    parser.add_argument("--keep", action="store_true", help="keep the fixture, print its path")
    args = parser.parse_args()
    compile_bytecode()
    print(f"commits={args.commits} files={args.files} runs={args.runs} (medians)")
    print("load average before: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(
        "| model | clock | code-only plan | with-model plan | hashing "
        "| with-model - code-only - hashing |"
    )
    print("|---|---|---|---|---|---|")
    held, verdicts = True, []
    for mb in (int(x) for x in args.mb.split(",")):
        root = Path(tempfile.mkdtemp(prefix="releaser-model-plan-bench-"))
        try:
            code, with_model, hashed = measure(root, args, mb)
        finally:
            if args.keep:
                print(f"fixture kept: {root}")
            else:
                shutil.rmtree(root)
        for index, clock in enumerate(("wall", "CPU")):
            rest = with_model[index] - code[index] - hashed[index]
            print(
                f"| {mb} MB | {clock} | {code[index]:.3f} s | {with_model[index]:.3f} s "
                f"| {hashed[index]:.3f} s | {rest * 1000:+.0f} ms |"
            )
        # Wall is the goal (the hashing overlaps the walk in a child); CPU cannot meet it, as
        # every byte is still hashed once, so its column is what a model costs besides that.
        met = with_model[0] <= code[0] + hashed[0]
        held = held and met
        verdicts.append(f"goal at {mb} MB (wall): {'met' if met else 'missed'}")
    print("\n".join(verdicts))
    print("load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return 0 if held else 1


if __name__ == "__main__":
    sys.exit(main())
