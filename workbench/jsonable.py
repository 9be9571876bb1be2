"""Values as JSON-ready data, the same way for the store, the CLI and the run summary."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from workbench.model.missing import is_missing


def plain(v: Any) -> Any:
    """Decimal as exact text (never a float), dates as ISO text, numpy scalars as Python values,
    NaN/NA as None; dicts and lists converted all the way down."""
    if v is None or isinstance(v, (str, bool, int)):
        return v
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if is_missing(v):
        return None
    if hasattr(v, "item"):  # numpy scalar
        return plain(v.item())
    return v
