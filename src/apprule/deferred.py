"""转入下年度: a value the office cannot give this period, deferred to the next.

北票 一(三)8 「如当年汇总时未能计入,转入下年度」; 赫山 三(七)1 「…计入下年度加分」. Where a result is not available
in time, the office writes one of ``MARKERS`` in the number's place (a YAML value, a JSON string, a cell). A fact
that declares ``deferred:`` counts as that this period (a number, or ``empty``: as if not given) and the unit's
result lists the item in ``carried_over``, naming the period; a fact that declares nothing refuses the marker
(``cannot-defer``): a deferred value is never read as 0 unsaid.
"""

from __future__ import annotations

from typing import Any

#: what an office writes for a value deferred to the next period: the documents' words, the shorter forms an
#: office uses, and the English
MARKERS = ("转入下年度", "计入下年度", "下年度", "缓报", "deferred")
#: the key of a deferred item in ``carried_over``: the marker the office wrote
DEFERRED = "deferred"
#: and what the value counted as in its own period (a number, or None: as if not given)
COUNTED = "counted"


def said(value: Any) -> str | None:
    """The marker ``value`` is, if it is one (surrounding blanks aside)."""
    if isinstance(value, str) and len(value) < 16:
        text = value.strip()
        return text if text in MARKERS else None
    return None
