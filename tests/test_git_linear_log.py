"""The `git log HEAD` shortcut: exactly `since..HEAD` on a line of history, else it gives up."""

from __future__ import annotations

from releaser.git import GitRepo


def shas(commits) -> list[str]:
    return [c.sha for c in commits]


def test_linear_history_reaches_the_tag_with_the_range_commits(repo):
    repo.commit("chore: init")
    repo.tag("v1.0.0")
    for n in range(5):
        repo.commit(f"fix: {n}")
    git = GitRepo(repo.path)
    since = git.all_tags()["v1.0.0"]
    line = git.linear_log(since)
    assert shas(line) == shas(git.log(since))
    assert line.reached


def test_a_merge_before_the_tag_stops_the_shortcut(repo):
    repo.commit("chore: init")
    repo.tag("v1.0.0")
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("feat: side", {"side.txt": "s\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("fix: main")
    repo.git("merge", "-q", "--no-ff", "side", "-m", "Merge branch 'side'")
    repo.commit("fix: after")
    git = GitRepo(repo.path)
    line = git.linear_log(git.all_tags()["v1.0.0"])
    seen = shas(line)
    assert not line.reached
    assert seen == [repo.head()]  # stopped at the merge, which it does not yield


def test_a_tag_off_the_line_is_never_reached(repo):
    repo.commit("chore: init")
    repo.git("checkout", "-q", "-b", "release")
    repo.commit("fix: backport", {"r.txt": "r\n"})
    repo.tag("v2.0.0")
    repo.git("checkout", "-q", "main")
    repo.commit("feat: next")
    git = GitRepo(repo.path)
    line = git.linear_log(git.all_tags()["v2.0.0"])
    assert len(shas(line)) == 1 and not line.reached  # stopped at the root, unyielded


def test_prefetched_log_is_used_once_then_closed(repo):
    for n in range(3):
        repo.commit(f"feat: {n}")
    git = GitRepo(repo.path)
    git.prefetch()
    assert git._prefetched is not None
    assert len(shas(git.log(None))) == 3
    assert git._prefetched is None
    git.prefetch()
    git.close()  # nobody read it: close stops git
    assert git._prefetched is None
    assert len(shas(git.log(None))) == 3  # a fresh process
