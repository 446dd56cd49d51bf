"""Pull requests, reviews, labels and comments on the fake, driven through PyGithub."""

from __future__ import annotations

import pytest
from github import GithubException


@pytest.fixture
def repo(fakegithub):
    fakegithub.commit("main", "chore: initial", {"README.md": "hello\n"})
    fakegithub.branch("release/next")
    fakegithub.commit("release/next", "feat: add widget", {"w.py": "W = 1\n"})
    fakegithub.commit("release/next", "fix: widget bug\n\ndetails", {"w.py": "W = 2\n"})
    return fakegithub.client().get_repo("acme/widgets")


def test_create_list_and_reject_duplicates(fakegithub, repo):
    pr = repo.create_pull(base="main", head="release/next", title="chore: release 1.1.0", body="b")
    assert (pr.number, pr.state, pr.commits, pr.changed_files) == (1, "open", 2, 1)
    assert pr.html_url.endswith("/acme/widgets/pull/1")
    with pytest.raises(GithubException) as exc:
        repo.create_pull(base="main", head="release/next", title="again", body="")
    assert exc.value.status == 422 and "already exists" in str(exc.value)
    with pytest.raises(GithubException) as exc:
        repo.create_pull(base="main", head="nope", title="t", body="")
    assert exc.value.status == 422
    found = list(repo.get_pulls(state="open", head="acme:release/next", base="main"))
    assert [p.number for p in found] == [1]
    assert list(repo.get_pulls(state="closed")) == []
    assert [c.commit.message.splitlines()[0] for c in pr.get_commits()] == [
        "feat: add widget",
        "fix: widget bug",
    ]
    assert [f.filename for f in pr.get_files()] == ["w.py"]


def test_squash_merge_writes_commit_with_bullets(fakegithub, repo):
    pr = repo.create_pull(base="main", head="release/next", title="chore: release 1.1.0", body="")
    old_main = fakegithub.ref_sha("refs/heads/main")
    status = pr.merge(merge_method="squash")
    assert status.merged
    assert fakegithub.log("main", "%H %P") == [f"{status.sha} {old_main}", old_main]
    message = fakegithub.git.text("log", "-1", "--format=%B", "main")
    assert message == "chore: release 1.1.0 (#1)\n\n* feat: add widget\n\n* fix: widget bug"
    assert fakegithub.git.text("show", "main:w.py") == "W = 2"
    pr = repo.get_pull(1)
    assert pr.merged and pr.merge_commit_sha == status.sha and pr.state == "closed"
    assert pr.merged_by.login == fakegithub.user_login and pr.merged_at is not None
    assert [p.number for p in repo.get_commit(status.sha).get_pulls()] == [1]
    with pytest.raises(GithubException) as exc:
        pr.merge()
    assert exc.value.status == 405


def test_squash_with_explicit_title_and_message(fakegithub, repo):
    pr = repo.create_pull(base="main", head="release/next", title="t", body="")
    pr.merge(merge_method="squash", commit_title="chore(main): release 2.0.0", commit_message="")
    assert fakegithub.log("main", "%B")[0] == "chore(main): release 2.0.0"


def test_merge_commit_and_rebase_methods(fakegithub, repo):
    fakegithub.commit("main", "docs: moved on", {"docs.md": "d"})
    pr = repo.create_pull(base="main", head="release/next", title="Release", body="")
    sha = pr.merge(merge_method="merge").sha
    assert len(fakegithub.git.read_commit(sha).parents) == 2
    assert fakegithub.log("main")[0] == "Merge pull request #1 from acme/release/next"
    fakegithub.branch("topic")
    fakegithub.commit("topic", "feat: one", {"one": "1"})
    fakegithub.commit("main", "fix: main again", {"two": "2"})
    second = fakegithub.create_pull("topic", title="feat: one")
    fakegithub.merge_pull(second.number, user="maintainer", method="rebase")
    assert fakegithub.log("main")[:2] == ["feat: one", "fix: main again"]
    assert fakegithub.pulls[second.number].merged_by == "maintainer"


def test_merge_with_stale_sha_conflicts(repo):
    pr = repo.create_pull(base="main", head="release/next", title="t", body="")
    with pytest.raises(GithubException) as exc:
        pr.merge(sha="0" * 40)
    assert exc.value.status == 409


def test_reviews_via_api_and_helper(fakegithub, repo):
    pr = repo.create_pull(base="main", head="release/next", title="t", body="")
    pr.create_review(event="REQUEST_CHANGES", body="no")
    fakegithub.add_review(pr.number, "alice", "APPROVED")
    reviews = list(pr.get_reviews())
    assert [(r.user.login, r.state) for r in reviews] == [
        (fakegithub.user_login, "CHANGES_REQUESTED"),
        ("alice", "APPROVED"),
    ]
    assert reviews[1].commit_id == fakegithub.ref_sha("refs/heads/release/next")
    assert reviews[1].submitted_at is not None


def test_update_title_body_and_close(fakegithub, repo):
    pr = repo.create_pull(base="main", head="release/next", title="t", body="")
    pr.edit(title="chore: release 1.2.0", body="<!-- releaser:{} -->")
    assert fakegithub.pulls[1].title == "chore: release 1.2.0"
    pr.edit(state="closed")
    assert repo.get_pull(1).state == "closed" and not repo.get_pull(1).merged


def test_labels_and_comments(fakegithub, repo):
    repo.create_label("autorelease: pending", "ededed", "waiting")
    with pytest.raises(GithubException) as exc:
        repo.create_label("autorelease: pending", "ededed")
    assert exc.value.status == 422
    pr = repo.create_pull(base="main", head="release/next", title="t", body="")
    pr.add_to_labels("autorelease: pending", "extra")
    assert [lb.name for lb in pr.get_labels()] == ["autorelease: pending", "extra"]
    pr.remove_from_labels("extra")
    assert fakegithub.pulls[1].labels == ["autorelease: pending"]
    assert sorted(lb.name for lb in repo.get_labels()) == ["autorelease: pending", "extra"]
    pr.create_issue_comment("released :tada:")
    assert [c.body for c in pr.get_issue_comments()] == ["released :tada:"]
    assert fakegithub.comments(1) == ["released :tada:"]


def test_pull_list_pagination(fakegithub, repo):
    for i in range(5):
        fakegithub.branch(f"b{i}")
        fakegithub.commit(f"b{i}", f"feat: {i}", {f"f{i}": "x"})
        fakegithub.create_pull(f"b{i}", title=f"pr {i}")
    fakegithub.reset_requests()
    g = fakegithub.client(per_page=2)
    numbers = [p.number for p in g.get_repo("acme/widgets").get_pulls(state="all")]
    assert numbers == [5, 4, 3, 2, 1]
    assert fakegithub.count("GET", r"/pulls$") == 3


def test_a_fork_pr_names_its_own_repository_and_is_listed_by_its_owner(fakegithub, repo):
    from tests.fakegithub.handlers.pulls import fork_ref

    fakegithub.git.update_ref(
        fork_ref("mallory/widgets", "release/next"), fakegithub.ref_sha("refs/heads/release/next")
    )
    fakegithub.git.update_ref("refs/heads/release/next", fakegithub.ref_sha("refs/heads/main"))
    # "user:branch" names the branch of user's fork, as GitHub reads it.
    pr = repo.create_pull(base="main", head="mallory:release/next", title="from a fork", body="")
    assert pr.head.repo.full_name == "mallory/widgets" and pr.head.repo.fork
    assert pr.head.label == "mallory:release/next" and pr.head.user.login == "mallory"
    assert pr.base.repo.full_name == "acme/widgets" and pr.user.type == "User"
    assert pr.commits == 2
    assert [p.number for p in repo.get_pulls(head="mallory:release/next")] == [pr.number]
    assert list(repo.get_pulls(head="acme:release/next")) == []
    merged = fakegithub.merge_pull(pr.number)
    assert fakegithub.ref_sha("refs/heads/main") == merged


def test_author_association_and_bot_accounts(fakegithub, repo):
    fakegithub.add_token("ghs_app", "acme-releaser[bot]")
    by_member = repo.create_pull(base="main", head="release/next", title="t", body="")
    assert (by_member.user.login, by_member.user.type) == ("releaser-bot", "User")
    assert by_member.raw_data["author_association"] == "MEMBER"
    bot = fakegithub.client(token="ghs_app").get_repo("acme/widgets")
    fakegithub.branch("topic")
    fakegithub.commit("topic", "feat: t", {"t.py": "T = 1\n"})
    by_bot = bot.create_pull(base="main", head="topic", title="t", body="")
    assert (by_bot.user.login, by_bot.user.type) == ("acme-releaser[bot]", "Bot")
    by_stranger = fakegithub.create_pull("topic", base="release/next", user="someone")
    assert repo.get_pull(by_stranger.number).raw_data["author_association"] == "CONTRIBUTOR"
