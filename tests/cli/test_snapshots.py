"""`apprule score` of every shipped scheme's example, in Chinese and in English, as a reader sees it.

Each snapshot under tests/cli/snapshots/ was read by eye once and is pinned: a change to what the table
says shows here as a diff to review. After a deliberate change, ``python tests/cli/test_snapshots.py
--write`` rewrites them (then read the diff before committing it).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import ROOT, run  # noqa: E402

SNAPSHOTS = Path(__file__).parent / "snapshots"
SCHEMES = sorted(p.stem for p in (ROOT / "src" / "apprule" / "schemes").glob("*.yaml"))
CASES = [(scheme, lang) for scheme in SCHEMES for lang in ("zh", "en")]


def rendered(scheme: str, lang: str) -> str:
    result = run("--lang", lang, "score", scheme, "example")
    assert result.exit_code == 0, result.stderr
    return result.stdout


def snapshot(scheme: str, lang: str) -> Path:
    return SNAPSHOTS / f"score.{scheme}.{lang}.txt"


@pytest.mark.parametrize(("scheme", "lang"), CASES, ids=[f"{s}-{lang}" for s, lang in CASES])
def test_score_table_is_as_reviewed(scheme: str, lang: str) -> None:
    assert rendered(scheme, lang) == snapshot(scheme, lang).read_text(encoding="utf-8"), \
        f"{snapshot(scheme, lang).name} differs: review, then python tests/cli/test_snapshots.py --write"


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    for scheme, lang in CASES:
        snapshot(scheme, lang).write_text(rendered(scheme, lang), encoding="utf-8")
        print(f"wrote {snapshot(scheme, lang).relative_to(ROOT)}")
