"""Guards on the type checker's configuration, read through mypy's own option parser, so that
nobody loosens the strictness of releaser/domain without a test saying so."""

from __future__ import annotations

import os
from pathlib import Path

from mypy.main import process_options
from mypy.options import PER_MODULE_OPTIONS, Options

ROOT = Path(__file__).resolve().parent.parent


def _options(*args: str) -> Options:
    # A named file stands in for the config's `files`, so nothing is looked up from the cwd.
    _, options = process_options([*args, "placeholder.py"])
    return options


def _strict_flags() -> dict[str, object]:
    """The per-module options `mypy --strict` sets, with the values it sets them to."""
    default = _options("--config-file", os.devnull)
    strict = _options("--config-file", os.devnull, "--strict")
    return {
        name: getattr(strict, name)
        for name in PER_MODULE_OPTIONS
        if getattr(strict, name, None) != getattr(default, name, None)
    }


def test_domain_modules_get_every_strict_flag() -> None:
    flags = _strict_flags()
    assert {"disallow_untyped_defs", "disallow_any_generics", "warn_return_any"} <= set(flags)
    configured = _options("--config-file", str(ROOT / "pyproject.toml"))
    for module in ("releaser.domain", "releaser.domain.release_pr", "releaser.domain.new_module"):
        options = configured.clone_for_module(module)
        loose = {n: getattr(options, n) for n, v in flags.items() if getattr(options, n) != v}
        assert not loose, f"{module} is not type-checked strictly: {loose}"
        assert not options.ignore_errors and not options.disable_error_code, module


def test_the_rest_of_the_package_checks_function_bodies() -> None:
    configured = _options("--config-file", str(ROOT / "pyproject.toml"))
    for module in ("releaser.engine", "releaser.github.client", "releaser.evidence.junit"):
        options = configured.clone_for_module(module)
        assert options.check_untyped_defs, module
        assert not options.ignore_errors, module
        assert options.warn_unused_ignores, module
