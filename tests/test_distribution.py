"""The release as a user gets it (issue 19): sdist and wheel build and pass twine, and the wheel, installed
into a fresh venv, runs the tour from a folder outside the repository."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

import apprule

ROOT = Path(__file__).parents[1]
VERSION = apprule.__version__


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist, then the wheel built from it (what `python -m build` does), without isolation: no download."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Deprecat" not in done.stdout + done.stderr  # e.g. setuptools' warnings about the license table
    return out


def test_twine_checks_both(dist: Path) -> None:
    files = sorted(map(str, dist.iterdir()))
    done = subprocess.run([sys.executable, "-m", "twine", "check", "--strict", *files], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


def test_the_sdist_holds_tests_docs_and_project_files(dist: Path) -> None:
    with tarfile.open(dist / f"apprule-{VERSION}.tar.gz") as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    tracked = subprocess.run(["git", "ls-files", "-z", "tests", "docs"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split("\0")[:-1]
    assert set(tracked) <= names
    assert {"LICENSE", "CHANGELOG.md", "README.md", "mkdocs.yml", "mkdocs_hooks.py", "pyproject.toml"} <= names
    assert not [name for name in names if "__pycache__" in name]


def test_the_wheel_carries_the_shipped_schemes_and_the_license(dist: Path) -> None:
    with zipfile.ZipFile(dist / f"apprule-{VERSION}-py3-none-any.whl") as wheel:
        names = set(wheel.namelist())
        metadata = wheel.read(f"apprule-{VERSION}.dist-info/METADATA").decode()
    shipped = {f"apprule/{p.relative_to(ROOT / 'src' / 'apprule')}"
               for folder in ("schemes", "examples") for p in (ROOT / "src" / "apprule" / folder).glob("*.yaml")}
    assert shipped and shipped <= names
    assert {"apprule/locale/apprule.pot", "apprule/locale/zh/LC_MESSAGES/apprule.po"} <= names  # apprule.i18n
    assert f"apprule-{VERSION}.dist-info/licenses/LICENSE" in names
    assert "License-Expression: MIT" in metadata.splitlines()
    assert f"Version: {VERSION}" in metadata.splitlines()


def test_the_wheel_runs_the_tour_outside_the_repository(dist: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    # The new venv sees this interpreter's packages (the dependencies, and pip to install with) through a
    # .pth file; its own site-packages comes first, so `apprule` is the wheel's, not this checkout.
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "parent.pth").write_text("\n".join(sorted(ours)) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    wheel = dist / f"apprule-{VERSION}-py3-none-any.whl"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], env=env,
                   check=True)
    away = tmp_path / "elsewhere"
    away.mkdir()

    def apprule_(*args: str) -> str:
        done = subprocess.run([venv / "bin" / "apprule", *args], cwd=away, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"apprule {' '.join(args)}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    where = subprocess.run([python, "-c", "import apprule; print(apprule.__file__)"], cwd=away, env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(site)), where
    listing = apprule_("schemes")
    assert all(scheme_id in listing for scheme_id in ("beipiao_2017", "hebi_2021", "heshan_2013", "xingyang_2021"))
    assert "海河街道办事处" in apprule_("score", "hebi_2021", "example")
    explained = apprule_("explain", "hebi_2021", "example", "海河街道办事处")
    assert explained.startswith("海河街道办事处")
    assert apprule_("schema", "--path").strip().startswith(str(site))
