"""A stateful, spec-validated GitHub REST stand-in on 127.0.0.1, backed by a bare git repo."""

from .events import make_event
from .fake import Call, FakeGitHub

__all__ = ["Call", "FakeGitHub", "make_event"]
