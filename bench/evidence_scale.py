"""Evidence at scale: 1,000 commits and 300 reviewed PRs, gathered through the real adapter
against the spec-validated fake GitHub with the production read pacing.

    .venv/bin/python bench/evidence_scale.py [--squash 200] [--merges 100] [--per-merge 7]

Prints a Markdown block for bench/RESULTS.md: requests, reads in the busiest 60 s window,
time spent pacing, and wall time.
"""

from __future__ import annotations

import argparse
import bisect
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from releaser.domain.evidence import approval_covers_head  # noqa: E402
from releaser.domain.release_pr import PlannedRelease  # noqa: E402
from releaser.evidence.collect import EvidenceSettings, collect, run_info  # noqa: E402
from releaser.github import GitHub, ReleaseInfo  # noqa: E402
from releaser.pacing import WINDOW, ReadPacer  # noqa: E402
from tests.evidence_history import merged_prs  # noqa: E402
from tests.fakegithub.fake import FakeGitHub  # noqa: E402


class RecordingPacer(ReadPacer):
    def __init__(self) -> None:
        super().__init__()
        self.stamps: list[float] = []

    def take(self) -> None:
        super().take()
        self.stamps.append(time.monotonic())


def busiest_window(stamps: list[float]) -> int:
    return max(
        (bisect.bisect_left(stamps, t + WINDOW) - i for i, t in enumerate(stamps)), default=0
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squash", type=int, default=200)
    parser.add_argument("--merges", type=int, default=100)
    parser.add_argument("--per-merge", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fake = FakeGitHub(Path(tmp) / "fake").start()
        try:
            fake.commit("main", "chore: init", {"README.md": "x\n"})
            fake.tag("v1.0.0")
            started = time.monotonic()
            merged_prs(fake, args.squash, args.merges, args.per_merge)
            built = time.monotonic() - started
            head = fake.ref_sha("refs/heads/main")
            commits = len(fake.log(f"v1.0.0..{head}"))
            gh = GitHub(fake.token, fake.api_url, fake.full_name, write_interval=1.0)
            pacer = RecordingPacer()
            gh._pacer = pacer
            server = fake.api_url.rsplit("/api/", 1)[0]
            settings = EvidenceSettings(
                workspace=Path(tmp),
                server_url=server,
                repository=fake.full_name,
                target="main",
                run=run_info({}, server, fake.full_name, "2026-12-01T00:00:00Z"),
            )
            planned = PlannedRelease("", ".", "2.0.0", "v2.0.0", "v1.0.0", "notes\n")
            release = ReleaseInfo(1, "v2.0.0", True, "", "", (), "2026-12-01T00:00:00Z")
            fake.reset_requests()
            started = time.monotonic()
            facts, _, _ = collect(gh, settings, planned, head, release)
            wall = time.monotonic() - started
            calls = fake.reset_requests()
            if fake.violations:
                print("\n".join(fake.violations), file=sys.stderr)
                return 1
        finally:
            fake.stop()
    prs = len(facts.pull_requests)
    approved = sum(approval_covers_head(p) for p in facts.pull_requests)
    writes = sum(1 for c in calls if c.method != "GET")
    day = time.strftime("%Y-%m-%d", time.gmtime())
    print(f"## Evidence at scale ({day}, bench/evidence_scale.py)\n")
    print(
        f"History: {commits} commits in {prs} PRs ({args.squash} squash-merged, {args.merges} "
        f"merge commits of {args.per_merge} commits each), every PR approved; fixture built in "
        f"{built:.0f} s.\n"
    )
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| requests (all reads; {writes} writes) | {len(calls)} |")
    print(f"| requests per PR | {len(calls) / prs:.2f} |")
    print(
        f"| reads in the busiest 60 s window | {busiest_window(pacer.stamps)}"
        f" (limit {pacer.per_minute}; GitHub's secondary limit 900 points) |"
    )
    print(f"| time held back by pacing | {pacer.waited:.1f} s |")
    print(f"| wall time | {wall:.1f} s |")
    print(
        f"| PRs found / approved at head / direct pushes | {prs} / {approved}"
        f" / {len(facts.direct_pushes)} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
