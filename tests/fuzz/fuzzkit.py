"""What every fuzz test asserts: a result, or an AppruleError (scheme errors located) — nothing else, quickly."""

from __future__ import annotations

import contextlib
import signal
from typing import Any, Iterator

import apprule

HEAD = """\
dsl: 1
id: fuzz
title: 模糊测试
issuer: 测试
date: 2021-01-01
period: {kind: year, start: 2021-01-01, end: 2021-12-31}
"""


class Hang(Exception):
    """The work took longer than its bound."""


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail with ``Hang`` if the block runs past ``seconds`` (between bytecodes; main thread only)."""
    def on_alarm(signum: int, frame: Any) -> None:
        raise Hang(f"still running after {seconds}s")
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def load_or_located_error(text: str) -> apprule.Scheme | None:
    """Load ``text``; a ``SchemeError`` is fine when every problem carries a location."""
    try:
        with time_limit(10):
            return apprule.load_scheme(text, name="fuzz.yaml")
    except apprule.SchemeError as exc:
        assert exc.problems, "a SchemeError names at least one problem"
        for problem in exc.problems:
            assert problem.location is not None, f"problem without a location: {problem.render()}"
            assert problem.location.file == "fuzz.yaml"
            assert problem.location.line >= 1 and problem.location.column >= 1
        return None


def evaluate_or_apprule_error(scheme: apprule.Scheme, facts: Any) -> None:
    """Evaluate; the only failures allowed are AppruleErrors."""
    try:
        with time_limit(10):
            evaluation = scheme.evaluate(facts)
            for result in evaluation.values():
                result.explain()
    except apprule.AppruleError:
        pass


def finishes_within(seconds: float, code: str) -> bool:
    """Run ``code`` (with tests/fuzz importable) in a fresh interpreter; False if it is killed at ``seconds``."""
    import subprocess
    import sys
    from pathlib import Path
    prelude = f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
    try:
        subprocess.run([sys.executable, "-c", prelude + code], timeout=seconds, check=True, capture_output=True)
    except subprocess.TimeoutExpired:
        return False
    return True
