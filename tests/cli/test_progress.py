"""Progress is shown only on a terminal and only once a run has taken a while."""

from __future__ import annotations

import time
from typing import Any

import pytest

from apprule import cli

from conftest import TINY, TINY_FACTS, run


class _Status:
    def __init__(self) -> None:
        self.started = self.stopped = False

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.stopped = True


@pytest.fixture
def status(monkeypatch: pytest.MonkeyPatch) -> _Status:
    shown = _Status()

    class Console:
        def __init__(self, **_: Any) -> None:
            pass

        def status(self, message: str) -> _Status:
            return shown

    monkeypatch.setattr("rich.console.Console", Console)
    monkeypatch.setattr(cli, "_is_terminal", lambda stream: True)
    return shown


def test_no_progress_when_stderr_is_not_a_terminal() -> None:
    result = run("score", TINY, TINY_FACTS)
    assert result.exit_code == 0 and result.stderr == ""


def test_a_quick_run_on_a_terminal_shows_nothing(status: _Status) -> None:
    with cli._working("scoring"):
        pass
    assert not status.started and status.stopped


def test_a_long_run_on_a_terminal_shows_a_spinner(status: _Status, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "PROGRESS_DELAY", 0.01)
    with cli._working("scoring"):
        time.sleep(0.2)
    assert status.started and status.stopped
