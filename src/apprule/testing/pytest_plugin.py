"""Run the property battery from pytest: one test per scheme and invariant.

Two ways in:

* a plugin: ``pytest -p apprule.testing.pytest_plugin --apprule-properties src/apprule/schemes/`` collects every
  scheme file (``*.yaml`` with a top-level ``dsl:`` key) under the given paths as tests named
  ``src/apprule/schemes/hebi_2021.yaml::caps``;
* one line in a test module, with no plugin:

      from apprule.testing.pytest_plugin import scheme_properties
      test_scheme_properties = scheme_properties("schemes")

Either way the hypothesis profile chosen with ``--hypothesis-profile`` sets the number of examples,
and a failure shows the minimal counterexample in the scheme's terms (unit, facts, rule, clause).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pytest
from hypothesis import settings

from ..engine import Scheme, load_scheme
from .invariants import INVARIANTS
from .runner import MAX_UNITS, SHRINK_SECONDS, run_invariant


def scheme_files(*paths: str | os.PathLike[str]) -> list[Path]:
    """Scheme files under ``paths`` (files or folders), sorted: YAML files with a top-level ``dsl:`` key."""
    found: list[Path] = []
    for path in map(Path, paths):
        candidates = [path] if path.is_file() else sorted(path.rglob("*.y*ml")) if path.is_dir() else []
        found += [p for p in candidates if p.suffix in (".yaml", ".yml") and _is_scheme(p)]
    return sorted(set(found))


def _is_scheme(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as handle:
            return any(line.startswith("dsl:") for line in handle)
    except (OSError, UnicodeDecodeError):
        return False


def property_failure(path: str | os.PathLike[str], invariant: str, *, max_examples: int | None = None,
                     max_units: int = MAX_UNITS, shrink_seconds: float | None = None) -> str | None:
    """Run one invariant on one scheme file; the rendered counterexample, or None when it holds."""
    scheme = _load(Path(path).resolve(), Path(path).stat().st_mtime_ns)
    if shrink_seconds is None:  # a short shrink under a quick profile, a longer one under a thorough one
        shrink_seconds = min(SHRINK_SECONDS, max(2.0, settings().max_examples / 50))
    outcome = run_invariant(scheme, invariant, max_examples=max_examples, max_units=max_units,
                            shrink_seconds=shrink_seconds)
    if outcome.status == "failed":
        return outcome.render()
    if outcome.status == "skipped":
        pytest.skip(outcome.note or "skipped")
    return None


@functools.lru_cache(maxsize=32)
def _load(path: Path, mtime: int) -> Scheme:
    """Each scheme file is loaded once per session (and again when it changes)."""
    return load_scheme(path)


def scheme_properties(*paths: str | os.PathLike[str], invariants: Iterable[str] | None = None,
                      max_examples: int | None = None, max_units: int = MAX_UNITS,
                      shrink_seconds: float | None = None,
                      marks: Callable[[Path, str], Iterable[Any]] | None = None) -> Callable[..., None]:
    """A parametrized test function checking every invariant of every scheme under ``paths``.

    ``marks(path, invariant)`` may return pytest marks for a case (e.g. an ``xfail`` for a known finding).
    """
    names = list(invariants) if invariants is not None else list(INVARIANTS)
    params = []
    for path in scheme_files(*paths):
        for name in names:
            params.append(pytest.param(path, name, id=f"{path.stem}::{name}",
                                       marks=list(marks(path, name)) if marks else []))

    @pytest.mark.parametrize(("scheme_path", "invariant"), params)
    def test_scheme_property(scheme_path: Path, invariant: str) -> None:
        failure = property_failure(scheme_path, invariant, max_examples=max_examples, max_units=max_units,
                                   shrink_seconds=shrink_seconds)
        if failure is not None:
            pytest.fail(failure, pytrace=False)

    return test_scheme_property


# --- the plugin ------------------------------------------------------------------------------------

def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("apprule")
    group.addoption("--apprule-properties", action="store_true", default=False,
                    help="collect scheme files (YAML with `dsl:`) as property tests of apprule.testing")
    group.addoption("--apprule-invariants", default=None,
                    help=f"comma-separated invariants to run (default: all of {', '.join(INVARIANTS)})")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if not parent.config.getoption("apprule_properties", False):
        return None
    if file_path.suffix in (".yaml", ".yml") and _is_scheme(file_path):
        return SchemeFile.from_parent(parent, path=file_path)
    return None


class SchemeFile(pytest.File):
    """A scheme file: one test item per invariant."""

    def collect(self) -> Iterator[pytest.Item]:
        chosen = self.config.getoption("apprule_invariants")
        names = [n.strip() for n in chosen.split(",")] if chosen else list(INVARIANTS)
        for name in names:
            yield SchemeProperty.from_parent(self, name=name)


class SchemeProperty(pytest.Item):
    """One invariant of one scheme."""

    def runtest(self) -> None:
        failure = property_failure(self.path, self.name)
        if failure is not None:
            raise PropertyFailed(failure)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, PropertyFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.path.name}::{self.name}"


class PropertyFailed(Exception):
    """An invariant failed; the message is its minimal counterexample."""
