"""A facts file larger than apprule reads (``MAX_FILE_BYTES``, 256 MiB) is refused before a byte of it is parsed,
whatever its format: ``file-too-large`` names the file and its size. The files are sparse: they take no disk."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from apprule import load_scheme
from apprule.cli import main
from apprule.io.problems import FactsFileError
from apprule.io.read import MAX_FILE_BYTES, read_facts

DATA = Path(__file__).parents[1] / "cli" / "data"
TINY = DATA / "tiny.yaml"
TINY_FACTS = DATA / "tiny.facts.yaml"


@pytest.mark.parametrize("name", ["facts.yaml", "facts.json", "facts.csv", "facts.xlsx"])
def test_a_file_past_the_limit_is_refused_unread(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with path.open("wb") as file:  # 256 MiB + 1 of zeros: no format would parse it, and none is tried
        file.truncate(MAX_FILE_BYTES + 1)
    result = CliRunner().invoke(main, ["score", str(TINY), str(path)], catch_exceptions=False)
    assert result.exit_code == 1 and result.stderr == (
        f"{path}: file-too-large: the file holds 268435457 bytes (256 MiB), more than the 268435456 bytes "
        "(256 MiB) apprule reads; it was not read\n")


def test_the_limit_is_the_files_size_and_a_program_may_set_it(tmp_path: Path) -> None:
    scheme = load_scheme(TINY)
    size = os.path.getsize(TINY_FACTS)
    assert read_facts(TINY_FACTS, scheme, max_bytes=size).facts["东镇"]["party"] == 45  # at the limit: read
    with pytest.raises(FactsFileError) as refused:
        read_facts(TINY_FACTS, scheme, max_bytes=size - 1)
    assert str(refused.value) == (f"{TINY_FACTS}: file-too-large: the file holds {size} bytes (0 MiB), more than "
                                  f"the {size - 1} bytes (0 MiB) apprule reads; it was not read")
