"""Where the config file is and how its bytes are read. Light on purpose: `releaser plan`
reads them before the config's validator (jsonschema) has loaded, to fork its model planner
early (releaser.models.planner)."""

from __future__ import annotations

import re
from pathlib import Path, PurePath, PurePosixPath

from releaser import paths

DEFAULT_PATH = ".github/releaser.yml"
# `type: model` in any YAML spelling a config is likely to use (block or flow, quoted or not):
# a cheap look before parsing. Missing an odd spelling only means hashing starts later.
_MODEL_TYPE = re.compile(rb"""\btype["']?[ \t]*:[ \t]*["']?model\b""")


def read(target: Path, repo: Path, max_bytes: int) -> bytes:
    """The config file's bytes through releaser.paths: no symlink below the repository's top
    level (or, for a file named outside it, the file itself) is followed."""
    rel: PurePath
    try:
        root, rel = repo, target.absolute().relative_to(repo.absolute())
    except ValueError:
        root, rel = target.parent, PurePosixPath(target.name)
    return paths.read_bytes(root, rel.as_posix(), max_bytes)


def names_a_model(raw: bytes) -> bool:
    """Whether a config's bytes may declare a `type: model` component."""
    return _MODEL_TYPE.search(raw) is not None
