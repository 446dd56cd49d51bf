"""GitRepo.shas_touching: a component's commits of a range, from the local clone."""

from __future__ import annotations

from releaser.git import GitRepo


def test_commits_touching_a_path_in_a_range(repo):
    repo.commit("chore: init", {"api/a": "1", "web/w": "1"})
    repo.tag("v1.0.0")
    api = repo.commit("feat: api", {"api/a": "2"})
    repo.commit("fix: web", {"web/w": "2"})
    both = repo.commit("chore: both", {"api/a": "3", "web/w": "3"})
    git = GitRepo(repo.path)
    head = git.state().head
    assert git.shas_touching("v1.0.0", head, "api") == {api, both}
    assert len(git.shas_touching(None, head, "web")) == 3  # no base: all of head's history
    assert git.shas_touching("v1.0.0", "0" * 40, "api") is None  # not in this clone
