"""`command: promote | deployment-status | rollback` inside the Action: the Action's settings
and token handed to releaser.promote (the one implementation the CLI runs too), its result
as outputs, one log line and the job summary.

Everything a user typed (tag, environment, reason, component) is collapsed to one line and
follows a fixed prefix in the log, so it never forms a workflow command, and is escaped in
the summary, so it never forms Markdown structure, HTML or a mention.
"""

from __future__ import annotations

from releaser import promote as p
from releaser.actions import Runner
from releaser.config import Component
from releaser.domain.markdown import escape_inline
from releaser.settings import PromotionInputs, Settings
from releaser.workspace import load_config


def _line(text: str) -> str:
    return " ".join(str(text).split())


def _md(text: object) -> str:
    return escape_inline(_line(str(text)))


def _settings(settings: Settings, token: str) -> p.Settings:
    return p.Settings(
        token=token,
        api_url=settings.api_url,
        repository=settings.repository,
        workspace=settings.workspace,
        actor=settings.run.actor,
        run_id=settings.run_id,
        write_interval=settings.write_interval,
        retry_scale=settings.timing.scale,
    )


def _gto_component(component: Component) -> bool:
    """Its releases are GTO's `{name}@v{version}` tags, which promote records as a model's
    (a `type: model` component's by default)."""
    name = component.policy.name
    return bool(name) and (
        component.model is not None or component.policy.tag_prefix == f"{name}@v"
    )


def pushes_stage_tag(settings: Settings, token: str) -> bool:
    """Whether this promote or rollback pushes GTO's stage tag (so its App token needs
    contents: write): the promoted tag is `{name}@v{semver}` of a model component in the
    config (read as the promotion reads it, with `token`), or the rolled-back component is
    one. A wrong guess refuses nothing: the promotion decides again from the evidence, and a
    stage tag the token cannot push fails that run before anything is left in progress."""
    import semver

    inputs = settings.promotion
    if inputs is None or settings.command not in ("promote", "rollback"):
        return False
    config = load_config(settings, p.client(_settings(settings, token))).config
    models = [c for c in config.components if _gto_component(c)]
    if settings.command == "rollback":
        return inputs.component in {c.policy.name for c in models}
    # The tag is a model's release: GTO's `{name}@v{version}`, or the model's own tag prefix.
    name, at, version = inputs.tag.rpartition("@v")
    if at and name in {c.policy.name for c in models} and semver.Version.is_valid(version):
        return True
    return any(c.model is not None and c.policy.version_of(inputs.tag) for c in models)


def promotion(settings: Settings, runner: Runner, token: str) -> tuple[dict[str, str], str]:
    """Run the promotion command; (outputs, job summary)."""
    inputs = settings.promotion
    assert inputs is not None  # from_env sets it for the promotion commands
    ps = _settings(settings, token)
    gh = p.client(ps)
    if settings.command == "deployment-status":
        return _status(gh, settings, runner, inputs)
    config = load_config(settings, gh).config
    policies = config.environments
    models = frozenset(c.policy.name for c in config.components if c.model is not None)
    if settings.command == "rollback":
        p.policy_for(policies, inputs.environment)  # an unknown environment: before any read
        request = p.rollback_request(gh, inputs.environment, inputs.component)
    else:
        request = p.Promotion(
            inputs.tag, inputs.environment, inputs.strategy, inputs.reason, inputs.emergency
        )
    result = p.promote(gh, ps, policies, request, settings.now, model_components=models)
    outputs = {k: str(v) for k, v in result.items()}
    deployment = outputs["deployment_id"]
    verb = "rolled back to" if settings.command == "rollback" else "promoted"
    runner.info(
        f"releaser: {verb} {_line(request.tag)} in {_line(request.environment)}"
        f" ({request.strategy}): deployment {deployment}"
    )
    if request.reason:
        runner.info(f"releaser: reason: {_line(request.reason)}")
    if request.emergency:
        runner.info(f"releaser: break glass; post-release review: {outputs['review_issue']}")
    lines = [
        "## releaser",
        "",
        f"- {verb.capitalize()} {_md(request.tag)} (version {_md(result['version'])}) in "
        f"{_md(request.environment)} as {request.strategy}: deployment {deployment}, in progress",
    ]
    if request.reason:
        lines.append(f"- Reason: {_md(request.reason)}")
    if request.emergency:
        issue = _md(outputs["review_issue"])
        lines.append(f"- Break glass: `after` and `soak` were skipped; review issue {issue}")
    lines.append(
        f"- Next: deploy {_md(request.tag)}, then report with `command: deployment-status`, "
        f"`deployment-id: {deployment}`"
    )
    return outputs, "\n".join(lines) + "\n"


def _status(gh, settings: Settings, runner: Runner, inputs: PromotionInputs):
    retired = p.complete(
        gh,
        inputs.deployment_id,
        inputs.state,
        settings.run.run_url,
        inputs.description,
        inputs.environment_url,
    )
    deployment = str(inputs.deployment_id)
    runner.info(f"releaser: deployment {deployment} is {inputs.state}")
    lines = ["## releaser", "", f"- Deployment {deployment}: {inputs.state}"]
    if inputs.environment_url:
        lines.append(f"- Environment: {_md(inputs.environment_url)}")
    if retired:
        lines.append(f"- Marked inactive: {', '.join(map(str, retired))}")
    return {"deployment_id": deployment}, "\n".join(lines) + "\n"
