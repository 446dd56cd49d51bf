"""Pull requests: list/create/update, real merges in the bare repo, commits, files, reviews."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..gitbackend import GitFailure, Person
from ..payloads import iso, node_id, user_id
from ..state import Pull, Review, now
from .common import (
    PULL_BODY_LIMIT,
    ApiError,
    R,
    Request,
    Response,
    check_body,
    not_found,
    ok,
    paginate,
    route,
    unprocessable,
)
from .issues import label_json
from .repos import commit_json, files_json

if TYPE_CHECKING:
    from ..fake import FakeGitHub

GITHUB = ("GitHub", "noreply@github.com")
REVIEW_STATES = {
    "APPROVE": "APPROVED",
    "REQUEST_CHANGES": "CHANGES_REQUESTED",
    "COMMENT": "COMMENTED",
}


def fork_ref(head_repo: str, branch: str) -> str:
    """Where the bare repository keeps a fork's branch (GitHub keeps forks in one network)."""
    return f"refs/forks/{head_repo}/{branch}"


def head_ref(pr: Pull) -> str:
    return fork_ref(pr.head_repo, pr.head) if pr.head_repo else f"refs/heads/{pr.head}"


def head_owner(fake: FakeGitHub, pr: Pull) -> str:
    return pr.head_repo.split("/")[0] if pr.head_repo else fake.owner


def head_sha(fake: FakeGitHub, pr: Pull) -> str:
    return fake.git.resolve(head_ref(pr)) or pr.head_sha if pr.state == "open" else pr.head_sha


def base_sha(fake: FakeGitHub, pr: Pull) -> str:
    return (
        (fake.git.resolve(f"refs/heads/{pr.base}") or pr.base_sha)
        if pr.state == "open"
        else pr.base_sha
    )


def pr_commits(fake: FakeGitHub, pr: Pull) -> list[str]:
    if pr.merged_at is not None:
        return list(pr.commit_shas)
    return list(reversed(fake.git.rev_list(head_sha(fake, pr), f"^{base_sha(fake, pr)}")))


def open_pull(
    fake: FakeGitHub,
    head: str,
    base: str,
    title: str,
    body: str | None,
    user: str,
    draft: bool = False,
    head_repo: str = "",
) -> Pull:
    owner, _, head = head.rpartition(":")
    if owner and owner != fake.owner and not head_repo:
        head_repo = f"{owner}/{fake.repo}"  # "user:branch" names the branch of user's fork
    ref = fork_ref(head_repo, head) if head_repo else f"refs/heads/{head}"
    if fake.git.resolve(ref) is None:
        raise ApiError(
            422,
            "Validation Failed",
            [{"resource": "PullRequest", "field": "head", "code": "invalid"}],
        )
    if fake.git.resolve(f"refs/heads/{base}") is None:
        raise ApiError(
            422,
            "Validation Failed",
            [{"resource": "PullRequest", "field": "base", "code": "invalid"}],
        )
    for pr in fake.state.pulls.values():
        same = pr.head == head and pr.head_repo == head_repo and pr.base == base
        if pr.state == "open" and same:
            raise unprocessable(
                f"A pull request already exists for {owner or fake.owner}:{head}.", "PullRequest"
            )
    if not fake.git.rev_list(ref, f"^refs/heads/{base}"):
        raise unprocessable(f"No commits between {base} and {head}", "PullRequest")
    t = now()
    pr = Pull(
        fake.state.next_number(),
        fake.state.next_id(),
        title,
        body,
        head,
        base,
        user,
        t,
        t,
        draft=draft,
        head_repo=head_repo,
    )
    fake.state.pulls[pr.number] = pr
    return pr


def _tree_of(fake: FakeGitHub, sha: str) -> str:
    return fake.git.read_commit(sha).tree


def merge(
    fake: FakeGitHub,
    pr: Pull,
    user: str,
    method: str,
    title: str | None,
    message: str | None,
    expected_sha: str | None = None,
) -> str:
    if pr.state != "open":
        raise ApiError(405, "Pull Request is not mergeable")
    head, base = head_sha(fake, pr), base_sha(fake, pr)
    if expected_sha and expected_sha != head:
        raise ApiError(409, "Head branch was modified. Review and try the merge again.")
    commits = pr_commits(fake, pr)
    git = fake.git
    stamp = f"{int(now())} +0000"
    committer = Person(*GITHUB, stamp)
    try:
        merged_tree = git.text("merge-tree", "--write-tree", base, head).split()[0]
    except GitFailure as exc:
        raise ApiError(405, "Pull Request is not mergeable") from exc
    if method == "merge":
        msg = f"Merge pull request #{pr.number} from {head_owner(fake, pr)}/{pr.head}"
        msg += f"\n\n{title or pr.title}"
        if message:
            msg = f"{title or msg.splitlines()[0]}\n\n{message}"
        author = Person(user, f"{user}@users.noreply.github.com", stamp)
        new = git.commit_tree(merged_tree, [base, head], msg + "\n", author, committer)
    elif method == "squash":
        subject = title or f"{pr.title} (#{pr.number})"
        body = (
            message
            if message is not None
            else "\n\n".join("* " + git.read_commit(c).message.splitlines()[0] for c in commits)
        )
        first = git.read_commit(commits[0]).author if commits else committer
        author = Person(first.name, first.email, stamp)
        full = f"{subject}\n\n{body}\n" if body else f"{subject}\n"
        new = git.commit_tree(merged_tree, [base], full, author, committer)
    elif method == "rebase":
        new = base
        for c in commits:
            info = git.read_commit(c)
            parent = info.parents[0] if info.parents else None
            tree = _replay(fake, parent, new, c)
            new = git.commit_tree(tree, [new], info.message, info.author, committer)
            pr.landed_shas.append(new)
    else:
        raise unprocessable(f"merge_method {method} is not supported")
    git.update_ref(f"refs/heads/{pr.base}", new, base)
    t = now()
    pr.head_sha, pr.base_sha, pr.commit_shas = head, base, commits
    pr.state, pr.merged_at, pr.closed_at, pr.updated_at = "closed", t, t, t
    pr.merged_by, pr.merge_commit_sha = user, new
    return new


def _replay(fake: FakeGitHub, parent: str | None, onto: str, commit: str) -> str:
    """Tree of `commit`'s change (against parent) applied on top of `onto`."""
    if parent is not None and parent == onto:
        return _tree_of(fake, commit)
    # git 2.39's merge-tree has no --merge-base, so do the three-way merge in a scratch index.
    with tempfile.TemporaryDirectory() as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        base = parent or fake.git.text("hash-object", "-t", "tree", "--stdin", input=b"")
        try:
            fake.git.git("read-tree", "-i", "-m", "--aggressive", base, onto, commit, env=env)
            return fake.git.text("write-tree", env=env)
        except GitFailure as exc:
            raise ApiError(405, "Pull Request is not mergeable") from exc


def _branch_json(fake: FakeGitHub, branch: str, sha: str, fork: str = "") -> dict[str, Any]:
    repo = fake.urls.full_repo(fake.repo_id, fake.default_branch, str(fake.bare_path))
    owner = fake.owner
    if fork:
        repo = _fork_json(fake, repo, fork)
        owner = fork.split("/")[0]
    return {
        "label": f"{owner}:{branch}",
        "ref": branch,
        "sha": sha,
        "user": repo["owner"],
        "repo": repo,
    }


def _fork_json(fake: FakeGitHub, repo: dict[str, Any], fork: str) -> dict[str, Any]:
    """The base repository's payload, moved to the fork `owner/name`."""
    mine = f"{fake.owner}/{fake.repo}"
    out = {k: v.replace(mine, fork) if isinstance(v, str) else v for k, v in repo.items()}
    owner, name = fork.split("/", 1)
    out.update(
        id=fake.repo_id + user_id(fork),
        node_id=node_id("Repository", fake.repo_id + user_id(fork)),
        name=name,
        full_name=fork,
        owner=fake.urls.user(owner),
        fork=True,
    )
    return out


def author_association(fake: FakeGitHub, login: str) -> str:
    """The fake's model: the organization itself is OWNER, every account holding a token for
    this repository is a MEMBER of it, anyone else an outside CONTRIBUTOR."""
    if login == fake.owner:
        return "OWNER"
    if login in fake.state.tokens.values() and not login.endswith("[bot]"):
        return "MEMBER"
    return "CONTRIBUTOR"


def pull_json(fake: FakeGitHub, pr: Pull, full: bool = True) -> dict[str, Any]:
    api, html = fake.urls.repo_api, fake.urls.repo_html
    url, issue = f"{api}/pulls/{pr.number}", f"{api}/issues/{pr.number}"
    head = head_sha(fake, pr)
    out: dict[str, Any] = {
        "url": url,
        "id": pr.id,
        "node_id": node_id("PullRequest", pr.id),
        "html_url": f"{html}/pull/{pr.number}",
        "diff_url": f"{html}/pull/{pr.number}.diff",
        "patch_url": f"{html}/pull/{pr.number}.patch",
        "issue_url": issue,
        "commits_url": f"{url}/commits",
        "review_comments_url": f"{url}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}",
        "comments_url": f"{issue}/comments",
        "statuses_url": f"{api}/statuses/{head}",
        "number": pr.number,
        "state": pr.state,
        "locked": False,
        "title": pr.title,
        "user": fake.urls.user(pr.user),
        "body": pr.body,
        "labels": [
            # pull-request-simple types a label's description as a plain string, not nullable
            {
                **label_json(fake, fake.state.labels[n]),
                "description": fake.state.labels[n].description or "",
            }
            for n in pr.labels
            if n in fake.state.labels
        ],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": iso(pr.created_at),
        "updated_at": iso(pr.updated_at),
        "closed_at": iso(pr.closed_at),
        "merged_at": iso(pr.merged_at),
        "merge_commit_sha": pr.merge_commit_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": _branch_json(fake, pr.head, head, pr.head_repo),
        "base": _branch_json(fake, pr.base, base_sha(fake, pr)),
        "_links": {
            k: {"href": v}
            for k, v in {
                "self": url,
                "html": f"{html}/pull/{pr.number}",
                "issue": issue,
                "comments": f"{issue}/comments",
                "review_comments": f"{url}/comments",
                "review_comment": f"{api}/pulls/comments{{/number}}",
                "commits": f"{url}/commits",
                "statuses": f"{api}/statuses/{head}",
            }.items()
        },
        "author_association": author_association(fake, pr.user),
        "auto_merge": None,
        "draft": pr.draft,
    }
    if full:
        commits = pr_commits(fake, pr)
        files = fake.git.diff_files(base_sha(fake, pr), head) if pr.merged_at is None else []
        out.update(
            merged=pr.merged_at is not None,
            mergeable=pr.state == "open" or None,
            rebaseable=pr.state == "open" or None,
            mergeable_state="clean",
            merged_by=fake.urls.user(pr.merged_by) if pr.merged_by else None,
            comments=sum(1 for c in fake.state.comments if c.issue == pr.number),
            review_comments=0,
            maintainer_can_modify=False,
            commits=len(commits),
            additions=sum(int(f["additions"]) for f in files),
            deletions=sum(int(f["deletions"]) for f in files),
            changed_files=len(files),
        )
    return out


def _pull(req: Request) -> Pull:
    pr = req.fake.state.pulls.get(int(req.params["pull_number"]))
    if pr is None:
        raise not_found()
    return pr


@route("GET", R + "/pulls")
def list_pulls(req: Request) -> Response:
    state, head, base = req.q("state", "open"), req.q("head"), req.q("base")
    rows = [p for p in req.fake.state.pulls.values() if state == "all" or p.state == state]
    if head:
        owner, _, branch = head.partition(":")
        rows = [p for p in rows if p.head == branch and owner == head_owner(req.fake, p)]
    if base:
        rows = [p for p in rows if p.base == base]
    key = (lambda p: p.updated_at) if req.q("sort") == "updated" else (lambda p: p.number)
    rows.sort(key=key, reverse=req.q("direction", "desc") == "desc")
    resp = paginate(req, rows)
    resp.body = [pull_json(req.fake, p, full=False) for p in resp.body]
    return resp


@route("POST", R + "/pulls")
def create_pull(req: Request) -> Response:
    check_body(req.json("body"), PULL_BODY_LIMIT, "PullRequest")
    pr = open_pull(
        req.fake,
        req.json("head"),
        req.json("base"),
        req.json("title"),
        req.json("body"),
        req.login,
        bool(req.json("draft", False)),
    )
    return ok(pull_json(req.fake, pr), 201)


@route("GET", R + "/pulls/{pull_number}")
def get_pull(req: Request) -> Response:
    return ok(pull_json(req.fake, _pull(req)))


@route("PATCH", R + "/pulls/{pull_number}")
def update_pull(req: Request) -> Response:
    pr = _pull(req)
    check_body(req.json("body"), PULL_BODY_LIMIT, "PullRequest")
    for field in ("title", "body", "base"):
        if req.json(field) is not None:
            setattr(pr, field, req.json(field))
    state = req.json("state")
    if state == "closed" and pr.state == "open":
        pr.head_sha, pr.base_sha = head_sha(req.fake, pr), base_sha(req.fake, pr)
        pr.state, pr.closed_at = "closed", now()
    elif state == "open" and pr.state == "closed" and pr.merged_at is None:
        pr.state, pr.closed_at = "open", None
    pr.updated_at = now()
    return ok(pull_json(req.fake, pr))


@route("PUT", R + "/pulls/{pull_number}/merge")
def merge_pull(req: Request) -> Response:
    pr = _pull(req)
    sha = merge(
        req.fake,
        pr,
        req.login,
        req.json("merge_method", "merge"),
        req.json("commit_title"),
        req.json("commit_message"),
        req.json("sha"),
    )
    return ok({"sha": sha, "merged": True, "message": "Pull Request successfully merged"})


@route("GET", R + "/pulls/{pull_number}/commits")
def pull_commits(req: Request) -> Response:
    resp = paginate(req, pr_commits(req.fake, _pull(req)), maximum=250)
    resp.body = [commit_json(req.fake, s) for s in resp.body]
    return resp


@route("GET", R + "/pulls/{pull_number}/files")
def pull_files(req: Request) -> Response:
    pr = _pull(req)
    head = head_sha(req.fake, pr)
    base = req.fake.git.merge_base(base_sha(req.fake, pr), head)
    return paginate(req, files_json(req.fake, base, head))


def review_json(fake: FakeGitHub, r: Review) -> dict[str, Any]:
    api, html = fake.urls.repo_api, fake.urls.repo_html
    page = f"{html}/pull/{r.pull}#pullrequestreview-{r.id}"
    return {
        "id": r.id,
        "node_id": node_id("PullRequestReview", r.id),
        "user": fake.urls.user(r.user, "Bot" if r.user.endswith("[bot]") else "User"),
        "body": r.body,
        "state": r.state,
        "html_url": page,
        "pull_request_url": f"{api}/pulls/{r.pull}",
        "_links": {"html": {"href": page}, "pull_request": {"href": f"{api}/pulls/{r.pull}"}},
        "submitted_at": iso(r.submitted_at),
        "commit_id": r.commit_id,
        "author_association": r.association,
    }


@route("GET", R + "/pulls/{pull_number}/reviews")
def list_reviews(req: Request) -> Response:
    pr = _pull(req)
    resp = paginate(req, [r for r in req.fake.state.reviews if r.pull == pr.number])
    resp.body = [review_json(req.fake, r) for r in resp.body]
    return resp


@route("POST", R + "/pulls/{pull_number}/reviews")
def create_review(req: Request) -> Response:
    pr = _pull(req)
    event = req.json("event")
    state = REVIEW_STATES.get(event, "PENDING") if event else "PENDING"
    review = Review(
        req.fake.state.next_id(),
        pr.number,
        req.login,
        state,
        req.json("body", ""),
        req.json("commit_id") or head_sha(req.fake, pr),
        now(),
    )
    req.fake.state.reviews.append(review)
    return ok(review_json(req.fake, review))


@route("GET", R + "/commits/{commit_sha}/pulls")
def pulls_for_commit(req: Request) -> Response:
    fake = req.fake
    sha = fake.git.resolve_commit(req.params["commit_sha"])
    if sha is None:
        raise ApiError(422, f"No commit found for SHA: {req.params['commit_sha']}")
    rows = [
        p
        for p in fake.state.pulls.values()
        # GitHub associates the rebased copies of a rebase merge with the PR as well.
        if p.merge_commit_sha == sha or sha in pr_commits(fake, p) or sha in p.landed_shas
    ]
    resp = paginate(req, sorted(rows, key=lambda p: p.number))
    resp.body = [pull_json(fake, p, full=False) for p in resp.body]
    return resp
