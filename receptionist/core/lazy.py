"""Package surfaces that load on first use.

A package's ``__init__`` names its public surface once, as imports under ``if TYPE_CHECKING:``
(what type checkers and readers see), and hands the rest to :func:`lazy_exports`::

    from typing import TYPE_CHECKING

    from receptionist.core.lazy import lazy_exports

    if TYPE_CHECKING:
        from textback.outbox import OutboxWorker
        from textback.outgoing import enqueue
    else:
        __getattr__, __dir__ = lazy_exports(__name__, __file__)

    __all__ = ["OutboxWorker", "enqueue"]

``from textback import OutboxWorker`` then imports ``textback.outbox`` at that moment, not when
``textback`` is first imported, so a command that needs only the kernel never pays for the
twilio SDK, the crawler or the embedding model. The names are read from that ``if TYPE_CHECKING:``
block (one list, no second copy to drift from); ``tests/core/test_lazy.py`` checks that every
name in each such package's ``__all__`` resolves.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["lazy_exports"]


def _type_checking_imports(init_file: str) -> dict[str, tuple[str, str]]:
    """``{exported name: (module, attribute)}`` from the ``if TYPE_CHECKING:`` block."""
    tree = ast.parse(Path(init_file).read_text(encoding="utf-8"), init_file)
    names: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if not (isinstance(node, ast.If) and isinstance(node.test, ast.Name)
                and node.test.id == "TYPE_CHECKING"):
            continue
        for stmt in node.body:
            if isinstance(stmt, ast.ImportFrom) and stmt.module and stmt.level == 0:
                for alias in stmt.names:
                    names[alias.asname or alias.name] = (stmt.module, alias.name)
    return names


def lazy_exports(package: str, init_file: str
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of ``package`` (see the module doc)."""
    exports = _type_checking_imports(init_file)
    module = sys.modules[package]

    def __getattr__(name: str) -> Any:
        where = exports.get(name)
        if where is None:
            # ``package.submodule`` still works as an attribute, as it did with eager imports
            if not name.startswith("__") and importlib.util.find_spec(
                    f"{package}.{name}") is not None:
                return importlib.import_module(f"{package}.{name}")
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[0]), where[1])
        setattr(module, name, value)  # later lookups are plain attribute reads
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(module)) | set(exports))

    return __getattr__, __dir__
