"""requirements.lock is kept in step with pyproject.toml: every dependency (runtime and dev)
is locked at a version its specifier allows, every ``==`` pin is locked at exactly that
version, and every locked package carries hashes. Regenerate with the command in the README
(section "Dependencies") when this fails."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
REGENERATE = ("pip-compile --extra dev --generate-hashes --strip-extras --allow-unsafe "
              "--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml")


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in project["dependencies"]
            + project["optional-dependencies"]["dev"]]


def _locked() -> dict[str, tuple[Version, int]]:
    """name -> (version, number of hashes) from the lock."""
    text = (ROOT / "requirements.lock").read_text()
    out: dict[str, tuple[Version, int]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        m = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", block)
        if m:
            out[canonicalize_name(m[1])] = (Version(m[2]), block.count("--hash=sha256:"))
    return out


def test_every_dependency_is_locked_at_an_allowed_version() -> None:
    locked = _locked()
    problems = []
    for req in _declared():
        if req.marker is not None and not req.marker.evaluate({"extra": "dev"}):
            continue
        name = canonicalize_name(req.name)
        if name not in locked:
            problems.append(f"{req.name} is not in requirements.lock")
            continue
        version = locked[name][0]
        if not req.specifier.contains(version, prereleases=True):
            problems.append(f"{req.name}: pyproject wants {req.specifier}, lock has {version}")
    assert not problems, "requirements.lock is out of step; run: " + REGENERATE + "\n" + \
        "\n".join(problems)


def test_every_locked_package_has_hashes() -> None:
    locked = _locked()
    assert len(locked) > 50
    assert all(count >= 1 for _, count in locked.values()), [
        n for n, (_, c) in locked.items() if c == 0]


def test_the_setup_script_installs_from_the_lock() -> None:
    setup = (ROOT / "scripts" / "_setup.sh").read_text()
    assert "--require-hashes -r requirements.lock" in setup
    assert "--no-deps -e ." in setup
