"""Value conventions and references of file extracts, declared per object (never guessed).

An ERP export often names a related record the way its screen shows it: an Odoo invoice
names its partner by display name, a price rule its product as "[CODE] Name". A reference
says which column holds it, what it is (``by``: the target's id, number, code or name) and
optionally a pattern whose first group is the part to look up. Resolution never guesses:
a value matching several targets is *ambiguous*, one matching none is *unknown*; both are
counted per file (with examples) and returned row by row so the engine reports them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable

import numpy as np
import pandas as pd

from workbench.errors import ConfigError, InputError
from workbench.model import frames as frames_mod

# canonical field -> the kind it refers to
TARGETS = {"customer_id": "customers", "parent_id": "customers", "product_code": "products",
           "product_id": "products", "order_id": "orders"}
# (target kind, by) -> the target's canonical field compared with the reference
LOOKUP = {
    ("customers", "id"): "record_id", ("customers", "number"): "number", ("customers", "name"): "name",
    ("products", "id"): "record_id", ("products", "code"): "code", ("products", "number"): "code",
    ("products", "name"): "name", ("orders", "id"): "record_id", ("orders", "number"): "number",
}
ISSUE_COLUMNS = ["side", "kind", "file", "row", "record_id", "field", "column", "value", "problem", "matches"]
EXAMPLES = 5


@dataclass(frozen=True)
class Reference:
    columns: tuple[str, ...]  # alternatives, the first present in the file is used
    by: str
    pattern: re.Pattern[str] | None = None
    explicit: bool = False  # named in the run config: its column must exist (a profile's may be absent)

    def stands_alone(self, fld: str) -> bool:
        """True when the value is usable without the target file (an id, or a product code)."""
        return self.by == "id" or (fld == "product_code" and self.by in ("code", "number"))


@dataclass
class Conventions:
    key: list[str] = field(default_factory=list)
    key_fallback: bool = False  # the profile's key: only when the file has no record_id column
    references: dict[str, Reference] = field(default_factory=dict)
    patterns: dict[str, re.Pattern[str]] = field(default_factory=dict)
    empty_as_zero: list[str] = field(default_factory=list)
    date_formats: dict[str, str | list[str]] = field(default_factory=dict)
    keep: list[tuple[tuple[str, ...], list[str], bool]] = field(default_factory=list)  # columns, values, explicit
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {label as exported: value}
    fill_empty: dict[str, str] = field(default_factory=dict)  # column -> the value an empty cell stands for

    def spec(self) -> dict[str, Any]:
        return {"key": self.key, "key_fallback": self.key_fallback, "references": self.references,
                "patterns": self.patterns, "empty_as_zero": self.empty_as_zero, "date_formats": self.date_formats,
                "keep": self.keep, "labels": self.labels, "fill_empty": self.fill_empty}


def _regex(where: str, text: object) -> re.Pattern[str]:
    if not isinstance(text, str):
        raise ConfigError(f"{where}: a pattern must be a regular expression in quotes, got {text!r}")
    try:
        rx = re.compile(text)
    except re.error as exc:
        raise ConfigError(f"{where}: pattern {text!r} is not a valid regular expression ({exc})") from None
    if rx.groups < 1:
        raise ConfigError(f"{where}: pattern {text!r} needs a group in parentheses around the value to keep")
    return rx


def _date_format(where: str, fmt: str) -> None:
    """Refuses a format without a year: strptime would read every date in 1900 (3110 as 1900-10-31)."""
    if not any(year in fmt for year in ("%Y", "%y", "%G")):
        raise ConfigError(f"{where}: {fmt!r} has no year (%Y or %y), so every date would be read in 1900; "
                          f"expected a format like \"%d.%m.%Y\"")


def _strings(where: str, value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: expected a list of column names like [\"itemNumber\", \"currencyCode\"]")
    return list(value)


def conventions(where: str, kind: str, base: dict[str, Any], cfg: dict[str, Any], explicit: set[str]) -> Conventions:
    """The object's conventions: the profile's, overridden by the run config's."""
    conv = Conventions()
    if "key" in cfg:
        conv.key = _strings(f"{where} key", cfg["key"])
        if len(set(conv.key)) != len(conv.key):
            raise ConfigError(f"{where} key names a column twice: {conv.key}")
    elif base.get("key") and "record_id" not in explicit:
        conv.key, conv.key_fallback = list(base["key"]), True
    if conv.key and "record_id" in explicit:
        raise ConfigError(f"{where}: give either key = [...] or fields.record_id, not both")
    refs: dict[str, Any] = {f: r for f, r in (base.get("references") or {}).items() if f not in explicit}
    user_refs = cfg.get("references") or {}
    if not isinstance(user_refs, dict):
        raise ConfigError(f"{where}.references must be a table of field = {{ column = ..., by = ... }}")
    refs.update(user_refs)
    canonical = frames_mod.columns(kind)
    for fld, r in refs.items():
        w = f"{where}.references {fld}"
        if fld not in TARGETS or fld not in canonical:
            fields_ok = [f for f in TARGETS if f in canonical]
            raise ConfigError(f"{w}: {kind} has no field {fld!r} that refers to another record; expected one of "
                              f"{', '.join(fields_ok) or 'none'}")
        if not isinstance(r, dict) or "column" not in r or "by" not in r:
            raise ConfigError(f"{w}: expected {{ column = \"...\", by = \"...\" }}")
        unknown = set(r) - {"column", "by", "pattern"}
        if unknown:
            raise ConfigError(f"{w}: unknown key(s) {', '.join(sorted(unknown))}; expected column, by, pattern")
        target = TARGETS[fld]
        bys = sorted(b for t, b in LOOKUP if t == target)
        if r["by"] not in bys:
            raise ConfigError(f"{w}: by = {r['by']!r}; a reference to {target} is by one of {', '.join(bys)}")
        cols = (r["column"],) if isinstance(r["column"], str) else tuple(r["column"])
        conv.references[fld] = Reference(cols, r["by"], _regex(w, r["pattern"]) if r.get("pattern") else None,
                                         explicit=fld in user_refs)
    pats = dict(base.get("patterns") or {})
    pats.update(cfg.get("patterns") or {})
    for fld, text in pats.items():
        if fld not in canonical:
            raise ConfigError(f"{where}.patterns: {fld!r} is not a canonical field of {kind}")
        conv.patterns[fld] = _regex(f"{where}.patterns {fld}", text)
    zero = cfg.get("empty_as_zero", base.get("empty_as_zero", []))
    conv.empty_as_zero = _strings(f"{where} empty_as_zero", zero) if zero else []
    fmts = dict(base.get("date_formats") or {})
    fmts.update(cfg.get("date_formats") or {})
    for c, f in fmts.items():
        if not (isinstance(f, str) or (isinstance(f, list) and f and all(isinstance(x, str) for x in f))):
            raise ConfigError(f"{where}.date_formats {c!r}: expected a format like \"%d.%m.%Y\" or a list of them")
        for one in [f] if isinstance(f, str) else f:
            _date_format(f"{where}.date_formats {c!r}", one)
    if isinstance(cfg.get("date_format"), str):
        _date_format(f"{where} date_format", cfg["date_format"])
    conv.date_formats = {str(c): f for c, f in fmts.items()}
    for cols, values in (base.get("keep") or {}).items():
        conv.keep.append((tuple(cols), list(values), False))
    user_keep = cfg.get("keep") or {}
    if not isinstance(user_keep, dict):
        raise ConfigError(f"{where}.keep must be a table of column = [values to use]")
    for col, values in user_keep.items():
        conv.keep = [k for k in conv.keep if col not in k[0]]
        conv.keep.append(((col,), _strings(f"{where}.keep {col}", values), True))
    labels = {f: dict(m) for f, m in (base.get("labels") or {}).items()}
    for fld, table in (cfg.get("labels") or {}).items():
        if fld not in canonical:
            raise ConfigError(f"{where}.labels: {fld!r} is not a canonical field of {kind}")
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise ConfigError(f"{where}.labels.{fld}: expected a table of \"label\" = \"value\"")
        labels.setdefault(fld, {}).update(table)
    conv.labels = labels
    fill = cfg.get("fill_empty", base.get("fill_empty")) or {}
    if not isinstance(fill, dict) or not all(isinstance(v, str) and v.strip() for v in fill.values()):
        raise ConfigError(f"{where}.fill_empty must be a table of \"column\" = \"value\", "
                          f"e.g. \"Currency Code\" = \"EUR\"")
    conv.fill_empty = {str(c): v.strip() for c, v in fill.items()}
    return conv


def describe(spec: dict[str, Any], key: list[str]) -> dict[str, Any]:
    """The conventions in effect for one file, as plain values for the run summary and workbook."""
    return {
        "key": list(key),
        "references": {f: f"{' or '.join(r.columns)} by {r.by}"
                       + (f" (pattern {r.pattern.pattern})" if r.pattern else "")
                       for f, r in spec["references"].items()},
        "patterns": {f: rx.pattern for f, rx in spec["patterns"].items()},
        "empty_as_zero": list(spec["empty_as_zero"]),
        "fill_empty": dict(spec["fill_empty"]),
        "date_formats": {"(all dates)": spec["date_format"], **spec["date_formats"]},
        "decimal_comma": spec["decimal_comma"],
        "keep": {" or ".join(cols): list(values) for cols, values, _ in spec["keep"]},
        "labels": {f: dict(m) for f, m in spec["labels"].items()},
        "status": _status_table(spec.get("status_map")),
    }


def _status_table(smap: Any) -> dict[str, str] | None:
    if smap is None:
        return None
    table = {"|".join(k): v for k, v in smap.exact.items()}
    table.update({"|".join(k): v for k, v in smap.patterns})
    return table


def keep_mask(raw: pd.DataFrame, keep: list[tuple[tuple[str, ...], list[str], bool]],
              match: Callable[[str, list[str]], str | None]) -> tuple[np.ndarray, dict[str, Any]]:
    """Rows to use, and the dropped rows counted per reason ("Apply On is 'All Products'")."""
    used = np.ones(len(raw), dtype=bool)
    dropped: dict[str, int] = {}
    cols = list(raw.columns)
    for alternatives, values, _ in keep:
        col = next((m for m in (match(c, cols) for c in alternatives) if m), None)
        if col is None:
            continue
        v = raw[col].str.strip()
        out = (~v.isin(values)).to_numpy(dtype=bool) & used
        if out.any():
            for value, n in pd.Series(v[out]).value_counts(sort=False).items():
                dropped[f"{col} is {value!r} (used: {', '.join(values)})"] = int(n)
            used &= ~out
    return used, dropped


def composite_key(raw: pd.DataFrame, cols: list[str], path: str, rows: np.ndarray) -> np.ndarray:
    """record_id = the key columns' values as written (trimmed) joined by "|"; unique and not blank."""
    parts = [raw[c].str.strip() for c in cols]
    joined = parts[0]
    for p in parts[1:]:
        joined = joined + "|" + p
    blank = np.logical_and.reduce([(p == "").to_numpy(dtype=bool) for p in parts])
    label = " + ".join(cols)
    if blank.any():
        i = int(np.argmax(blank))
        raise InputError("empty key", file=path, row=int(rows[i]), column=label,
                         expected=f"a value in at least one of the key columns {label}")
    dup = joined.duplicated(keep="first").to_numpy(dtype=bool)
    if dup.any():
        i = int(np.argmax(dup))
        first = int(np.argmax((joined == joined.iloc[i]).to_numpy(dtype=bool)))
        raise InputError(f"duplicate key (the same {label} as row {int(rows[first])})", file=path,
                         row=int(rows[i]), column=label, got=joined.iloc[i],
                         expected="each combination of the key columns once (add a column to key = [...])")
    return joined.to_numpy(dtype=object)


def extract(s: pd.Series, rx: re.Pattern[str]) -> pd.Series:
    """The pattern's first group where it matches, the cell as written elsewhere."""
    got = s.str.extract(rx, expand=True)[0]
    return got.where(got.notna(), s).astype(object)


def reference_values(s: pd.Series, ref: Reference) -> np.ndarray:
    t = s.astype(str).str.strip()
    if ref.pattern is not None:
        t = extract(t, ref.pattern).astype(str).str.strip()
    out = t.to_numpy(dtype=object)
    out[(t == "").to_numpy(dtype=bool)] = None
    return out


@dataclass
class Resolution:
    values: np.ndarray
    problem: np.ndarray  # "" (resolved or empty), "unknown" or "ambiguous" per row
    matches: np.ndarray  # how many target records matched
    raw: np.ndarray
    by: str
    target: str

    def ledger(self, column: str, rows: np.ndarray) -> dict[str, Any]:
        present = np.array([v is not None for v in self.raw], dtype=bool)
        entry: dict[str, Any] = {"column": column, "by": self.by, "target": self.target,
                                 "resolved": int((present & (self.problem == "")).sum()),
                                 "ambiguous": int((self.problem == "ambiguous").sum()),
                                 "unknown": int((self.problem == "unknown").sum()), "examples": []}
        for kind in ("ambiguous", "unknown"):
            # the first few distinct values, each with its first row and how many rows carry it
            seen: dict[str, dict[str, Any]] = {}
            for i in np.flatnonzero(self.problem == kind):
                v = self.raw[i]
                if v in seen:
                    seen[v]["rows"] += 1
                elif len(seen) < EXAMPLES:
                    seen[v] = {"row": int(rows[i]), "value": v, "problem": kind, "matches": int(self.matches[i]),
                               "rows": 1}
            entry["examples"] += list(seen.values())
        return entry

    def issues(self, side: str, kind: str, file: str, column: str, fld: str, rows: np.ndarray,
               record_ids: np.ndarray) -> pd.DataFrame:
        bad = np.flatnonzero(self.problem != "")
        return pd.DataFrame({"side": side, "kind": kind, "file": file, "row": rows[bad].astype(object),
                             "record_id": record_ids[bad], "field": fld, "column": column, "value": self.raw[bad],
                             "problem": self.problem[bad], "matches": self.matches[bad].astype(object)},
                            columns=ISSUE_COLUMNS, dtype=object)


def resolve(fld: str, ref: Reference, values: np.ndarray, target: pd.DataFrame | None) -> Resolution:
    """Each reference -> the target's record_id (its code for product_code), or a counted problem."""
    tkind = TARGETS[fld]
    n = len(values)
    problem = np.full(n, "", dtype=object)
    matches = np.ones(n, dtype=np.int64)
    if target is None:  # ids and codes stand alone
        return Resolution(values.copy(), problem, matches, values, ref.by, tkind)
    keys = target[LOOKUP[(tkind, ref.by)]].astype(object)
    keys = keys.where(keys.notna(), None)
    stripped = pd.Series([None if k is None else str(k).strip() for k in keys], dtype=object)
    counts = stripped.dropna().value_counts()
    result_col = "code" if fld == "product_code" else "record_id"
    unique = counts.index[counts.to_numpy() == 1]
    lookup = dict(zip(stripped[stripped.isin(unique)], target[result_col][stripped.isin(unique).to_numpy()]))
    vs = pd.Series(values, dtype=object)
    present = vs.notna().to_numpy(dtype=bool)
    found = vs.map(lookup)
    n_match = vs.map(counts).fillna(0).astype(np.int64).to_numpy()
    ok = found.notna().to_numpy(dtype=bool)
    problem[present & ~ok & (n_match > 1)] = "ambiguous"
    problem[present & ~ok & (n_match == 0)] = "unknown"
    matches = n_match.astype(np.int64, copy=False)
    out = found.to_numpy(dtype=object)
    out[~ok] = None
    if fld == "product_code":  # an unchecked code still takes part (reported as unknown/ambiguous)
        out[~ok] = values[~ok]
    return Resolution(out, problem, matches, values, ref.by, tkind)


def empty_issues() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in ISSUE_COLUMNS})
