"""releaser: Conventional Commits releases with verifiable evidence."""

__version__ = "0.1.0"  # x-releaser-version
