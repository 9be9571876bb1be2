"""Files connector: CSV / XLSX extracts of either side, mapped to canonical frames.

Config (see docs/guide/files.md and resources/examples/*.toml)::

    [crm]
    connector = "files"
    system = "salesforce"            # picks default column names and status table
    [crm.files]
    dir = "exports/crm"              # relative to the config file
    [crm.objects.invoices]
    file = "blng__Invoice__c.csv"    # or .xlsx (+ sheet = "Invoices")
    delimiter = ";"  encoding = "cp1252"  date_format = "%d.%m.%Y"  decimal_comma = true
    [crm.objects.invoices.fields]    # canonical field = column, only what differs from the defaults
    number = "ERP_Invoice_Number__c"
    [crm.objects.invoices.status_map]
    "Posted|Unpaid" = "open"

A pull either returns a complete Extract or raises one InputError naming the file, the row
(the file's own line or Excel row: the header is row 1, or 2 below Excel's "sep=;" line), the column
and what was expected; nothing is returned half-read.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.config import RunConfig
from workbench.errors import ConfigError, InputError, SourceError
from workbench.model import frames as frames_mod
from workbench.model.records import DATE_FIELDS, DECIMAL_FIELDS, KINDS
from workbench.model.status import DEFAULT_MAPS, StatusMap, UnknownStatus
from workbench.progress import TaskState, report
from workbench.sources import file_parse as fp
from workbench.sources import file_refs
from workbench.sources.base import (
    SNAPSHOT_COLUMNS,
    Extract,
    SourceMeta,
    WriteRequest,
    WriteResult,
    json_escaped,
    needs_json_escape,
    sha256_each,
)
from workbench.sources.file_defaults import (
    EXPORT_STATUS_TABLES,
    FORMULA_GUARDED_CSV,
    SALESFORCE_ID_FIELDS,
    SYSTEM_DEFAULTS,
    defaults,
)
from workbench.sources.file_reader import Table, read_extract

OBJECT_KEYS = {"file", "sheet", "delimiter", "encoding", "date_format", "decimal_comma", "fields",
               "status_fields", "status_system", "status_map", "booked_values", "key", "references", "patterns",
               "empty_as_zero", "date_formats", "keep", "labels", "fill_empty"}

# canonical fields that must have a value in every row
NON_BLANK = {
    "customers": ("record_id", "name"), "products": ("record_id", "code"),
    "prices": ("record_id", "product_code", "currency", "unit_price"), "orders": ("record_id", "currency"),
    "order_lines": ("record_id", "order_id", "quantity", "unit_price"),
    "invoices": ("record_id", "currency", "total_amount", "open_balance"),
    "payments": ("record_id", "amount"),
}
# canonical fields whose column must exist (besides NON_BLANK)
MUST_HAVE = {"invoices": ("number", "total_amount", "open_balance"), "orders": ("number",)}
# canonical fields the reconciliation compares record by record: a default column missing from
# the file would make every matched record differ (and propose blanking the other system)
COMPARED = {"invoices": ("due_date",)}
# systems whose extracts the connector knows (columns or status tables); "files" = name every column
KNOWN_SYSTEMS = sorted({"files", *SYSTEM_DEFAULTS, *EXPORT_STATUS_TABLES, *DEFAULT_MAPS})
CURRENCY_FROM_PARENT = {"order_lines", "payments"}
# canonical fields holding an identifier, never a number to compute with (checked for Excel's 1.23457E+14)
IDENTIFIERS = {"record_id", "number", "customer_number", "parent_number", "xref", "tax_id", "phone", "duns", "code",
               "product_code", "product_id", "order_id", "customer_id", "parent_id", "invoice_number", "order_ref",
               "external_ref"}
# kinds whose ids may be mnemonic codes (TOTAL for TotalEnergies): their required name or code keeps a list's
# total row out instead (as a composite key's, whose first column is often an item code, and a required currency)
CODED = {"customers", "products"}
# kinds that a business always has some of: a file of them with a header and no rows is a wrong export (an
# invoice or payment file may be empty in a quiet period; the run then says the side read none)
MASTER_DATA = {"customers", "products"}
# rows below the header read looked at for a missing column's name (title and filter lines above the real header)
_TITLE_ROWS = 20
# records whose snapshot JSON is assembled at once (a few tens of MB of text)
_SLICE = 100_000


@dataclass(frozen=True)
class FileObjectMap:
    fields: dict[str, str]
    status_fields: list[str]
    status_system: str | None


def create(side: str, config: RunConfig) -> FilesSource:
    return FilesSource(side, config)


class FilesSource:
    def __init__(self, side: str, config: RunConfig):
        self.side, self.config = side, config
        sc = config.side(side)
        self.system = str(sc.get("system") or "files")
        if self.system not in KNOWN_SYSTEMS:
            raise ConfigError(f"{config.where()}: [{side}] system = {self.system!r} is not a system the files "
                              f"connector knows; expected one of {', '.join(KNOWN_SYSTEMS)} (\"files\": name every "
                              f"column under [{side}.objects.<kind>.fields])")
        files_cfg = sc.get("files") or {}
        self.dir = config.resolve(files_cfg.get("dir", "."))
        objects = sc.get("objects") or {}
        if not isinstance(objects, dict):
            raise ConfigError(f"{config.where()}: [{side}.objects] must be a table of kinds")
        for kind, spec in objects.items():
            if kind not in KINDS:
                raise ConfigError(f"{config.where()}: [{side}.objects.{kind}] is not a record kind; "
                                  f"expected one of {', '.join(KINDS)}")
            unknown = set(spec) - OBJECT_KEYS
            if unknown:
                raise ConfigError(f"{config.where()}: [{side}.objects.{kind}] has unknown key(s) "
                                  f"{', '.join(sorted(unknown))}; expected {', '.join(sorted(OBJECT_KEYS))}")
        if objects:
            self.kinds = [k for k in KINDS if k in objects]
        else:  # nothing configured: every default extract of the system that is present
            self.kinds = [k for k in KINDS if defaults(self.system, k).get("file")
                          and (self.dir / defaults(self.system, k)["file"]).exists()]
            if not self.kinds:
                raise ConfigError(f"{config.where()}: [{side}] lists no objects and {self.dir} holds none of "
                                  f"the default {self.system} extracts; add [{side}.objects.<kind>] tables")
        self.specs = {k: self._spec(k, objects.get(k, {})) for k in self.kinds}
        for kind, spec in self.specs.items():
            for fld, ref in spec["references"].items():
                target = file_refs.TARGETS[fld]
                if target not in self.specs and not ref.stands_alone(fld):
                    raise ConfigError(f"{config.where()}: [{side}.objects.{kind}.references] {fld} refers to "
                                      f"{target} by {ref.by}; add [{side}.objects.{target}] (its file) too")
        self._extras: dict[str, dict[str, Any]] = {}
        self._ledger: dict[str, dict[str, Any]] = {}
        self._issues = file_refs.empty_issues()
        self.meta = SourceMeta(side=side, system=self.system, connector="files", instance=str(self.dir),
                               objects={k: s["file"] for k, s in self.specs.items()},
                               queries={k: self._query(s) for k, s in self.specs.items()})

    # ---- configuration
    def _spec(self, kind: str, cfg: dict[str, Any]) -> dict[str, Any]:
        base = defaults(self.system, kind)
        file = cfg.get("file") or base.get("file")
        if not file:
            raise ConfigError(f"{self.config.where()}: [{self.side}.objects.{kind}] needs file = \"...\"")
        explicit = dict(cfg.get("fields") or {})
        fields: dict[str, Any] = dict(base.get("fields", {}))
        for k, v in explicit.items():
            if k not in frames_mod.columns(kind) and k not in ("customer_number", "parent_number"):
                raise ConfigError(f"{self.config.where()}: [{self.side}.objects.{kind}.fields] {k!r} is not a "
                                  f"canonical field of {kind}; expected one of {', '.join(frames_mod.columns(kind))}")
            fields[k] = v
        status_fields = cfg.get("status_fields", base.get("status_fields"))
        status_system = cfg.get("status_system", base.get("status_system"))
        status_map = None
        if kind == "invoices":
            if not status_fields:
                raise ConfigError(f"{self.config.where()}: [{self.side}.objects.invoices] needs status_fields "
                                  f"(the column(s) holding the invoice status)")
            try:
                table = EXPORT_STATUS_TABLES.get(status_system or "")
                if table is not None:
                    status_map = StatusMap({**table, **(cfg.get("status_map") or {})},
                                           name=f"{status_system} status map")
                else:
                    status_map = StatusMap.for_source(status_system or self.system, cfg.get("status_map"))
            except ValueError as exc:
                raise ConfigError(f"{self.config.where()}: [{self.side}.objects.invoices] {exc}") from None
        conv = file_refs.conventions(f"{self.config.where()}: [{self.side}.objects.{kind}]", kind, base, cfg,
                                     set(explicit))
        if conv.key and not conv.key_fallback:
            fields.pop("record_id", None)
        for fld in conv.references:
            fields.pop(fld, None)
        return conv.spec() | {
            "file": str(file), "path": self.dir / str(file), "sheet": cfg.get("sheet"),
            "delimiter": cfg.get("delimiter"), "encoding": cfg.get("encoding"),
            "date_format": cfg.get("date_format", "%Y-%m-%d"), "decimal_comma": self._decimal_comma(kind, cfg),
            "decimal_mark_declared": "decimal_comma" in cfg,
            "fields": fields, "explicit": set(explicit), "status_fields": list(status_fields or []),
            "status_map": status_map, "status_system": status_system or self.system,
            "booked_values": cfg.get("booked_values", base.get("booked_values")),
            "kind_label": base.get("kind_label"),
        }

    @property
    def maps(self) -> dict[str, FileObjectMap]:
        """What each object reads, for the mapping screen: columns, status columns and status table."""
        return {k: FileObjectMap({f: c for f, c in s["fields"].items() if isinstance(c, str)}, s["status_fields"],
                                 s["status_system"] if k == "invoices" else None) for k, s in self.specs.items()}

    def _decimal_comma(self, kind: str, cfg: dict[str, Any]) -> bool | list[str]:
        """True for every amount of the file, or the columns written with a decimal comma."""
        dc = cfg.get("decimal_comma", False)
        if isinstance(dc, bool) or (isinstance(dc, list) and all(isinstance(c, str) for c in dc)):
            return dc
        raise ConfigError(f"{self.config.where()}: [{self.side}.objects.{kind}] decimal_comma must be true, false "
                          f"or a list of columns like [\"Betrag\"]")

    @staticmethod
    def _query(spec: dict[str, Any]) -> str:
        return str(spec["path"]) + (f"#{spec['sheet']}" if spec.get("sheet") else "")

    def _read(self, spec: dict[str, Any], header_only: bool = False) -> Table:
        return read_extract(spec["path"], sheet=spec["sheet"], delimiter=spec["delimiter"], encoding=spec["encoding"],
                            date_format=spec["date_format"], date_formats=spec["date_formats"],
                            header_only=header_only)

    # ---- the Source protocol
    def pull(self, state: TaskState | None = None, since: datetime | None = None) -> Extract:
        out: dict[str, pd.DataFrame] = {}
        snaps: list[pd.DataFrame] = []
        total = len(self.kinds)
        for i, kind in enumerate(self.kinds):
            spec = self.specs[kind]
            report(state, i, total, f"reading {spec['file']}")
            frame, snap = self._convert(kind, spec, self._read(spec))
            out[kind] = frame
            snaps.append(snap)
            # the read table is gone now; Arrow's allocator keeps freed pages for itself unless told
            # (half a GB at a million invoices) and nothing after the pull would reuse them
            pa.default_memory_pool().release_unused()
        self._resolve(out)
        report(state, total, total, "files read")
        # an empty frame's object columns would turn the others' Arrow text into Python strings
        snaps = [s for s in snaps if len(s)] or snaps[:1]
        snapshots = pd.concat(snaps, ignore_index=True) if snaps else pd.DataFrame(columns=SNAPSHOT_COLUMNS)
        self.meta.ledger = {k: self._ledger[k] for k in self.kinds}
        return Extract(meta=self.meta, frames=out, snapshots=snapshots, issues=self._issues).finish()

    def push(self, requests: list[WriteRequest], state: TaskState | None = None) -> list[WriteResult]:
        raise SourceError("files are read-only; corrections to a file source are exported, not pushed")

    def read_current(self, kind: str, record_ids: list[str], fields: list[str]) -> dict[str, dict[str, Any]]:
        if kind not in self.specs:
            raise ConfigError(f"{self.config.where()}: [{self.side}] reads no {kind}")
        spec = self.specs[kind]
        frame, _ = self._convert(kind, spec, self._read(spec))
        versions = dict(zip(frame["record_id"], frame["version"]))
        wanted = set(record_ids)
        result: dict[str, dict[str, Any]] = {}
        for rec in frame[frame["record_id"].isin(wanted)].to_dict("records"):
            result[rec["record_id"]] = {f: rec.get(f) for f in fields} | {"version": versions[rec["record_id"]]}
        return result

    def describe(self, kind: str) -> list[dict[str, Any]]:
        spec = self.specs.get(kind) or self._spec(kind, {})
        cols = list(self._read(spec, header_only=True).frame.columns)
        mapped = {self._match(c, cols): f for f, c in spec["fields"].items() if isinstance(c, str)}
        mapped.update({self._match(c, cols): f for f, ref in spec["references"].items() for c in ref.columns})
        return [{"name": c, "label": c, "type": "string", "updateable": False, "canonical": mapped.get(c)}
                for c in cols]

    def test_connection(self) -> list[tuple[str, bool, str]]:
        checks = [("folder", self.dir.is_dir(), str(self.dir) if self.dir.is_dir() else f"{self.dir} not found")]
        for kind, spec in self.specs.items():
            try:
                table = self._read(spec, header_only=True)
                cols = list(table.frame.columns)
                self._columns(kind, spec, cols, table)
                checks.append((f"{kind}: {spec['file']}", True, f"{len(cols)} columns, mapping complete"))
            except InputError as exc:
                checks.append((f"{kind}: {spec['file']}", False, exc.one_line()))
        return checks

    def close(self) -> None:
        pass

    # ---- conversion
    @staticmethod
    def _match(name: str, cols: list[str]) -> str | None:
        if name in cols:
            return name
        low = name.lower()
        # Data Loader writes headers in upper case; other tools keep the API's case
        for c in cols:
            if c.lower() == low:
                return c
        return None

    def _key(self, spec: dict[str, Any], cols: list[str]) -> list[str]:
        """The composite key columns, or [] when the record id is one column."""
        rid = spec["fields"].get("record_id")
        options = (rid,) if isinstance(rid, str) else tuple(rid or ())
        if spec["key_fallback"] and any(self._match(c, cols) for c in options):
            return []
        return list(spec["key"])

    def _columns(self, kind: str, spec: dict[str, Any], cols: list[str], table: Table | None = None) -> dict[str, str]:
        """canonical field -> column present in the file; raises on a missing required column."""
        found: dict[str, str] = {}
        path = str(spec["path"])
        sheet = _sheet_note(table, f"[{self.side}.objects.{kind}]")
        header = table.header_row if table is not None else 1  # the header's row in the file
        key = self._key(spec, cols)

        def missing(column: str, expected: str, what: str = "missing column") -> InputError:
            return InputError(what, file=path, row=header, column=column,
                              expected=expected + sheet + _named_below(table, column))

        key_cols = [self._match(c, cols) for c in key]
        if key and None in key_cols:
            raise missing(", ".join(c for c, m in zip(key, key_cols) if m is None),
                          f"the key columns {' + '.join(key)} of {kind}", "missing key column(s)")
        if key:
            found["record_id"] = " + ".join(c for c in key_cols if c is not None)  # all present (checked above)
        for fld, ref in spec["references"].items():
            hit = next((m for m in (self._match(c, cols) for c in ref.columns) if m), None)
            if hit is None and not ref.explicit:
                continue
            if hit is None:
                raise missing(ref.columns[0], f"the column {kind}.{fld} refers to another record by "
                                              f"(see [{self.side}.objects.{kind}.references])")
            found[fld] = hit
        for fld, src in spec["fields"].items():
            if not src or (fld == "record_id" and key):
                continue
            options = (src,) if isinstance(src, str) else tuple(src)
            hit = next((c for c in (self._match(o, cols) for o in options) if c), None)
            if hit:
                found[fld] = hit
            elif fld in spec["explicit"]:
                raise missing(options[0], f"the column mapped to {kind}.{fld} in the config")
        need = list(NON_BLANK.get(kind, ())) + list(MUST_HAVE.get(kind, ()))
        if kind in CURRENCY_FROM_PARENT:
            need = [f for f in need if f != "currency"]
        if kind in ("invoices", "orders", "payments") and "customer_number" not in found:
            need.append("customer_id")
        missing_keep = [c for c, _, explicit in spec["keep"] if explicit and not self._match(c[0], cols)]
        if missing_keep:
            raise missing(missing_keep[0][0], f"the column named under [{self.side}.objects.{kind}.keep]")
        for fld in need:
            if fld not in found:
                src = spec["fields"].get(fld)
                name = src if isinstance(src, str) else (src[0] if src else fld)
                raise missing(name, f"a column for {kind}.{fld} (map it under [{self.side}.objects.{kind}.fields] "
                                    f"if it has another name)")
        for fld in COMPARED.get(kind, ()):
            src = spec["fields"].get(fld)
            if fld not in found and src:
                name = src if isinstance(src, str) else src[0]
                raise missing(name, f"a column for {kind}.{fld}, which is compared record by record (without it "
                                    f"every matched record would be reported as differing); export it, or map the "
                                    f"column holding it under [{self.side}.objects.{kind}.fields]")
        for c in spec["status_fields"]:
            if not self._match(c, cols):
                raise missing(c, "the invoice status column")
        used = [c for c in found.values() if c in cols] + [c for c in key_cols if c]
        used += [m for m in (self._match(c, cols) for c in spec["status_fields"]) if m]
        used += [m for alts, _, _ in spec["keep"] for m in (self._match(c, cols) for c in alts) if m]
        _unambiguous(path, kind, used, cols, found, header)
        return found

    def _convert(self, kind: str, spec: dict[str, Any], table: Table) -> tuple[pd.DataFrame, pd.DataFrame]:
        raw = table.frame
        cols = list(raw.columns)
        found = self._columns(kind, spec, cols, table)
        if table.beyond is not None:
            raise table.beyond
        read = len(raw)
        if not read and kind in MASTER_DATA:
            # read as none, every record of the other side would be reported missing here
            raise InputError(f"has a header but no rows: no {kind} at all is a wrong export, not a list",
                             file=str(spec["path"]), row=table.header_row,
                             expected=f"the {kind} exported below the header (a filter or the wrong list left "
                                      f"none): export the list again")
        rows = table.file_rows()  # file row of each data row (first line = row 1), blank lines counted
        cells = table.cells  # XLSX: where Excel stored a number or a date-time rather than text
        if self.system in FORMULA_GUARDED_CSV and table.sheet is None:
            _unguard(raw)
        used, dropped = file_refs.keep_mask(raw, spec["keep"], self._match)
        if not used.all():
            raw, rows = raw[used].reset_index(drop=True), rows[used]
            cells = {c: k[used] for c, k in cells.items()}
        del table
        n = len(raw)
        # the records' JSON is joined and hashed beside this thread while it parses the columns
        payloads = _Payloads(raw)
        del raw  # the payloads hold the read table only until it is parsed and joined
        try:
            frame, snap = self._parsed(kind, spec, found, rows, payloads, cells)
        finally:
            payloads.close()
        self._ledger[kind] = {"file": spec["file"], "read": read, "used": n, "dropped": dropped, "references": {},
                              "conventions": file_refs.describe(spec, self._key(spec, cols))}
        return frame, snap

    def _parsed(self, kind: str, spec: dict[str, Any], found: dict[str, str], rows: np.ndarray,
                payloads: _Payloads, cells: dict[str, np.ndarray]) -> tuple[pd.DataFrame, pd.DataFrame]:
        raw = payloads.raw
        cols = list(raw.columns)
        path = str(spec["path"])
        n = len(raw)
        out: dict[str, np.ndarray] = {}
        sf = self.system == "salesforce"
        money = set(DECIMAL_FIELDS.get(kind, ()))
        dated = set(DATE_FIELDS.get(kind, ()))
        zero_cols = {c.lower() for c in spec["empty_as_zero"]}
        fill = {c.lower(): v for c, v in spec["fill_empty"].items()}
        refs: dict[str, tuple[file_refs.Reference, str, np.ndarray]] = {}
        key = self._key(spec, cols)
        # undeclared, the decimal mark is a point where any amount of the file shows one (12.50, 1,234.56): an
        # export writes every amount alike. Else an amount that reads either way (1,234) is refused.
        point = spec["decimal_mark_declared"] or any(
            fp.point_decimals_shown(raw[c], cells.get(c)) for f, c in found.items() if f in money)
        if key:
            present = [m for m in (self._match(c, cols) for c in key) if m is not None]  # _columns refused a gap
            for c in present:
                fp.no_excel_errors(raw[c], fp.Where(path, c, rows))
                fp.identifiers(raw[c], fp.Where(path, c, rows))  # a key may hold a date (a price's starting date)
            out["record_id"] = file_refs.composite_key(raw, present, path, rows)
        for fld, col in found.items():
            if fld == "record_id" and key:
                continue
            s = raw[col]
            where = fp.Where(path, col, rows)
            fp.no_excel_errors(s, where)
            if col.lower() in fill:
                s = s.where(s.str.strip() != "", fill[col.lower()])
            if fld in spec["labels"]:
                s = s.str.strip().replace(spec["labels"][fld])
            if fld in spec["patterns"]:
                s = file_refs.extract(s, spec["patterns"][fld])
            if fld in IDENTIFIERS:
                fp.identifiers(s, where, cells.get(col))
            if fld == "record_id" and kind not in CODED:
                fp.no_totals(s, where)
            if fld in spec["references"]:
                ref = spec["references"][fld]
                # alternatives filled row by row: an Odoo rule names a Product Variant or else a Product
                for alt in filter(None, (self._match(c, cols) for c in ref.columns)):
                    s = s.where(s.str.strip() != "", raw[alt])
                if fld in NON_BLANK.get(kind, ()):
                    fp.required(s, where, f"a value for {kind}.{fld}")
                refs[fld] = (ref, col, file_refs.reference_values(s, ref))
                # a code read from a display name is the value itself until checked against the products
                out[fld] = refs[fld][2] if fld == "product_code" else np.full(n, None, dtype=object)
                continue
            if fld in money and col.lower() in zero_cols:
                s = s.where(s.str.strip() != "", "0")
            if fld in NON_BLANK.get(kind, ()):
                fp.required(s, where, f"a value for {kind}.{fld}"
                            + (f" (or list {col!r} under empty_as_zero if an empty cell means 0)"
                               if fld in money else "")
                            + (f" (or declare fill_empty = {{ {json.dumps(col)} = \"EUR\" }} if an empty cell "
                               f"means your local currency)" if fld == "currency" else ""))
            if fld in money:
                dc = spec["decimal_comma"]
                comma = dc is True or (isinstance(dc, list) and col in dc)
                out[fld] = fp.decimals(s, where, decimal_comma=True if comma else (False if point else None),
                                       stored=cells.get(col))
            elif fld in dated:
                out[fld] = fp.dates(s, where, spec["date_formats"].get(col, spec["date_format"]), stored=cells.get(col))
            elif fld == "last_modified":
                out[fld] = fp.timestamps(s, where)
            elif fld == "currency":
                out[fld] = fp.currencies(s, where)
            elif fld == "active":
                out[fld] = fp.booleans(s, where)
            elif sf and fld in SALESFORCE_ID_FIELDS:
                out[fld] = fp.salesforce_ids(s, where)
            elif fld in ("record_id", "customer_id", "order_id", "product_id", "parent_id", "blocked"):
                out[fld] = fp.text(s.str.strip())
            else:
                out[fld] = fp.text(s)
        fp.check_unique(out["record_id"], fp.Where(path, found["record_id"], rows), "record id")
        if kind == "invoices":
            self._status(spec, raw, out, path, rows)
        if kind == "orders":
            booked = spec.get("booked_values")
            if booked is not None and out.get("status") is not None:
                out["booked"] = np.isin(np.asarray(out["status"], dtype=object), list(booked)).astype(object)
            if spec.get("kind_label"):
                out["kind"] = np.full(n, spec["kind_label"], dtype=object)
        del raw  # the frame and its arrays are built without the read table (a few hundred MB at 1M rows)
        snap, out["version"] = payloads.frame(spec["file"], kind, out["record_id"], self._query(spec))
        # one block of objects filled column by column (None where the file has no column): pandas
        # keeps it as it is instead of allocating and copying every column into a block of its own
        names = frames_mod.columns(kind)
        block = np.empty((len(names), n), dtype=object)
        for i, c in enumerate(names):
            if c in out:
                block[i] = out[c]
        frame = pd.DataFrame(block.T, columns=names, dtype=object, copy=False)
        # kept beside the frame, not in frame.attrs: pandas deep-copies attrs on every operation
        self._extras[kind] = {k: out[k] for k in ("customer_number", "parent_number") if k in out} | {
            "file": path, "rows": rows, "refs": refs}
        return frame, snap

    def _status(self, spec: dict[str, Any], raw: pd.DataFrame, out: dict[str, np.ndarray], path: str,
                rows: np.ndarray) -> None:
        # the status columns were found when the file's columns were resolved
        cols = [m for m in (self._match(c, list(raw.columns)) for c in spec["status_fields"]) if m is not None]
        key = raw[cols[0]].str.strip()
        for c in cols[1:]:
            key = key + "|" + raw[c].str.strip()
        smap: StatusMap = spec["status_map"]
        codes, uniq = fp.distinct(key)  # a handful of statuses: each mapped once
        mapped: list[str] = []
        for k, u in enumerate(uniq):
            try:
                mapped.append(smap.map(*u.split("|")) if len(cols) > 1 else smap.map(u))
            except UnknownStatus as exc:
                known = str(exc).split("known values: ", 1)[-1]
                raise InputError("unknown status value", file=path, row=int(rows[fp.first_row(codes, k)]),
                                 column="|".join(cols), got=u,
                                 expected=f"one of {known} (or map it under [{self.side}.objects.invoices."
                                          f"status_map] in the config)") from None
        out["status"] = fp.spread(codes, mapped)
        out["status_raw"] = fp.spread(codes, uniq)
        out["is_credit_note"] = fp.spread(codes, [m == "credit_note" for m in mapped])

    def _resolve(self, out: dict[str, pd.DataFrame]) -> None:
        """Fill ids and currencies the extracts give only indirectly (numbers, parent records)."""
        cust = out.get("customers")
        by_number: dict[str, str] = {}
        if cust is not None and len(cust):
            nums = cust["number"].dropna()
            by_number = dict(zip(nums.str.strip(), cust.loc[nums.index, "record_id"]))
            parent_numbers = self._extras.get("customers", {}).get("parent_number")
            if parent_numbers is not None:
                _fill(cust, "parent_id", parent_numbers, by_number)
        for kind in ("prices", "orders", "invoices", "payments"):
            f = out.get(kind)
            numbers = self._extras.get(kind, {}).get("customer_number")
            if f is not None and numbers is not None:
                _fill(f, "customer_id", numbers, by_number)
        issues = []
        for kind, frame in out.items():
            extras = self._extras.get(kind, {})
            for fld, (ref, col, values) in extras.get("refs", {}).items():
                res = file_refs.resolve(fld, ref, values, out.get(file_refs.TARGETS[fld]))
                frame[fld] = pd.Series(res.values, index=frame.index, dtype=object)
                self._ledger[kind]["references"][fld] = res.ledger(col, extras["rows"])
                issues.append(res.issues(self.side, kind, self.specs[kind]["file"], col, fld, extras["rows"],
                                         frame["record_id"].to_numpy(dtype=object)))
        self._issues = pd.concat(issues, ignore_index=True) if issues else file_refs.empty_issues()
        lines, orders = out.get("order_lines"), out.get("orders")
        if lines is not None and orders is not None:
            _fill_from(lines, "currency", lines["order_id"], dict(zip(orders["record_id"], orders["currency"])))
        pays, invs = out.get("payments"), out.get("invoices")
        if pays is not None:
            if invs is not None:
                nums = invs["number"].dropna()
                _fill_from(pays, "currency", pays["invoice_number"].str.strip(),
                           dict(zip(nums.str.strip(), invs.loc[nums.index, "currency"])))
            if cust is not None:
                _fill_from(pays, "currency", pays["customer_id"], dict(zip(cust["record_id"], cust["currency"])))
        for kind in CURRENCY_FROM_PARENT:
            f = out.get(kind)
            if f is not None and len(f):
                missing = f["currency"].isna().to_numpy()
                if missing.any():
                    i = int(np.argmax(missing))
                    raise InputError("no currency for this row (none in the file and none on its "
                                     f"{'order' if kind == 'order_lines' else 'invoice or customer'})",
                                     file=self._extras.get(kind, {}).get("file"),
                                     row=int(self._extras[kind]["rows"][i]), column="currency",
                                     expected="a currency column or a resolvable parent record")
        self._extras.clear()


def _unguard(raw: pd.DataFrame) -> None:
    """Each text the export guarded against formulas ('+49 30 1234567) as the system holds it (+49 30 1234567)."""
    for c in raw.columns:
        if pc.any(pc.starts_with(pa.array(raw[c], from_pandas=True), "'")).as_py():  # the usual column: one pass
            raw[c] = raw[c].str.replace(r"^'(?=[=+-])", "", regex=True)


def _sheet_note(table: Table | None, object_table: str) -> str:
    """For an error about a workbook's columns: the sheet read, and the others it could have been."""
    if table is None or table.sheet is None:
        return ""
    others = [n for n in table.sheets if n != table.sheet]
    note = f"; read sheet {table.sheet!r}" + (" (a hidden sheet)" if table.sheet in table.hidden else "")
    if others:
        pick = next((n for n in others if n not in table.hidden), others[0])
        note += (f"; the workbook's other sheets: {', '.join(repr(n) for n in others)} (to read another, name it: "
                 f"sheet = {json.dumps(pick)} under {object_table})")
    return note


def _named_below(table: Table | None, column: str) -> str:
    """For a missing column: the row below the header read that holds its name, when one of the first rows
    does (the real header below a report's title and filter lines, as Business Central's Export to Excel and
    SAP's list exports write them above it)."""
    if table is None:
        return ""
    name = column.strip().lower()
    for i, cells in enumerate(table.frame.head(_TITLE_ROWS).itertuples(index=False)):
        if any(str(c).strip().lower() == name for c in cells):
            return (f"; row {int(table.file_rows()[i])} holds {column!r}: if that is the header, delete the rows "
                    f"above it (a report's title or filters)")
    return ""


def _unambiguous(path: str, kind: str, used: list[str], cols: list[str], found: dict[str, str],
                 header: int = 1) -> None:
    """Refuses a column read by the mapping when another column has the same name in another case
    (``header``: the header's row in the file)."""
    by_lower: dict[str, list[str]] = {}
    for c in cols:
        by_lower.setdefault(c.lower(), []).append(c)
    for c in used:
        twins = by_lower.get(c.lower(), [])
        if len(twins) > 1:
            what = next((f for f, col in found.items() if col == c), None)
            raise InputError(f"columns {' and '.join(repr(t) for t in twins)} differ only in case, so the column "
                             f"read{f' for {kind}.{what}' if what else ''} is ambiguous", file=path, row=header,
                             expected="each column name once, whatever its case (rename or remove one)")


def _fill(frame: pd.DataFrame, col: str, numbers: np.ndarray, lookup: dict[str, str]) -> None:
    missing = frame[col].isna()
    if missing.any() and lookup:
        # only the rows without a value are looked up: an ERP's invoices name their customer by id and
        # by number, and stripping a million numbers nobody looks up costs time and memory
        _fill_from(frame, col, pd.Series(numbers, index=frame.index, dtype=object)[missing].str.strip(), lookup)


def _fill_from(frame: pd.DataFrame, col: str, keys: pd.Series, lookup: dict[str, Any]) -> None:
    missing = frame[col].isna()
    if missing.any() and lookup:
        frame.loc[missing, col] = keys[missing].map(lookup).astype(object).where(
            keys[missing].map(lookup).notna(), None)


class _Payloads:
    """The snapshot rows of base.snapshot_frame for one file, built column-wise (1M rows in seconds).

    Payload JSON is byte-identical to ``json.dumps(row, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`` so hashes agree with every other connector's snapshots. Payloads and
    hashes stay in Arrow (one buffer per column, not a Python string per record): the store
    writes them to Parquet as they are.

    The JSON is joined and hashed in slices on a worker thread from the moment the file is read, while
    the pulling thread parses the columns and only collects the result at its end. Hashing holds the
    GIL (one hashlib call per record), but the parse spends much of its time in Arrow and numpy without
    it. Measured at a million invoices a side on 2 cores, this pulls as fast as hashing in a spawned
    helper process fed through shared memory, which competes for the same second core with the
    joining and the store's compression of the other side.
    """

    def __init__(self, raw: pd.DataFrame):
        self.raw = raw
        self.texts: list[Any] = []
        self.hashes: list[Any] = []  # per slice, the hex digests as one Arrow array
        self._stop = threading.Event()
        self._pool: ThreadPoolExecutor | None = None
        self._work: Future[None] | None = None
        if len(raw):
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="payloads")
            self._work = self._pool.submit(self._join_all)

    def _join_all(self) -> None:
        raw = self.raw
        n = len(raw)
        # the JSON of every row is assembled column-wise in Arrow (C), not cell by cell in Python;
        # in slices so no Arrow string array nears its 2 GB limit and the temporaries stay small
        cols = sorted(raw.columns)
        prefixes = [("{" if k == 0 else '",') + json.dumps(str(c), ensure_ascii=False) + ':"'
                    for k, c in enumerate(cols)]
        step = min(n, _SLICE)
        # the keys as whole columns: Arrow joins arrays about twice as fast as it broadcasts scalars
        keys = [_repeated(p, step) for p in prefixes]
        close = _repeated('"}', step)
        # each column taken as Arrow and looked at for values JSON must escape once, not per slice: this
        # thread needs the GIL between Arrow calls, and the thread parsing the columns seldom lets go of it
        columns = [_chunked(raw[c]) for c in cols]
        escape = [any(needs_json_escape(chunk) for chunk in col.chunks) for col in columns]
        for start in range(0, n, step):
            if self._stop.is_set():
                return
            m = min(step, n - start)
            pieces: list[Any] = []
            for key, col, esc in zip(keys, columns, escape):
                arr = col.slice(start, m).combine_chunks().cast(pa.string())  # big reads come in several blocks
                pieces += [key.slice(0, m), json_escaped(arr) if esc else arr]
            pieces.append(close.slice(0, m))
            text = pc.binary_join_element_wise(*pieces, "")
            self.texts.append(text)
            self.hashes.append(sha256_each(text))  # where the bytes lie in Arrow's buffer

    def frame(self, obj: str, kind: str, record_ids: np.ndarray, query: str) -> tuple[pd.DataFrame, np.ndarray]:
        """The snapshot rows, and each record's version: the first 16 hex digits of its content hash."""
        n = len(self.raw)
        if self._work is None:
            return pd.DataFrame(columns=SNAPSHOT_COLUMNS, dtype=object), np.empty(0, dtype=object)
        self._work.result()
        # joined: the read table is no longer needed, and the pages Arrow kept for it go back now
        self.raw = pd.DataFrame()
        pa.default_memory_pool().release_unused()
        hashes = pa.chunked_array(self.hashes, type=pa.string())
        versions: np.ndarray = pc.utf8_slice_codeunits(hashes, 0, 16).to_numpy(zero_copy_only=False)
        text_type = pd.ArrowDtype(pa.string())
        return pd.DataFrame({"object": pd.Series(obj, index=range(n), dtype=object),
                             "kind": pd.Series(kind, index=range(n), dtype=object),
                             "record_id": pd.Series(record_ids, dtype=object),
                             "query": pd.Series(query, index=range(n), dtype=object),
                             "content_hash": pd.Series(hashes, dtype=text_type),
                             "payload": pd.Series(pa.chunked_array(self.texts, type=pa.string()), dtype=text_type)},
                            columns=SNAPSHOT_COLUMNS), versions

    def close(self) -> None:
        """Stops joining (a file refused half-way is not joined to its end) and waits for the worker."""
        self._stop.set()
        if self._pool is not None:
            self._pool.shutdown(wait=True)


def _repeated(text: str, n: int) -> Any:
    """An Arrow string array holding ``text`` n times."""
    b = text.encode("utf-8")
    offsets = np.arange(0, len(b) * (n + 1), len(b), dtype=np.int32)
    return pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(b * n)])


def _chunked(s: pd.Series) -> pa.ChunkedArray:
    """A text column as Arrow chunks, as pandas holds it (no copy: a cast to 32-bit offsets here would
    copy every column's offsets at once; each slice is cast as it is joined)."""
    arr = pa.array(s, from_pandas=True)
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.large_string())
    return arr if isinstance(arr, pa.ChunkedArray) else pa.chunked_array([arr])
