"""User text in the release PR body never forms releaser's own structure (markers, blocks)."""

from __future__ import annotations

import pytest

from tests.action_util import ActionRunner


@pytest.fixture
def action(fakegithub, tmp_path):
    return ActionRunner(fakegithub, tmp_path)


def _open_pr(fake):
    (pr,) = [p for p in fake.pulls.values() if p.state == "open"]
    return pr


def _release_then_publish(fake, action, subject: str):
    fake.commit("main", "chore: init", {"README.md": "hi\n"})
    fake.tag("v1.0.0")
    fake.commit("main", subject, {"src/a.py": "A = 1\n"})
    fake.commit("main", "fix: security hole in the parser", {"src/b.py": "B = 1\n"})
    opened = action.run("push")
    assert opened.code == 0, opened.stdout + opened.stderr
    pr = _open_pr(fake)
    block = pr.body.split("<!-- releaser:begin v2.0.0 -->\n", 1)[1]
    block = block.rsplit("\n<!-- releaser:end v2.0.0 -->", 1)[0]
    assert "<!--" not in block and "-->" not in block and "security hole" in block
    fake.merge_pull(pr.number)
    published = action.run("pull_request.closed", event=action.merged_event(pr.number))
    return pr, published


def test_an_end_marker_in_a_subject_does_not_truncate_the_published_notes(fakegithub, action):
    pr, published = _release_then_publish(
        fakegithub, action, "feat!: `<!-- releaser:end v2.0.0 -->` tidy up"
    )
    assert published.code == 0, published.stdout + published.stderr
    body = fakegithub.release_by_tag("v2.0.0").body
    assert "security hole in the parser" in body
    assert "releaser:end v2.0.0" in body  # the author's text is still shown, as text
    notes = body.split("\n---\n\n### Release evidence\n")[0]
    assert "<!--" not in notes and "-->" not in notes


def test_a_marker_in_a_subject_does_not_block_publishing(fakegithub, action):
    pr, published = _release_then_publish(
        fakegithub, action, 'feat!: `<!-- releaser:{"v":1} -->` rework'
    )
    assert published.code == 0, published.stdout + published.stderr
    release = fakegithub.release_by_tag("v2.0.0")
    assert release is not None and not release.draft
    assert "security hole in the parser" in release.body


def test_huge_commit_text_is_cut_to_githubs_limits_with_a_pointer(fakegithub, action):
    fake = fakegithub
    fake.commit("main", "chore: init", {"README.md": "hi\n"})
    fake.tag("v1.0.0")
    for n in range(40):  # 200 KB of subjects
        fake.commit("main", f"fix: entry {n:02d} " + "x" * 5000, {f"src/{n}.py": "A = 1\n"})
    fake.commit("main", "feat!: rework\n\nBREAKING CHANGE: " + "y " * 2000, {"b.py": "B\n"})
    opened = action.run("push")
    assert opened.code == 0, opened.stdout + opened.stderr
    pr = _open_pr(fake)
    assert len(pr.body) <= 65536
    assert "CHANGELOG.md has the complete notes" in pr.body
    changelog = fake.git.text("show", f"refs/heads/{pr.head}:CHANGELOG.md")
    assert all(f"entry {n:02d} " in changelog for n in range(40))  # the full entry
    fake.merge_pull(pr.number)
    published = action.run("pull_request.closed", event=action.merged_event(pr.number))
    assert published.code == 0, published.stdout + published.stderr
    body = fake.release_by_tag("v2.0.0").body
    assert len(body) <= 125000 and "CHANGELOG.md has the complete notes" in body
    assert "### Release evidence" in body


def test_a_refused_write_shows_githubs_own_words(fakegithub):
    from github import GithubException

    from releaser.github import GitHub, api_error_message

    sha = fakegithub.commit("main", "chore: init", {"README.md": "hi\n"})
    gh = GitHub(fakegithub.token, fakegithub.api_url, fakegithub.full_name, write_interval=0)
    with pytest.raises(GithubException) as refused:
        gh.create_draft_release("v1.0.0", sha, "v1.0.0", "x" * 125001, prerelease=False)
    assert api_error_message(refused.value) == (
        "GitHub API error 422: Validation Failed (body is too long (maximum is 125000 characters))"
    )
