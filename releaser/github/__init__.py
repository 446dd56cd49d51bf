"""The GitHub adapter (PyGithub stays inside this package): typed calls, retries, upserts."""

from releaser.github.base import RetryTiming, api_error_message, same_content
from releaser.github.client import GitHub, mint_app_token
from releaser.github.types import AssetInfo, PullInfo, ReleaseInfo, _pull

__all__ = [
    "AssetInfo",
    "GitHub",
    "PullInfo",
    "ReleaseInfo",
    "RetryTiming",
    "_pull",
    "api_error_message",
    "mint_app_token",
    "same_content",
]
