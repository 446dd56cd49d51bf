"""Vendor a few webhook payloads from npm @octokit/webhooks-examples into tests/fakegithub/events/.

Picks: a branch push, a closed pull_request, a workflow_dispatch. (The package has no schedule
example; tests/fakegithub/events.py derives one.)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@octokit/webhooks-examples"
VERSION = "7.6.1"
MEMBER = "package/api.github.com/index.json"
OUT = Path(__file__).resolve().parents[1] / "tests" / "fakegithub" / "events"


def pick(by_name: dict[str, list[dict]]) -> dict[str, dict]:
    push = next(
        (e for e in by_name["push"] if e["ref"].startswith("refs/heads/") and e.get("head_commit")),
        next(e for e in by_name["push"] if e["ref"].startswith("refs/heads/")),
    )
    closed = next(e for e in by_name["pull_request"] if e.get("action") == "closed")
    dispatch = by_name["workflow_dispatch"][0]
    return {"push": push, "pull_request.closed": closed, "workflow_dispatch": dispatch}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, help="an already unpacked api.github.com/index.json")
    parser.add_argument("--version", default=VERSION)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if args.source:
        data = json.loads(args.source.read_text(encoding="utf-8"))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                ["npm", "pack", f"{PACKAGE}@{args.version}", "--silent"], cwd=tmp, check=True
            )
            (tgz,) = Path(tmp).glob("*.tgz")
            with tarfile.open(tgz) as tar:
                member = tar.extractfile(MEMBER)
                assert member is not None, MEMBER
                data = json.load(member)
    by_name = {entry["name"]: entry["examples"] for entry in data}
    args.out.mkdir(parents=True, exist_ok=True)
    for kind, payload in pick(by_name).items():
        (args.out / f"{kind}.json").write_text(json.dumps(payload, indent=2) + "\n", "utf-8")
    source = {
        "package": PACKAGE,
        "version": args.version,
        "file": "api.github.com/index.json",
        "license": "MIT (octokit contributors)",
        "generator": "scripts/extract_webhook_examples.py",
    }
    (args.out / "SOURCE.json").write_text(json.dumps(source, indent=2) + "\n", "utf-8")
    print(f"wrote {sorted(p.name for p in args.out.glob('*.json'))}")


if __name__ == "__main__":
    main()
