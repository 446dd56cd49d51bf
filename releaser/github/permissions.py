"""What each command needs from GitHub, in GitHub App permission names.

An App installation token is minted with exactly this set (and for the one repository), so a
leaked token can do no more than the run it was minted for. The workflows' `permissions:`
blocks grant the job token the same set for `auto`. A feature that calls a new endpoint adds
its permission here, to the commands that reach it, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping

READ, WRITE = "read", "write"

# The steps a command runs, and what each step's calls need.
_STEPS: Mapping[str, Mapping[str, str]] = {
    # Read the repository, the merged release PRs, their markers and comments.
    "look": {"contents": READ, "pull_requests": READ, "issues": READ},
    # Push the release branch, open/update the release PR, label and comment on it; a model
    # release's gates go in the releaser/model-gates check run on the PR's head.
    "release-pr": {"contents": WRITE, "pull_requests": WRITE, "issues": WRITE, "checks": WRITE},
    # Tag, release, upload assets, label/comment the PR; evidence reads checks and statuses.
    "publish": {
        "contents": WRITE,
        "pull_requests": WRITE,
        "issues": WRITE,
        "checks": READ,
        "statuses": READ,
    },
    # Promotion: download and re-verify the release's evidence, read the tag, the config (when
    # there is no checkout), the environment and the run's approvals (actions), and record the
    # deployment and its statuses.
    "promote": {"contents": READ, "actions": READ, "deployments": WRITE},
    # Break glass: the post-release review issue. Granted only when the run asks for it.
    "break-glass": {"issues": WRITE},
    # A model release's promotion (or its component's rollback) pushes GTO's annotated stage
    # tag `churn#production#N`: a tag object and its ref. Granted only for a model.
    "stage-tag": {"contents": WRITE},
    # The deploy's result: a status on the deployment, `inactive` on the ones it replaced.
    "deployment-status": {"deployments": WRITE},
}

COMMAND_STEPS: Mapping[str, tuple[str, ...]] = {
    "auto": ("look", "release-pr", "publish"),
    "release-pr": ("look", "release-pr"),
    "publish": ("look", "publish"),
    "plan": ("look",),
    "promote": ("promote",),
    "rollback": ("promote",),  # promotes the earlier version, never as break glass
    "deployment-status": ("deployment-status",),
}
# Steps a command runs only when its input asks: command -> ((flag, step), ...). The flags
# are permissions_for's keywords: `break_glass` (the emergency input), `stage_tag` (the
# promoted version, or the rolled-back component, is a model: promote_action decides).
CONDITIONAL_STEPS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "promote": (("break_glass", "break-glass"), ("stage_tag", "stage-tag")),
    "rollback": (("stage_tag", "stage-tag"),),
}


# Writes only some repositories use: `checks` for a model release's check run. An App
# installed with read access to one is asked for read, so a code-only repository keeps
# working; a model release's check run then fails naming the permission to grant.
_OPTIONAL_WRITES = frozenset({"checks"})


def within(wanted: Mapping[str, str], held: Mapping[str, str]) -> dict[str, str]:
    """`wanted`, with an optional write lowered to read where the installation `held` only
    read (asking for more than it holds would have the whole token refused)."""
    out = dict(wanted)
    for name in _OPTIONAL_WRITES:
        if out.get(name) == WRITE and held.get(name) == READ:
            out[name] = READ
    return out


def permissions_for(
    command: str, *, break_glass: bool = False, stage_tag: bool = False
) -> dict[str, str]:
    """The union of what `command`'s steps need, `write` winning over `read`; a conditional
    step (CONDITIONAL_STEPS) counts only when its flag is set."""
    flags = {"break_glass": break_glass, "stage_tag": stage_tag}
    steps = list(COMMAND_STEPS[command])
    steps += [step for flag, step in CONDITIONAL_STEPS.get(command, ()) if flags[flag]]
    out: dict[str, str] = {}
    for step in steps:
        for name, level in _STEPS[step].items():
            if out.get(name) != WRITE:
                out[name] = level
    return dict(sorted(out.items()))
