"""The GitHub adapter (PyGithub stays inside this package): typed calls, retries, upserts."""

from releaser.github.base import RetryTiming, api_error_message, same_content
from releaser.github.client import GitHub, mint_app_token
from releaser.github.types import AssetInfo, PullInfo, ReleaseInfo
from releaser.github.types import _pull as pull_info

__all__ = [
    "AssetInfo",
    "GitHub",
    "PullInfo",
    "ReleaseInfo",
    "RetryTiming",
    "api_error_message",
    "mint_app_token",
    "pull_info",
    "same_content",
]
