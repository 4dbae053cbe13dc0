"""CSV files and XLSX workbooks as plain sheets: named grids of raw cells with their row numbers.

CSV is read as UTF-8 with or without a byte-order mark, else as GB18030 (what
Chinese Excel writes); every CSV cell stays text, so unit ids keep leading zeros.
Workbooks are read with openpyxl (imported here, only when a workbook is read).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cells import ExcelErrorValue, FormulaWithoutValue
from .layout import section_name
from .problems import FactsFileError, FileIssue


@dataclass
class Sheet:
    """One sheet (or CSV section): its name, how messages name it, and its rows (header first)."""

    name: str
    label: str
    index: int
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    #: merged cell ranges ("A1:C1") and the first row of each
    merged: list[tuple[str, int, int]] = field(default_factory=list)
    #: every cell is text (CSV)
    text_only: bool = False


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def read_csv(path: Path, display: str) -> list[Sheet]:
    """A CSV file as sheets: rows before the first ``[name]`` row, then one sheet per section."""
    try:
        text = decode_csv(path.read_bytes())
    except UnicodeDecodeError as exc:
        raise FactsFileError([FileIssue("bad-encoding", f"the file is neither UTF-8 nor GB18030 ({exc.reason})",
                                        display)]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    sheets = [Sheet(path.stem, "", 0, text_only=True)]
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            section = section_name(cells[0], cells[1:]) if cells else None
            if section is not None:
                sheets.append(Sheet(section, f"section [{section}]", len(sheets), text_only=True))
            else:
                sheets[-1].rows.append((start, cells))
    except csv.Error as exc:
        raise FactsFileError([FileIssue("bad-csv", str(exc), f"{display}: line {reader.line_num}")]) from None
    if not sheets[0].rows or all(not any(c.strip() for c in cells) for _, cells in sheets[0].rows):
        sheets = sheets[1:] if len(sheets) > 1 else sheets
    return sheets


def read_xlsx(path: Path, display: str) -> list[Sheet]:
    """Every sheet of a workbook, with values as the spreadsheet program last computed them."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dependency of apprule; a broken install
        raise FactsFileError([FileIssue("missing-dependency", "reading .xlsx needs openpyxl: "
                                        "pip install openpyxl", display)]) from None
    try:
        values = openpyxl.load_workbook(path, data_only=True)
        formulas = openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise FactsFileError([FileIssue("bad-xlsx", f"cannot read the workbook: {exc}", display)]) from None
    sheets = []
    for index, ws in enumerate(values.worksheets):
        sheet = Sheet(ws.title, f"sheet {ws.title!r}", index)
        raw = formulas[ws.title]
        for row in ws.iter_rows():
            cells: list[Any] = []
            for cell in row:
                value: Any = cell.value
                if cell.data_type == "e":
                    value = ExcelErrorValue(str(value))
                elif value is None:
                    formula = raw.cell(int(cell.row or 0), int(cell.column or 0)).value
                    if isinstance(formula, str) and formula.startswith("="):
                        value = FormulaWithoutValue(formula)
                cells.append(value)
            if row:
                sheet.rows.append((int(row[0].row or 0), cells))
        for merged in ws.merged_cells.ranges:
            sheet.merged.append((merged.coord, merged.min_row, merged.min_col))
        sheets.append(sheet)
    return sheets
