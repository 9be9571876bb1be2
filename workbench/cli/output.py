"""How the commands print: table cells cut with an ellipsis, JSON and CSV values with timestamps in
ISO 8601 with their UTC offset, and filter values checked against the ones that exist.

Tables are for people (labels and money from ``workbench.model.labels``); csv and json are for
tools and keep the codes and exact amounts. Neither ever shows a Python repr, ``nan`` or ``NaT``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from workbench.errors import InputError
from workbench.jsonable import plain
from workbench.model.missing import is_missing

ELLIPSIS = "…"


def fit(value: Any, width: int) -> str:
    """``value`` as text in at most ``width`` characters; a cut one ends with an ellipsis."""
    text = "" if value is None or is_missing(value) else " ".join(str(value).split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + ELLIPSIS


def timestamp(value: datetime) -> str:
    """ISO 8601 with the offset; the store's times are UTC (SQLite hands them back without a zone)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def json_value(value: Any) -> Any:
    """JSON-ready like ``workbench.jsonable.plain`` (exact decimals, missing as null), with
    timestamps carrying their offset."""
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_value(v) for v in value]
    found = plain(value)
    if isinstance(found, (dict, list, datetime)):
        return json_value(found)
    return found


def dumps(value: Any) -> str:
    return json.dumps(json_value(value), indent=2, ensure_ascii=False, default=str)


def csv_value(value: Any) -> Any:
    """One CSV cell: empty for a missing value, JSON for a structure, timestamps with their offset."""
    v = json_value(value)
    if v is None:
        return ""
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return v


def check_choices(option: str, given: Iterable[str], valid: Iterable[str]) -> None:
    """Refuse a filter value that names nothing (``--type invoice.nope``) instead of printing
    nothing: exit 2 with the values that exist."""
    allowed = sorted(set(valid))
    unknown = [g for g in given if g not in allowed]
    if unknown:
        raise InputError(f"{option} {unknown[0]!r} is not one of the values that exist; "
                         f"expected one of {', '.join(allowed)}")
