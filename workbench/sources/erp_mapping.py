"""Shared field mapping for the API connectors (Business Central, Odoo, REST profiles).

A connector has default field maps per canonical kind (canonical field -> source
field); ``[<side>.objects.<kind>]`` in the run config may rename the source object,
override single fields, and extend the status map. Values are coerced to the
canonical types here so every connector treats money, dates and blanks alike.
"""

from __future__ import annotations

from dataclasses import fields as dc_fields
from datetime import date, datetime, UTC
from decimal import Decimal
from functools import cache
from typing import Any
from collections.abc import Callable

import pandas as pd

from workbench.errors import InputError
from workbench.model import frames
from workbench.model.money import parse_decimal
from workbench.model.records import RECORD_TYPES
from workbench.sources.base import snapshot_frame
from workbench.sources.erp_columns import Page, snapshot_rows

NEGATE = "!"  # "!blocked": the canonical boolean is the negation of the source's
_TYPES: dict[str, dict[str, str]] = {
    kind: {f.name: str(f.type) for f in dc_fields(cls)} for kind, cls in RECORD_TYPES.items()}
EMPTY_DATES = {"0001-01-01", "0000-00-00", "1753-01-01"}  # BC and SQL "no date" sentinels


class ObjectMap:
    """Where one canonical kind comes from in a source, and how its fields map."""

    def __init__(self, kind: str, obj: str, fields: dict[str, str], *, status_fields: list[str] | None = None,
                 status_system: str | None = None, status_overrides: dict[str, str] | None = None,
                 settings: dict[str, Any] | None = None):
        self.kind, self.object, self.fields = kind, obj, fields
        self.status_fields = status_fields or []
        self.status_system, self.status_overrides = status_system, status_overrides or {}
        self.settings = settings or {}

    def source_fields(self) -> list[str]:
        out: list[str] = []
        for src in list(self.fields.values()) + self.status_fields:
            name = src.lstrip(NEGATE)
            if name and name not in out:
                out.append(name)
        return out

    def source_field(self, canonical: str) -> str | None:
        return self.fields.get(canonical)


def object_maps(side_cfg: dict[str, Any], defaults: dict[str, dict[str, Any]], system: str) -> dict[str, ObjectMap]:
    """Merge ``[<side>.objects.<kind>]`` over a connector's defaults.

    ``defaults[kind]`` = {"object": ..., "fields": {...}, "status_fields": [...], ...}.
    A kind with ``enabled = false`` in the config is not pulled."""
    objects_cfg = side_cfg.get("objects") or {}
    out: dict[str, ObjectMap] = {}
    for kind in frames.KINDS:
        base = defaults.get(kind)
        cfg = objects_cfg.get(kind) or {}
        if base is None and not cfg:
            continue
        if cfg.get("enabled") is False:
            continue
        base = base or {"object": None, "fields": {}}
        obj = cfg.get("object") or base.get("object")
        if not obj:
            continue
        fields = dict(base.get("fields") or {})
        fields.update({k: str(v) for k, v in (cfg.get("fields") or {}).items()})
        settings = {k: v for k, v in base.items() if k not in ("object", "fields")}
        settings.update({k: v for k, v in cfg.items() if k not in ("object", "fields", "status_map")})
        out[kind] = ObjectMap(kind, obj, fields,
                              status_fields=list(cfg.get("status_fields") or base.get("status_fields") or []),
                              status_system=cfg.get("status_system") or base.get("status_system") or system,
                              status_overrides=cfg.get("status_map") or {}, settings=settings)
    return out


def coerce(kind: str, field: str, value: Any, where: str) -> Any:
    """A raw source value as the canonical type of ``kind.field``; blanks become None."""
    return converter(kind, field)(value, where)


@cache
def converter(kind: str, field: str) -> Callable[[Any, str], Any]:
    """The coercion for one canonical field, chosen once (pulls call it millions of times)."""
    typ = _TYPES[kind].get(field, "str")

    def fail(exc: ValueError, where: str) -> InputError:
        return InputError(f"{where}: field '{field}' {exc}", expected=_expected(typ))

    if "Decimal" in typ:
        def to_dec(v: Any, where: str) -> Any:
            if v.__class__ is Decimal:
                return v
            if v is None or (isinstance(v, str) and not v.strip()):
                return None
            try:
                return parse_decimal(v.strip() if isinstance(v, str) else v)
            except ValueError as exc:
                raise fail(exc, where) from None
        return to_dec
    if typ.startswith("datetime"):
        def to_dt(v: Any, where: str) -> Any:
            if v is None or (isinstance(v, str) and not v.strip()):
                return None
            try:
                return to_datetime(v)
            except ValueError as exc:
                raise fail(exc, where) from None
        return to_dt
    if typ.startswith("date"):
        def to_date(v: Any, where: str) -> Any:
            if v is None:
                return None
            if isinstance(v, datetime):
                return v.date()
            if isinstance(v, date):
                return v
            text = str(v).strip()[:10]
            if not text or text in EMPTY_DATES:
                return None
            try:
                return date.fromisoformat(text)
            except ValueError as exc:
                raise fail(exc, where) from None
        return to_date
    if typ.startswith("bool"):
        def to_bool(v: Any, where: str) -> Any:
            if v is None or isinstance(v, bool):
                return v
            low = str(v).strip().lower()
            if low in ("true", "1", "yes"):
                return True
            if low in ("false", "0", "no"):
                return False
            if not low:
                return None
            raise fail(ValueError(f"{v!r} is not true/false"), where)
        return to_bool

    def to_str(v: Any, where: str) -> Any:
        if v is None:
            return None
        if isinstance(v, str):
            v = v.strip()
            return v or None
        return str(v)
    return to_str


def _expected(typ: str) -> str:
    if "Decimal" in typ:
        return "a number"
    if typ.startswith("datetime"):
        return "a date-time (ISO 8601)"
    if typ.startswith("date"):
        return "a date YYYY-MM-DD"
    if typ.startswith("bool"):
        return "true or false"
    return "text"


def to_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        dt = value
    else:
        text = str(value).strip()
        if not text or text.startswith("0001-01-01"):
            return None
        dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def same_value(kind: str, field: str, current: Any, wanted: Any) -> bool:
    """Do two values mean the same canonical value (so a write would change nothing)?"""
    try:
        a = coerce(kind, field, current, "current value")
        b = coerce(kind, field, wanted, "new value")
    except InputError:
        return str(current).strip() == str(wanted).strip()
    return bool(a == b)


class PullBuffer:
    """Canonical rows and raw snapshots gathered page by page as small frames.

    A million invoices kept as dicts until the end would cost gigabytes; one frame per
    page holds the same values for a fraction, and the raw payload is hashed and
    serialised as soon as its page arrives."""

    def __init__(self) -> None:
        self._frames: dict[str, list[pd.DataFrame]] = {}
        self._snaps: list[pd.DataFrame] = []

    def add_page(self, kind: str, obj: str, query: str, page: Page, frame: pd.DataFrame) -> None:
        """A page's canonical ``frame`` (``erp_columns.canonical_frame``) and the snapshots of its raw records."""
        self._frames.setdefault(kind, []).append(frame)
        self._snaps.append(snapshot_rows(obj, kind, query, page, list(map(str, frame["record_id"].tolist()))))

    def frames(self) -> dict[str, pd.DataFrame]:
        return {k: (v[0] if len(v) == 1 else pd.concat(v, ignore_index=True)) for k, v in self._frames.items()}

    def snapshots(self) -> pd.DataFrame:
        if not self._snaps:
            return snapshot_frame([])
        return self._snaps[0] if len(self._snaps) == 1 else pd.concat(self._snaps, ignore_index=True)


def fill_from(fr: dict[str, pd.DataFrame], kind: str, column: str, key: str, lookup: dict[Any, Any]) -> None:
    """Fill blanks in ``fr[kind][column]`` with ``lookup[row[key]]`` (values kept elsewhere in the ERP)."""
    f = fr.get(kind)
    if f is None or not len(f):
        return
    # kept as objects: pandas 3 reads a list of text and None as its str dtype, None turned NaN, which a later fill
    # (a re-run's, over the merged frames) would then take for a value
    f[column] = pd.Series([lookup.get(k) if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v
                           for v, k in zip(f[column].tolist(), f[key].tolist())], index=f.index, dtype=object)


def lookup(fr: dict[str, pd.DataFrame], kind: str, key: str, value: str) -> dict[Any, Any]:
    f = fr.get(kind)
    if f is None or not len(f):
        return {}
    return {k: v for k, v in zip(f[key].tolist(), f[value].tolist()) if k is not None}


def get_path(record: Any, path: str | list[str]) -> Any:
    """Read ``a.b.0.c`` from nested dicts/lists; a list of steps reads keys that contain dots
    (``["@odata.nextLink"]``); a missing step gives None."""
    cur = record
    steps = [str(s) for s in path] if isinstance(path, (list, tuple)) else (path.split(".") if path else [])
    for step in steps:
        if isinstance(cur, dict):
            cur = cur.get(step)
        elif isinstance(cur, list) and step.lstrip("-").isdigit():
            idx = int(step)
            cur = cur[idx] if -len(cur) <= idx < len(cur) else None
        else:
            return None
        if cur is None:
            return None
    return cur

