"""The schemes that ship with apprule and their example facts, read as package data.

Each shipped scheme is ``apprule/schemes/<id>.yaml`` with its example facts in
``apprule/examples/<id>.facts.yaml``; both are found through ``importlib.resources``, so they
work the same from a clone, an editable install and a wheel. Wherever a scheme file is asked
for (``load_scheme``, ``apprule score``, a case file's ``scheme:``), a shipped scheme's id will
do, and ``example`` stands for the facts of the shipped scheme named with it:

    apprule.load_scheme("hebi_2021")
    apprule score hebi_2021 example

An existing file always wins over an id: ``apprule score hebi_2021 example`` in a folder
holding a file named ``example`` reads that file.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

#: the word that names a shipped scheme's example facts
EXAMPLE = "example"


def _folder(name: str) -> Path:
    # apprule is installed as files (not zipped), so a resource is a real file whose path error
    # messages can name and a user can open.
    return Path(str(files("apprule").joinpath(name)))


def scheme_ids() -> list[str]:
    """The ids of the shipped schemes, sorted."""
    return sorted(p.name.removesuffix(".yaml") for p in _folder("schemes").iterdir() if p.name.endswith(".yaml"))


def scheme_path(scheme_id: str) -> Path | None:
    """The file of the shipped scheme ``scheme_id``, or None when no shipped scheme has that id."""
    return _folder("schemes") / f"{scheme_id}.yaml" if scheme_id in scheme_ids() else None


def example_path(scheme_id: str) -> Path | None:
    """The example facts shipped with the scheme ``scheme_id``, or None when there are none."""
    path = _folder("examples") / f"{scheme_id}.facts.yaml"
    return path if scheme_id in scheme_ids() and path.is_file() else None


def resolve_scheme(given: str | os.PathLike[str]) -> str | os.PathLike[str]:
    """A path as given, unless it names no file but is a shipped scheme's id: then that scheme's file."""
    if isinstance(given, os.PathLike) or os.path.exists(given):
        return given
    return scheme_path(given) or given


def resolve_facts(given: str, scheme: str | os.PathLike[str]) -> str:
    """A facts path as given, unless it is ``example`` (and no such file) and ``scheme`` is shipped: then its example."""
    if given != EXAMPLE or os.path.exists(given):
        return given
    path = Path(resolve_scheme(scheme)).resolve()
    found = example_path(path.stem) if path.parent == _folder("schemes").resolve() else None
    return str(found) if found else given
