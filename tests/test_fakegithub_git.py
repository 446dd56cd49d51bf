"""The fake's git-backed endpoints, driven through PyGithub: Git Data API, commits, compare."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import requests
from github import GithubException, InputGitAuthor, InputGitTreeElement


@pytest.fixture
def repo(fakegithub):
    fakegithub.commit("main", "chore: initial", {"README.md": "hello\n", "src/a.py": "A = 1\n"})
    return fakegithub.client().get_repo("acme/widgets")


def test_git_data_commit_flow_updates_branch_in_bare_repo(fakegithub, repo):
    base = repo.get_git_ref("heads/main").object.sha
    blob = repo.create_git_blob("new file\n", "utf-8")
    tree = repo.create_git_tree(
        [InputGitTreeElement("docs/new.md", "100644", "blob", sha=blob.sha)],
        base_tree=repo.get_git_tree(base),
    )
    author = InputGitAuthor("Rel Bot", "rel@example.com", "2024-05-01T12:00:00Z")
    commit = repo.create_git_commit("docs: add", tree, [repo.get_git_commit(base)], author)
    repo.get_git_ref("heads/main").edit(commit.sha)
    assert fakegithub.ref_sha("refs/heads/main") == commit.sha
    assert fakegithub.log("main", "%s|%an|%aI") == [
        "docs: add|Rel Bot|2024-05-01T12:00:00+00:00",
        fakegithub.log("main~1", "%s|%an|%aI")[0],
    ]
    shown = fakegithub.git.text("show", f"{commit.sha}:docs/new.md")
    assert shown == "new file"
    paths = {e.path for e in repo.get_git_tree(commit.sha, recursive=True).tree}
    assert paths == {"README.md", "src", "src/a.py", "docs", "docs/new.md"}


def test_tree_entry_with_null_sha_deletes_and_content_creates(fakegithub, repo):
    base = repo.get_branch("main").commit.sha
    r = requests.post(
        f"{fakegithub.api_url}/repos/acme/widgets/git/trees",
        headers={"Authorization": f"token {fakegithub.token}"},
        json={
            "base_tree": base,
            "tree": [
                {"path": "src/a.py", "mode": "100644", "type": "blob", "sha": None},
                {"path": "b.txt", "mode": "100644", "type": "blob", "content": "bee"},
            ],
        },
        timeout=5,
    )
    assert r.status_code == 201, r.text
    assert sorted(e["path"] for e in r.json()["tree"]) == ["README.md", "b.txt"]


def test_base64_blob_round_trip(repo):
    blob = repo.create_git_blob("AAEC/w==", "base64")
    got = repo.get_git_blob(blob.sha)
    assert got.size == 4 and got.encoding == "base64"
    import base64

    assert base64.b64decode(got.content) == b"\x00\x01\x02\xff"


def test_ref_rules_exist_fast_forward_force_and_delete(fakegithub, repo):
    main = repo.get_branch("main").commit.sha
    repo.create_git_ref("refs/heads/feature/x", main)
    with pytest.raises(GithubException) as exc:
        repo.create_git_ref("refs/heads/feature/x", main)
    assert exc.value.status == 422 and "Reference already exists" in str(exc.value)
    ahead = fakegithub.commit("feature/x", "feat: x", {"x": "1"})
    other = fakegithub.commit("side", "chore: unrelated root", {"y": "2"})
    ref = repo.get_git_ref("heads/feature/x")  # multi-segment ref in the path
    assert ref.object.sha == ahead
    with pytest.raises(GithubException) as exc:
        ref.edit(other)
    assert exc.value.status == 422 and "fast forward" in str(exc.value)
    ref.edit(other, force=True)
    assert fakegithub.ref_sha("refs/heads/feature/x") == other
    assert [r.ref for r in repo.get_git_matching_refs("heads/feature")] == ["refs/heads/feature/x"]
    ref.delete()
    assert "feature/x" not in fakegithub.branches()
    with pytest.raises(GithubException) as exc:
        repo.get_git_ref("heads/feature/x")
    assert exc.value.status == 404


def test_annotated_tag_object_and_ref(fakegithub, repo):
    head = repo.get_branch("main").commit.sha
    tag = repo.create_git_tag("v1.0.0", "Release v1.0.0", head, "commit")
    repo.create_git_ref("refs/tags/v1.0.0", tag.sha)
    assert fakegithub.git.text("cat-file", "-t", "v1.0.0") == "tag"
    assert fakegithub.tags() == {"v1.0.0": head}
    again = repo.get_git_tag(tag.sha)
    assert (again.tag, again.object.sha, again.message) == ("v1.0.0", head, "Release v1.0.0\n")
    assert [t.name for t in repo.get_tags()] == ["v1.0.0"]


def test_commit_list_pagination_follows_link_headers(fakegithub, repo):
    for i in range(7):
        fakegithub.commit("main", f"fix: {i}", {"n.txt": str(i)})
    g = fakegithub.client(per_page=3)
    commits = list(g.get_repo("acme/widgets").get_commits())
    assert [c.commit.message for c in commits][:2] == ["fix: 6", "fix: 5"]
    assert len(commits) == 8
    assert fakegithub.count("GET", r"/commits$") == 3  # 8 commits at 3 per page
    r = requests.get(
        f"{fakegithub.api_url}/repos/acme/widgets/commits?per_page=3&page=2",
        headers={"Authorization": f"Bearer {fakegithub.token}"},
        timeout=5,
    )
    assert 'rel="next"' in r.headers["Link"] and 'rel="prev"' in r.headers["Link"]


def test_compare_orders_oldest_first_and_paginates(fakegithub, repo):
    fakegithub.branch("topic")
    shas = [fakegithub.commit("topic", f"feat: {i}", {f"f{i}": "x"}) for i in range(5)]
    cmp = repo.compare("main", "topic")
    assert (cmp.status, cmp.ahead_by, cmp.behind_by, cmp.total_commits) == ("ahead", 5, 0, 5)
    assert [c.sha for c in cmp.commits] == shas  # PyGithub pages through with per_page
    assert {f.filename for f in cmp.files} == {f"f{i}" for i in range(5)}
    fakegithub.commit("main", "fix: main moved", {"m": "1"})
    assert repo.compare("main", "topic").status == "diverged"
    assert repo.compare("topic", "topic").status == "identical"


def test_commit_detail_contents_and_branch(fakegithub, repo):
    sha = fakegithub.commit("main", "feat: two\n\nbody", {"src/a.py": "A = 2\n", "new": "n"})
    c = repo.get_commit("main")
    assert c.sha == sha and c.commit.message == "feat: two\n\nbody"
    assert sorted((f.filename, f.status) for f in c.files) == [
        ("new", "added"),
        ("src/a.py", "modified"),
    ]
    assert repo.get_contents("src/a.py", ref=sha).decoded_content == b"A = 2\n"
    assert repo.get_contents("src/a.py", ref="main~1").decoded_content == b"A = 1\n"
    assert repo.get_branch("main").commit.sha == sha
    with pytest.raises(GithubException):
        repo.get_contents("missing.txt")


def test_push_from_local_clone_and_clone_back(fakegithub, tmp_path: Path):
    local = tmp_path / "local"
    env_cmd = ["git", "-C", str(local), "-c", "user.name=T", "-c", "user.email=t@e.x"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(local)], check=True)
    (local / "f.txt").write_text("one\n")
    subprocess.run([*env_cmd, "add", "f.txt"], check=True)
    subprocess.run([*env_cmd, "commit", "-q", "-m", "feat: pushed"], check=True)
    subprocess.run([*env_cmd, "tag", "v0.1.0"], check=True)
    fakegithub.push_from(local)
    assert fakegithub.log("main") == ["feat: pushed"]
    assert "v0.1.0" in fakegithub.tags()
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", fakegithub.clone_url, str(clone)], check=True)
    assert (clone / "f.txt").read_text() == "one\n"
