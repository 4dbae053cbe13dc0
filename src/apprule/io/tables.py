"""CSV files and XLSX workbooks as plain sheets: named grids of raw cells with their row numbers.

CSV is read as UTF-8 with or without a byte-order mark, else as GB18030 (what
Chinese Excel writes); every CSV cell stays text, so unit ids keep leading zeros.
Workbooks are read with openpyxl (imported here, only when a workbook is read),
streaming, one sheet at a time: only cells that hold a value are kept, whatever
size the sheet declares, and the bounds below stop a small hostile file from
taking the machine (docs/security.md). A row keeps its cells up to its last value.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from .cells import ExcelErrorValue, FormulaWithoutValue, PercentCell
from .layout import column_letter, section_name
from .problems import FactsFileError, FileIssue

#: The most apprule reads of one sheet (or CSV file): rows and columns holding a value, sized for a large
#: office (200,000 units or events; Excel itself stops at 1,048,576 rows and 16,384 columns).
MAX_ROWS = 200_000
MAX_COLUMNS = 1_000
#: The most cells of one file: every cell a workbook lists (a formatted empty one costs as much to read as a
#: full one) and every empty cell before a row's last value. 100,000 units × 20 facts.
MAX_CELLS = 2_000_000
#: The most bytes a workbook may unpack to (a 5 KB zip can unpack to gigabytes); a file itself, of any format, is
#: bounded before it is read (``read.MAX_FILE_BYTES``).
MAX_BYTES = 256 * 1024 * 1024


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
    #: visible, hidden (Format > Sheet > Hide) or veryHidden (only a macro shows it again)
    state: str = "visible"
    #: the numbers of its hidden rows (hidden, collapsed in an outline or filtered out) and columns
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)


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
    line, budget = 1, MAX_CELLS
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            budget -= len(cells)
            while cells and not cells[-1]:  # trailing empty cells say nothing
                cells.pop()
            if cells and (start > MAX_ROWS or len(cells) > MAX_COLUMNS or budget < 0):
                col = min(len(cells), MAX_COLUMNS + 1)
                raise FactsFileError([FileIssue("bad-csv", _beyond(start, col, budget, "file"),
                                                f"{display}: row {start}, column {column_letter(col)}")])
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


def _beyond(row: int, col: int, budget: int, what: str) -> str:
    if budget < 0:
        return (f"the {what} lists more than {MAX_CELLS} cells (formatted empty ones included), the most apprule "
                "reads; delete the unused rows and columns, or clear their formatting")
    if row > MAX_ROWS:
        return f"apprule reads at most {MAX_ROWS} rows of a sheet; this cell lies beyond them"
    return (f"apprule reads at most {MAX_COLUMNS} columns (A to {column_letter(MAX_COLUMNS)}) of a sheet; "
            "this cell lies beyond them")


class _Beyond(Exception):
    """A cell past the bounds, or past the file's budget of cells."""

    def __init__(self, row: int, col: int | None, budget: int):
        super().__init__(row, col, budget)
        self.row, self.col, self.budget = row, col, budget


def read_xlsx(path: Path, display: str) -> list[Sheet]:
    """Every sheet of a workbook, with values as the spreadsheet program last computed them."""
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dependency of apprule; a broken install
        raise FactsFileError([FileIssue("missing-dependency", "reading .xlsx needs openpyxl: "
                                        "pip install openpyxl", display)]) from None
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
        if unpacked > MAX_BYTES:
            raise FactsFileError([FileIssue("bad-xlsx", f"the workbook unpacks to {unpacked} bytes, more than the "
                                            f"{MAX_BYTES} bytes apprule reads", display)])
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FactsFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise FactsFileError([FileIssue("bad-xlsx", f"cannot read the workbook: {exc}", display)]) from None
    try:
        budget = [MAX_CELLS]
        return [_read_sheet(book, ws, index, display, budget) for index, ws in enumerate(book.worksheets)]
    finally:
        book.close()


def _read_sheet(book: Any, ws: Any, index: int, display: str, budget: list[int]) -> Sheet:
    """One sheet, streamed by openpyxl's own parser (``ws`` is a read-only worksheet, its source private)."""
    from openpyxl.cell.read_only import ReadOnlyCell
    from openpyxl.utils.cell import range_boundaries

    sheet = Sheet(ws.title, f"sheet {ws.title!r}", index, state=ws.sheet_state)
    kinds: dict[int, str] = {}

    def kind(style: int) -> str:
        if style not in kinds:
            kinds[style] = _format_kind(str(ReadOnlyCell(ws, 1, 1, None, "n", style).number_format))
        return kinds[style]

    parser = _sheet_parser()(cast(Any, ws)._get_source(), cast(Any, ws)._shared_strings, budget)
    where = f"{display}: {sheet.label}"
    try:
        for row, cells in parser.parse():
            values = {c["column"]: _value(c, kind, book.epoch) for c in cells if c["value"] is not None}
            if not values:
                continue
            width = max(values)
            budget[0] -= width - len(cells)
            if budget[0] < 0:
                raise _Beyond(row, None, budget[0])
            sheet.rows.append((row, [values.get(c) for c in range(1, width + 1)]))
    except _Beyond as past:
        at = f"{where}, row {past.row}" + (f", column {column_letter(past.col)}" if past.col else "")
        raise FactsFileError([FileIssue("bad-xlsx", _beyond(past.row, past.col or 0, past.budget, "workbook"),
                                        at)]) from None
    except Exception as exc:  # a damaged sheet: openpyxl's parser raises many kinds
        raise FactsFileError([FileIssue("bad-xlsx", f"cannot read the sheet: {exc}", where)]) from None
    finally:
        parser.source.close()
    sheet.hidden_rows = parser.hidden_rows
    for attributes in parser.column_dimensions.values():  # <col min= max= hidden=>, a span of columns
        if _true(attributes.get("hidden")):
            first = int(attributes.get("min") or 0)
            last = min(int(attributes.get("max") or first), MAX_COLUMNS)  # no value is read past the bound
            sheet.hidden_columns.update(range(first, last + 1))
    for merged in getattr(parser.merged_cells, "mergeCell", None) or ():
        min_col, min_row, _, _ = range_boundaries(merged.ref)
        sheet.merged.append((str(merged.ref), int(min_row or 0), int(min_col or 0)))
    return sheet


def _sheet_parser() -> Any:
    """openpyxl's streaming parser of one sheet, keeping what apprule reads and counting every cell.

    Values are the cached ones (``data_only``); a formula whose value was never computed keeps its text.
    A cell holding a value past the bounds, or any cell past the budget, stops the parse at once.
    """
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        def __init__(self, source: Any, strings: Any, budget: list[int]):
            super().__init__(source, strings, data_only=True)
            self.budget = budget
            self.hidden_rows: set[int] = set()

        def parse_row(self, row: Any) -> tuple[int, list[dict[str, Any]]]:
            # as openpyxl's, without keeping each row's attributes (a hostile file lists millions), but the
            # hidden rows': a value nobody sees is never scored unseen
            number = row.get("r")
            self.row_counter = int(float(number)) if number else self.row_counter + 1
            if _true(row.get("hidden")):
                self.hidden_rows.add(self.row_counter)
            self.col_counter = 0
            return self.row_counter, [self.parse_cell(element) for element in row]

        def parse_cell(self, element: Any) -> dict[str, Any]:
            self.budget[0] -= 1
            if self.budget[0] < 0:
                raise _Beyond(self.row_counter, None, self.budget[0])
            cell: dict[str, Any] = super().parse_cell(element)
            if cell["value"] is None:
                formula = element.find(FORMULA_TAG)
                if formula is not None:
                    cell["value"] = FormulaWithoutValue("=" + (formula.text or ""))
            if cell["value"] is not None and (cell["row"] > MAX_ROWS or cell["column"] > MAX_COLUMNS):
                raise _Beyond(cell["row"], cell["column"], self.budget[0])
            return cell

    return Parser


def _true(attribute: str | None) -> bool:
    """An XML boolean attribute: ``1`` or ``true``."""
    return attribute in ("1", "true")


#: quoted text, an escaped character and a [colour] or [condition]: none of them makes a format a percentage
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


def _format_kind(number_format: str) -> str:
    """``date``, ``duration``, ``percent`` or ``number``: what a number cell of this format shows."""
    from openpyxl.styles.numbers import is_date_format, is_timedelta_format

    if is_timedelta_format(number_format):
        return "duration"
    if is_date_format(number_format):
        return "date"
    return "percent" if "%" in _FORMAT_LITERALS.sub("", number_format) else "number"


def _value(cell: dict[str, Any], kind: Any, epoch: Any) -> Any:
    """A parsed cell's value as the reader wants it: error values, dates and percentages marked."""
    value = cell["value"]
    if cell["data_type"] == "e":
        return ExcelErrorValue(str(value))
    if cell["data_type"] != "n" or isinstance(value, FormulaWithoutValue) or not cell["style_id"]:
        return value
    shows = kind(cell["style_id"])
    if shows in ("date", "duration"):
        from openpyxl.utils.datetime import from_excel
        try:
            return from_excel(value, epoch, timedelta=shows == "duration")
        except (OverflowError, ValueError):
            return ExcelErrorValue("#VALUE!")
    return PercentCell(value) if shows == "percent" else value
