"""Facts and results in and out of files: YAML, JSON, CSV and XLSX.

Used by the command line; importing ``apprule`` does not import this package, and
this package imports openpyxl and rich only inside the functions that need them.

    facts = read_facts("数据.xlsx", scheme)          # FactsFile: .facts, .locate(...)
    evaluation = scheme.evaluate(facts.facts)
    write_results(evaluation, scheme, "json")        # bytes or text, stable

The spreadsheet layout (the same for CSV sections and XLSX sheets) is described in
``apprule.io.layout`` and in docs/cli.md.
"""

from .problems import FactsFileError, FileIssue
from .read import FactsFile, read_facts
from .write import results_data, write_results
from .template import facts_table, write_template
from .schema import editor_schema, shipped_schema_path

__all__ = [
    "FactsFile", "FactsFileError", "FileIssue", "editor_schema", "facts_table", "read_facts", "results_data",
    "shipped_schema_path", "write_results", "write_template",
]
