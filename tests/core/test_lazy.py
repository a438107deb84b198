"""The package surfaces that load on first use (``receptionist.core.lazy``)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

LAZY = ["receptionist.core", "receptionist.speech", "textback", "knowledge", "calendar_sync"]


@pytest.mark.parametrize("package", LAZY)
def test_every_public_name_resolves_to_what_its_module_defines(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__all__, package
    for name in module.__all__:
        value = getattr(module, name)
        assert value is not None, name
    assert set(module.__all__) <= set(dir(module))


@pytest.mark.parametrize("package", LAZY)
def test_importing_a_package_imports_none_of_its_modules(package: str) -> None:
    code = (f"import json, sys; import {package}; "
            f"print(json.dumps(sorted(m for m in sys.modules if m.startswith('{package}.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert set(json.loads(out)) <= {"receptionist.core.lazy"}


def test_a_name_is_loaded_from_its_module_on_first_use() -> None:
    code = ("import json, sys; from textback import count_segments; "
            "print(json.dumps(['textback.segments' in sys.modules, "
            "'textback.outbox' in sys.modules, count_segments.__module__]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert json.loads(out) == [True, False, "textback.segments"]


def test_an_unknown_name_is_an_attribute_error() -> None:
    import textback

    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        _ = textback.NoSuchThing  # type: ignore[attr-defined]
    with pytest.raises(ImportError):
        from textback import NoSuchThing  # type: ignore[attr-defined]  # noqa: F401
    # a submodule is still reachable as an attribute, as with eager imports
    assert textback.keywords.__name__ == "textback.keywords"  # type: ignore[attr-defined]
