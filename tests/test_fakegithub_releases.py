"""Releases and assets on the fake: tag creation, drafts, uploads through the uploads host."""

from __future__ import annotations

import hashlib

import pytest
import requests
from github import GithubException


@pytest.fixture
def repo(fakegithub):
    fakegithub.commit("main", "chore: initial", {"README.md": "hello\n"})
    return fakegithub.client().get_repo("acme/widgets")


def test_publishing_creates_missing_tag_at_target(fakegithub, repo):
    head = fakegithub.ref_sha("refs/heads/main")
    rel = repo.create_git_release("v1.0.0", "v1.0.0", "notes", target_commitish="main")
    assert fakegithub.tags() == {"v1.0.0": head}
    assert rel.upload_url.startswith(f"{fakegithub.urls.uploads}/repos/acme/widgets/releases/")
    assert repo.get_release("v1.0.0").id == rel.id == repo.get_latest_release().id
    with pytest.raises(GithubException) as exc:
        repo.create_git_release("v1.0.0", "dup", "")
    assert exc.value.status == 422


def test_draft_is_hidden_by_tag_until_published(fakegithub, repo):
    draft = repo.create_git_release("v2.0.0", "v2.0.0", "n", draft=True)
    assert "v2.0.0" not in fakegithub.tags()
    with pytest.raises(GithubException) as exc:
        repo.get_release("v2.0.0")
    assert exc.value.status == 404
    assert [r.tag_name for r in repo.get_releases()] == ["v2.0.0"]
    assert draft.published_at is None
    published = draft.update_release("v2.0.0", "body", draft=False)
    assert published.published_at is not None and not published.draft
    assert "v2.0.0" in fakegithub.tags()
    assert repo.get_release("v2.0.0").id == draft.id


def test_asset_upload_download_duplicate_delete(fakegithub, repo):
    rel = repo.create_git_release("v1.0.0", "v1.0.0", "notes")
    data = b"\x00evidence\xff" * 100
    asset = rel.upload_asset_from_memory(data, len(data), "evidence.json", "application/json")
    assert asset.size == len(data) and asset.content_type == "application/json"
    assert asset.digest == "sha256:" + hashlib.sha256(data).hexdigest()
    assert fakegithub.count("POST", r"/releases/\d+/assets$") == 1
    _, _, chunks = asset.download_asset(chunk_size=None)
    assert b"".join(chunks) == data
    public = requests.get(asset.browser_download_url, timeout=5)
    assert public.content == data
    with pytest.raises(GithubException) as exc:
        rel.upload_asset_from_memory(b"x", 1, "evidence.json")
    assert exc.value.status == 422
    assert [a.name for a in rel.get_assets()] == ["evidence.json"]
    assert fakegithub.release_by_tag("v1.0.0").assets[0].data == data
    asset.delete_asset()
    assert list(repo.get_release(rel.id).get_assets()) == []


def test_upload_asset_from_file(fakegithub, repo, tmp_path):
    path = tmp_path / "notes.md"
    path.write_text("# notes\n")
    rel = repo.create_git_release("v1.0.1", "v1.0.1", "")
    asset = rel.upload_asset(str(path), label="Notes", content_type="text/markdown")
    assert (asset.name, asset.label) == ("notes.md", "Notes")
    assert fakegithub.releases[rel.id].assets[0].data == b"# notes\n"


def test_delete_release_keeps_tag_and_latest_skips_prereleases(fakegithub, repo):
    stable = repo.create_git_release("v1.0.0", "v1.0.0", "")
    fakegithub.commit("main", "feat: more", {"m": "1"})
    repo.create_git_release("v1.1.0-rc.1", "rc", "", prerelease=True)
    assert repo.get_latest_release().id == stable.id
    stable.delete_release()
    assert "v1.0.0" in fakegithub.tags() and stable.id not in fakegithub.releases
    with pytest.raises(GithubException):
        repo.get_latest_release()
