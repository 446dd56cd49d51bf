"""The one error hierarchy; only the CLI and the Action entry point catch it."""

from __future__ import annotations


class ReleaserError(Exception):
    """A user-facing failure: one clear line, an optional hint, an exit code."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        exit_code: int | None = None,
        *,
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code
        self.file = file
        self.line = line

    def one_line(self) -> str:
        text = self.message
        if self.hint:
            text += f" ({self.hint})"
        return " ".join(text.split())


class ConfigError(ReleaserError):
    exit_code = 2


class GitError(ReleaserError):
    exit_code = 2


class GitHubError(ReleaserError):
    exit_code = 1


class StateConflict(ReleaserError):
    exit_code = 3


class EvidenceError(ReleaserError):
    exit_code = 1


class VerificationError(ReleaserError):
    exit_code = 1
