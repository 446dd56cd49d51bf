"""A model release's plan in the form `releaser plan` prints it (pure, and light: it loads
none of the model modules, which cost a plan ~25 ms to import)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from releaser.domain.bump import Bump


@dataclass(frozen=True, slots=True)
class PlannedModel:
    """What a ModelPlan prints, computed in `releaser plan`'s planner child while the parent
    walked history (releaser.models.planner): the manifest bump, the `model` object of
    `plan --json` (ModelPlan.as_json()) and the text lines (models.text.model_lines)."""

    model_bump: Bump
    document: Mapping[str, Any]
    lines: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return dict(self.document)

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> PlannedModel:
        """From the child's printed form: {"bump": label, "json": {...}, "lines": [...]}."""
        return cls(Bump[str(form["bump"]).upper()], form["json"], tuple(form["lines"]))
