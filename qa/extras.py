"""Optional dependencies, imported only when used: a missing one is one line naming the extra that installs it."""

from __future__ import annotations

import importlib
from types import ModuleType

from qa.errors import MissingExtra


def require(module: str, extra: str, purpose: str = "this") -> ModuleType:
    """``module`` imported, or ``MissingExtra`` ("plotting needs matplotlib: pip install 'qa[eval]'") when it, or a
    package above it, is not installed; any other import failure is raised as it is."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is None or not (module == error.name or module.startswith(f"{error.name}.")):
            raise
        top = module.split(".")[0]
        raise MissingExtra(f"{purpose} needs {top}: pip install 'qa[{extra}]'") from None
