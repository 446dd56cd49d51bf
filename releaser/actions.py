"""The Actions runner contract: inputs, outputs, job summary, annotations and masking."""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

# The names action.yml declares; tests compare the three (code, action.yml, README).
INPUTS = (
    "token",
    "config-file",
    "command",
    "target-branch",
    "app-id",
    "app-private-key",
    "test-results",
    "artifacts",
    "sbom",
    "fail-on-missing-evidence",
    # promotion (command: promote | deployment-status | rollback)
    "version",
    "environment",
    "strategy",
    "reason",
    "emergency",
    "component",
    "deployment-id",
    "state",
    "environment-url",
    "description",
)
OUTPUTS = (
    "release_created",
    "releases_created",
    "tag_name",
    "version",
    "major",
    "minor",
    "patch",
    "sha",
    "html_url",
    "upload_url",
    "pr",
    "prs_created",
    "paths_released",
    "evidence_url",
    # promotion
    "deployment_id",
    "tag",
    "review_issue",
)
PROMOTION_COMMANDS = ("promote", "deployment-status", "rollback")
COMMANDS = ("auto", "release-pr", "publish", "plan", *PROMOTION_COMMANDS)


def read_input(env: Mapping[str, str], name: str, default: str = "") -> str:
    """`INPUT_<NAME>`: upper case with hyphens kept, as the runner sets it for Docker actions."""
    value = env.get(f"INPUT_{name.upper()}")
    if value is None:
        value = env.get(f"INPUT_{name.upper().replace('-', '_')}", "")
    return value.strip() or default


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


@dataclass
class Runner:
    """Writes workflow commands to stdout and file commands to their files."""

    env: Mapping[str, str]
    out: TextIO = field(default_factory=lambda: sys.stdout)
    secrets_seen: list[str] = field(default_factory=list)

    def command(self, name: str, message: str, **props: str | int | None) -> None:
        message = self.redact(message)
        given = ",".join(f"{k}={_escape_property(str(v))}" for k, v in props.items() if v)
        self.out.write(f"::{name}{' ' + given if given else ''}::{_escape_data(message)}\n")
        self.out.flush()

    def mask(self, secret: str) -> None:
        if secret:
            self.secrets_seen.append(secret)
            for line in secret.splitlines():
                if line.strip():
                    self.out.write(f"::add-mask::{line.strip()}\n")
            self.out.flush()

    def redact(self, text: str) -> str:
        for secret in self.secrets_seen:
            text = text.replace(secret, "***")
        return text

    def info(self, message: str) -> None:
        self.out.write(self.redact(message) + "\n")
        self.out.flush()

    def error(self, message: str, file: str | None = None, line: int | None = None) -> None:
        self.command("error", message, file=file, line=line)

    def warning(self, message: str) -> None:
        self.command("warning", message)

    def set_outputs(self, outputs: Mapping[str, object]) -> None:
        path = self.env.get("GITHUB_OUTPUT")
        if not path:
            return
        with Path(path).open("a", encoding="utf-8") as handle:
            for name, value in outputs.items():
                text = value if isinstance(value, str) else json.dumps(value)
                delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
                while delimiter in text:
                    delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
                handle.write(f"{name}<<{delimiter}\n{self.redact(text)}\n{delimiter}\n")

    def summary(self, markdown: str) -> None:
        path = self.env.get("GITHUB_STEP_SUMMARY")
        if path:
            with Path(path).open("a", encoding="utf-8") as handle:
                handle.write(self.redact(markdown).rstrip("\n") + "\n")
