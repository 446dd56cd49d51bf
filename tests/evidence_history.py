"""Histories of reviewed, merged PRs in the fake GitHub, for evidence request counts and bench."""

from __future__ import annotations


def merged_prs(
    fake, squash: int, merges: int = 0, commits_per_merge: int = 1, rebases: int = 0
) -> list[int]:
    """`squash` squash-merged PRs, then `merges` merge-commit PRs and `rebases` rebase-merged
    PRs of `commits_per_merge` commits each; every PR approved by a second person. Returns the
    PR numbers."""
    numbers = []
    for i in range(squash + merges + rebases):
        branch = f"change-{i}"
        fake.branch(branch)
        kind = "feat" if i % 3 == 0 else "fix"
        per = 1 if i < squash else commits_per_merge
        for j in range(per):
            fake.commit(branch, f"{kind}: change {i}.{j}", {f"src/m{i}_{j}.txt": f"{i}.{j}\n"})
        pr = fake.create_pull(branch, "main", f"{kind}: change {i}", user=f"dev{i % 5}")
        fake.add_review(pr.number, "reviewer", "APPROVED")
        method = "squash" if i < squash else "merge" if i < squash + merges else "rebase"
        fake.merge_pull(pr.number, method=method)
        numbers.append(pr.number)
    return numbers
