"""`apprule score`, `explain` and `facts` of every shipped scheme's example, in Chinese and in English, as a
reader sees them.

Each snapshot under tests/cli/snapshots/ was read by eye once and is pinned: a change to what the table, the
explanation or the list of facts says shows here as a diff to review. After a deliberate change, ``python
tests/cli/test_snapshots.py --write`` rewrites them (then read the diff before committing it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import ROOT, run  # noqa: E402

SNAPSHOTS = Path(__file__).parent / "snapshots"
SCHEMES = sorted(p.stem for p in (ROOT / "src" / "apprule" / "schemes").glob("*.yaml"))
#: the unit each scheme's explanation shows: one whose tree holds the scheme's harder parts (steps and event
#: tables, a veto and a quota, a formula and rank movement, event tables looked up by their document's words)
EXPLAINED = {"hebi_2021": "海河街道办事处", "beipiao_2017": "凉水河乡", "heshan_2013": "龙光桥镇",
             "xingyang_2021": "豫龙镇"}
COMMANDS = {"score": lambda scheme: ("score", scheme, "example"),
            "explain": lambda scheme: ("explain", scheme, "example", EXPLAINED[scheme]),
            "facts": lambda scheme: ("facts", scheme)}
CASES = [(command, scheme, lang) for command in COMMANDS for scheme in SCHEMES for lang in ("zh", "en")]


def rendered(command: str, scheme: str, lang: str) -> str:
    result = run("--lang", lang, *COMMANDS[command](scheme))
    assert result.exit_code == 0, result.stderr
    return result.stdout


def snapshot(command: str, scheme: str, lang: str) -> Path:
    return SNAPSHOTS / f"{command}.{scheme}.{lang}.txt"


def test_every_shipped_scheme_has_a_unit_explained() -> None:
    assert sorted(EXPLAINED) == SCHEMES


@pytest.mark.parametrize(("command", "scheme", "lang"), CASES, ids=["-".join(case) for case in CASES])
def test_output_is_as_reviewed(command: str, scheme: str, lang: str) -> None:
    assert rendered(command, scheme, lang) == snapshot(command, scheme, lang).read_text(encoding="utf-8"), \
        f"{snapshot(command, scheme, lang).name} differs: review, then python tests/cli/test_snapshots.py --write"


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    for command, scheme, lang in CASES:
        snapshot(command, scheme, lang).write_text(rendered(command, scheme, lang), encoding="utf-8")
        print(f"wrote {snapshot(command, scheme, lang).relative_to(ROOT)}")
