"""The documentation site (issue 19): `mkdocs build --strict` passes, so a broken link or anchor fails CI;
its search splits Chinese into words; the DSL reference's key tables come from the JSON Schema."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from apprule.io.schema import editor_schema

ROOT = Path(__file__).parents[1]
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}


def build(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=project,
                          capture_output=True, text=True, env=ENV)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = build(ROOT, out)
    assert done.returncode == 0, done.stderr[-5000:]
    assert "WARNING" not in done.stderr, done.stderr[-5000:]
    return out


def test_every_page_is_in_the_navigation(site: Path) -> None:
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    nav = set(re.findall(r":\s+(\S+\.md)$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M))
    assert pages == nav
    assert (site / "dsl" / "rules" / "index.html").is_file()


def test_search_finds_chinese_words(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert "zh" in index["config"]["lang"]
    text = " ".join(doc["text"] for doc in index["docs"])
    # jieba has cut the text into words, marked by zero-width spaces the search's separator splits at
    assert "\u200b鹤壁\u200b" in text and "\u200b四舍五入\u200b" in text
    assert "\\u200b" in index["config"]["separator"]


def test_the_key_tables_are_generated_from_the_schema(site: Path) -> None:
    page = (site / "dsl" / "keys" / "index.html").read_text(encoding="utf-8")
    schema = editor_schema()
    for name, definition in schema["definitions"].items():
        if definition.get("properties"):
            assert f">{name}<" in page, name
    quota = schema["definitions"]["GradeRule"]["properties"]["quota"]["description"]
    assert quota.startswith("名额") and quota.split(" — ")[0] in page


def test_a_broken_link_fails_the_build(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("mkdocs.yml", "mkdocs_hooks.py"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "docs", project / "docs")
    page = project / "docs" / "cli.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [grades](dsl/ranking.md#no-such-heading).\n",
                    encoding="utf-8")
    done = build(project, tmp_path / "site")
    assert done.returncode == 1
    assert "Doc file 'cli.md' contains a link 'dsl/ranking.md#no-such-heading'" in done.stderr
