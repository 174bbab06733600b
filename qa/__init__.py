"""Offline question answering over your own documents: exact answer spans with citations."""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["QA", "AskResult", "Error", "QAError", "Settings", "ask"]

if TYPE_CHECKING:
    from qa.config import Settings
    from qa.errors import Error, QAError
    from qa.models import AskResult
    from qa.pipeline import QA, ask


def __getattr__(name: str):
    """Import lazily: ``import qa`` stays fast, torch and the models load on first use."""
    if name in ("QA", "ask"):
        from qa import pipeline

        return getattr(pipeline, name)
    if name == "AskResult":
        from qa.models import AskResult

        return AskResult
    if name in ("Error", "QAError"):
        from qa import errors

        return getattr(errors, name)
    if name == "Settings":
        from qa.config import Settings

        return Settings
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
