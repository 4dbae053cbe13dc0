"""Errors about a facts file: where in the file (cell or line), a stable code, a plain message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..errors import AppruleError, source_and_caret

__all__ = ["FactsFileError", "FileIssue", "OutputError", "Where", "source_and_caret"]


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


class OutputError(AppruleError):
    """Results or a template could not be written: ``where: cannot-write: why`` (the system's reason)."""

    code = "cannot-write"
    _pickled = ("where", "reason")

    def __init__(self, where: str, reason: str):
        self.where, self.reason = where, reason
        super().__init__(f"{where}: {self.code}: {reason}")

    @classmethod
    def of(cls, where: str, exc: OSError) -> OutputError:
        return cls(where, f"[Errno {exc.errno}] {exc.strerror}" if exc.errno and exc.strerror else str(exc))
