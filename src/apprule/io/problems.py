"""Errors about a facts file: where in the file (cell or line), a stable code, a plain message."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Sequence

from ..errors import AppruleError, Problem, SchemeError, format_path


@dataclass(frozen=True)
class FileIssue:
    """One problem in a facts file: ``where`` names the file and the sheet, row and column (or line)."""

    code: str
    message: str
    where: str
    #: the source line and a caret, for text files
    detail: str | None = None
    #: sort key: the order the problem appears in the file
    order: tuple[object, ...] = ()

    def __str__(self) -> str:
        text = f"{self.where}: {self.code}: {self.message}"
        return text + (f"\n{self.detail}" if self.detail else "")


@dataclass(frozen=True)
class Where:
    """A place in a facts file as a message names it, its order in the file, and its source text."""

    text: str
    order: tuple[int, int, int] = (0, 0, 0)
    detail: str | None = None

    def issue(self, code: str, message: str) -> FileIssue:
        return FileIssue(code, message, self.text, self.detail, self.order)


class FactsFileError(AppruleError):
    """A facts file cannot be read as the scheme's facts: every problem found, in file order."""

    code = "facts-file-error"

    def __init__(self, issues: Sequence[FileIssue]):
        self.issues = tuple(sorted(issues, key=lambda i: (i.order, i.where, i.code, i.message)))
        super().__init__("\n".join(str(i) for i in self.issues))


def source_and_caret(line: str, column: int) -> str:
    """The source line and a caret under ``column`` (1-based), counting wide (CJK) characters as two cells."""
    before = line[: column - 1]
    pad = "".join("\t" if ch == "\t" else " " * (2 if unicodedata.east_asian_width(ch) in "WF" else 1)
                  for ch in before)
    return f"  {line}\n  {pad}^"


def render_problem(problem: Problem) -> str:
    """``file:line:col: code: message``, the hint, then the source line and a caret aligned in a terminal."""
    where = f"{problem.location}: " if problem.location else ""
    text = f"{where}{problem.code}: {problem.message}"
    if problem.path:
        text += f" (at {format_path(problem.path)})"
    if problem.hint:
        text += f"\n  hint: {problem.hint}"
    if problem.source_line is not None and problem.location is not None:
        text += "\n" + source_and_caret(problem.source_line, problem.location.column)
    return text


def render_scheme_error(exc: SchemeError) -> str:
    return "\n".join(render_problem(p) for p in exc.problems)
