"""Approved corrections to a side Recon Workbench cannot write, as Data Loader-style update files,
and the loader's success and error files read back.

``export_csv`` writes one file per target object: the record id column (``Id`` for Salesforce)
then the source column of each corrected field, one row per record, the values as the source's
own extract writes them (an invoice status back to its status columns; a blank value as
``#N/A``, which Data Loader loads as "set to blank" while its *Insert null values* setting is
off, so a cell left empty never blanks a field by accident). That is the shape Salesforce Data
Loader's *Update* takes (map the columns with *Auto-Match Fields to Columns*) and what an ERP's
import of an edited extract takes. Each correction gets a ``correction.exported`` audit event
naming the file and row; it stays approved until the results come back.

``import_results`` reads what the loader wrote after the load: its success file (the rows it
updated; Data Loader adds ``ID`` and ``STATUS`` columns) and its error file (the rows it refused,
with an ``ERROR`` column). Every row must match exported corrections by record id, column and
value, or nothing is recorded and the one-line error names the file and row. A success row marks
its corrections applied, an error row marks them dead letters with the loader's message (export
them again once fixed); each with an audit event naming the file and row. Whether the change
held is checked by reading the system again: the next run, or the next push's verification,
which re-reads the run's files once they hold a fresh extract.
"""

from __future__ import annotations

import csv
import os
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.config import RunConfig, from_dict
from workbench.corrections import lifecycle
from workbench.corrections.lifecycle import also_detail
from workbench.corrections.values import field_changes
from workbench.corrections.exception_status import set_exception_status
from workbench.corrections.outbox.guards import TrailBroken, trail_refusal
from workbench.corrections.outbox.push import refusals
from workbench.corrections.read_only import csv_route_ids, side_of
from workbench.errors import ConfigError, InputError
from workbench.model.changes import Changes
from workbench.model.ids import InvalidSalesforceId, to_18
from workbench.model.states import CorrectionState, ExceptionStatus
from workbench.sources import sep_line
from workbench.store import trail
from workbench.store.chunks import chunks
from workbench.store.db import Store
from workbench.store.schema import AuditEvent, Correction, ExceptionRow, Run
from workbench.team.users import require

EXPORTABLE = (CorrectionState.APPROVED, CorrectionState.DEAD_LETTER)  # approved, or refused by a load and fixed
BLANK = "#N/A"  # Data Loader's "set this field to blank" when Insert null values is off
EXPORTED = "correction.exported"


@dataclass(frozen=True)
class ExportedFile:
    path: Path
    run_id: int | None
    side: str
    object: str            # the source object the file updates (Account, blng__Invoice__c, salesInvoices)
    rows: int
    corrections: list[int]


@dataclass
class CsvExport:
    files: list[ExportedFile] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # approvals the trail does not prove: not exported

    @property
    def corrections(self) -> list[int]:
        return sorted(i for f in self.files for i in f.corrections)


@dataclass
class LoadResults:
    applied: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    rows: int = 0
    changes: Changes = field(default_factory=Changes)


# ---------------------------------------------------------------- where a field goes in the file


@dataclass(frozen=True)
class _Layout:
    """How one object of a files-based side writes a record: its file, id column and field columns."""
    object: str
    id_column: str
    columns: dict[str, list[str]]          # canonical field -> its column(s) in the extract
    status_values: dict[str, list[str]]    # canonical invoice status -> the status columns' values


def _run_config(run: Run) -> RunConfig:
    path = Path(run.config_path) if run.config_path else None
    return from_dict(run.config or {}, path=path, base_dir=path.parent if path else None)


def _layout(run: Run, side: str, kind: str) -> _Layout:
    from workbench.sources.files import FilesSource
    where = f"run {run.id}, [{side}.objects.{kind}]"
    try:
        spec = FilesSource(side, _run_config(run)).specs.get(kind)
    except ConfigError as exc:
        raise ConfigError(f"run {run.id}: cannot read the {side.upper()} file layout: {exc.one_line()}") from None
    if spec is None:
        raise ConfigError(f"{where}: the run read no {kind} on its {side.upper()} side")
    rid = spec["fields"].get("record_id")
    columns = {f: ([c] if isinstance(c, str) else list(c)) for f, c in spec["fields"].items() if c}
    if spec["status_fields"]:
        columns["status"] = list(spec["status_fields"])
    status_values: dict[str, list[str]] = {}
    status_map = spec.get("status_map")
    for parts, target in (status_map.exact.items() if status_map is not None else ()):
        status_values.setdefault(target, list(parts))
    return _Layout(Path(str(spec["file"])).stem, rid if isinstance(rid, str) else "Id", columns, status_values)


def _text(v: Any) -> str:
    if v is None or v == "":
        return BLANK
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return str(v)


def _cells(layout: _Layout, c: Correction) -> dict[str, str]:
    """The column(s) and text a correction writes in its record's row: every field it changes,
    a compound correction's further fields too (a status with its open balance)."""
    out: dict[str, str] = {}
    for fld, _, to in field_changes(c):
        cols = layout.columns.get(fld)
        if not cols:
            raise ConfigError(f"correction {c.id}: run {c.run_id}'s {c.target_side.upper()} {layout.object} file has "
                              f"no column for {fld!r}, so the update file cannot carry it; map the column under "
                              f"[{c.target_side}.objects.{c.target_object}.fields]")
        if fld == "status" and layout.status_values:  # canonical status back to the extract's own value(s)
            parts = layout.status_values.get(str(to)) or str(to or "").split("|")
            if len(parts) != len(cols):
                raise ConfigError(f"correction {c.id}: status {to!r} has no entry in the status map of "
                                  f"[{c.target_side}.objects.{c.target_object}] to write it back as "
                                  f"{' | '.join(cols)}")
            out.update({col: (p if p else BLANK) for col, p in zip(cols, parts, strict=True)})
        else:
            out[cols[0]] = _text(to)
    return out


# ---------------------------------------------------------------- export


def export_csv(store: Store, user: str, out_dir: Path, *, ids: list[int] | None = None,
               run_id: int | None = None) -> CsvExport:
    """Write the update files of every approved correction on the CSV route (or those given) into
    ``out_dir``; returns what was written. Nothing is written when there is nothing to export."""
    result = CsvExport()
    out_dir = Path(out_dir)
    export_id = uuid.uuid4().hex
    staged: list[tuple[Path, Path]] = []
    try:
        with store.session() as s:
            require(s, user, "push")
            q = select(Correction).where(Correction.state.in_(EXPORTABLE)).order_by(Correction.id)
            if ids:
                q = q.where(Correction.id.in_(ids))
            if run_id is not None:
                q = q.where(Correction.run_id == run_id)
            rows = list(s.execute(q.with_for_update()).scalars())
            _check_asked(rows, ids)
            csv_ids = csv_route_ids(s, rows)
            if ids:
                pushed = [c.id for c in rows if c.id not in csv_ids]
                if pushed:
                    raise InputError(f"correction {pushed[0]} goes to a system Recon Workbench writes; push it with "
                                     "`workbench corrections push` instead")
            rows = [c for c in rows if c.id in csv_ids]
            broken = trail_refusal(store, [c.id for c in rows], EXPORTABLE) if rows else None
            if broken:
                raise TrailBroken(f"nothing exported: the audit trail that proves the approvals does not hold: "
                                  f"{broken}; see: workbench audit verify")
            # the push's own checks (a lapsed approver, a settled exception, a second correction of one
            # field), saying why without changing anything: an exported row may be awaiting its results
            refused = refusals(s, rows, user, record=False)
            result.refused = [refused[i].replace(" not pushed: ", " not exported: ") for i in sorted(refused)]
            rows = [c for c in rows if c.id not in refused]
            groups: dict[tuple[int | None, str, str], list[Correction]] = defaultdict(list)
            for c in rows:
                groups[(c.run_id, c.target_side, c.target_object)].append(c)
            if groups:
                out_dir.mkdir(parents=True, exist_ok=True)
            for (rid, side, kind), corrs in sorted(groups.items(), key=lambda g: (g[0][0] or 0, g[0][1], g[0][2])):
                run = s.get(Run, rid) if rid is not None else None
                if run is None:
                    raise ConfigError(f"correction {corrs[0].id} belongs to no stored run; its file layout is unknown")
                layout = _layout(run, side, kind)
                path = out_dir / f"run{rid}-{side}-{layout.object}-update.csv"
                records, columns, where = _rows(layout, corrs)
                tmp = path.with_name(f".{path.name}.{export_id}.tmp")
                with open(tmp, "w", newline="", encoding="utf-8") as fh:
                    w = csv.writer(fh, quoting=csv.QUOTE_ALL)  # Data Loader's own files quote every cell
                    w.writerow([layout.id_column, *columns])
                    for record, cells in records.items():
                        w.writerow([record, *(cells.get(col, "") for col in columns)])
                staged.append((tmp, path))
                for c in corrs:
                    row, cells = where[c.id]
                    _event(s, c, user, reason=f"exported for loading: {path.name} row {row}",
                           detail={"export_id": export_id, "file": path.name, "path": str(path), "row": row,
                                   "id_column": layout.id_column, "cells": cells, "object": layout.object})
                result.files.append(ExportedFile(path, rid, side, layout.object, len(records),
                                                 [c.id for c in corrs]))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, path in staged:  # the trail holds the export: now the files appear, whole
        os.replace(tmp, path)
    return result


def _check_asked(rows: list[Correction], ids: list[int] | None) -> None:
    if not ids:
        return
    found = {c.id for c in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise InputError(f"correction {missing[0]} is not approved (or does not exist); only approved corrections "
                         "are exported, after a second person's approval")


def _rows(layout: _Layout, corrs: list[Correction]
          ) -> tuple[dict[str, dict[str, str]], list[str], dict[int, tuple[int, dict[str, str]]]]:
    """record id -> its cells, the field columns in order, and each correction's (row, cells).
    Rows are numbered as a spreadsheet shows them: the header is row 1."""
    records: dict[str, dict[str, str]] = {}
    columns: list[str] = []
    mine: dict[int, dict[str, str]] = {}
    for c in corrs:
        cells = _cells(layout, c)
        row = records.setdefault(c.target_record, {})
        for col, text in cells.items():
            if col in row and row[col] != text:
                raise InputError(f"corrections to {layout.object} {c.target_record} set {col} to both {row[col]!r} "
                                 f"and {text!r}; reject one of them")
            row[col] = text
            if col not in columns:
                columns.append(col)
        mine[c.id] = cells
    numbers = {record: n for n, record in enumerate(records, start=2)}
    return records, columns, {c.id: (numbers[c.target_record], mine[c.id]) for c in corrs}


def _event(s: Session, c: Correction, user: str, *, reason: str, detail: dict[str, Any]) -> None:
    """An event that leaves the correction's state as it is (the trail replays it as such)."""
    trail.append(s, actor=user, action=EXPORTED, entity_type="correction", entity_id=c.id, run_id=c.run_id,
                 detail={"state_before": c.state, "state_after": c.state, "reason": reason,
                         "exception_id": c.exception_id, "approver": c.approver,
                         "target": {"side": c.target_side, "system": c.target_system, "object": c.target_object,
                                    "record": c.target_record, "field": c.field},
                         "before": c.from_value, "after": c.to_value, "idempotency_key": c.idempotency_key,
                         "version": c.version, **also_detail(c), **detail})


# ---------------------------------------------------------------- import of the loader's results


@dataclass(frozen=True)
class _Sent:
    """A correction as its latest export put it in a file."""
    correction: Correction
    object: str
    id_column: str
    cells: dict[str, str]


def _norm(record: str) -> str:
    text = record.strip()
    try:
        return to_18(text)
    except (InvalidSalesforceId, ValueError):
        return text.lower()  # GUIDs and numbers: the loader may change their case


def _awaiting(s: Session) -> dict[str, list[_Sent]]:
    """Exported corrections still waiting for their result, by record id."""
    rows = list(s.execute(select(Correction).where(Correction.state.in_(EXPORTABLE)).with_for_update()).scalars())
    by_id = {c.id: c for c in rows}
    latest: dict[int, tuple[str, dict[str, Any]]] = {}  # each one's last step, verification aside
    for part in chunks([str(i) for i in by_id]):
        for eid, action, detail in s.execute(select(AuditEvent.entity_id, AuditEvent.action, AuditEvent.detail).where(
                AuditEvent.entity_type == "correction", AuditEvent.action != "correction.verified",
                AuditEvent.entity_id.in_(part)).order_by(AuditEvent.id)):
            latest[int(eid)] = (action, detail or {})
    out: dict[str, list[_Sent]] = defaultdict(list)
    for cid, (action, d) in latest.items():
        if action != EXPORTED:  # not exported, or its result was read since (a dead letter waits for a new export)
            continue
        c = by_id[cid]
        out[_norm(c.target_record)].append(_Sent(c, str(d.get("object")), str(d.get("id_column") or "Id"),
                                                 dict(d.get("cells") or {})))
    return out


def _read(path: Path) -> tuple[list[str], list[list[str]], int]:
    """The header, the rows below it, and the header's row in the file: 1, or 2 below Excel's delimiter line
    (read as the files connector reads it, should the file have been through a tool that writes one)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            delimiter = sep_line.named_delimiter(fh.read(1 << 16), str(path))
            fh.seek(0)
            rows = list(csv.reader(fh, delimiter=delimiter or ","))
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"not a readable CSV file ({exc})", file=str(path), expected="UTF-8 CSV as the loader "
                         "writes it") from None
    skip = 0 if delimiter is None else 1
    if len(rows) <= skip:
        raise InputError("the file is empty", file=str(path), expected="a header row, then one row per record")
    return rows[skip], rows[skip + 1:], skip + 1


def _match(path: Path, n: int, header: list[str], cells: list[str], awaiting: dict[str, list[_Sent]],
           ) -> list[_Sent]:
    """The exported corrections a result row stands for; raises naming the file and row."""
    low = [h.strip().lower() for h in header]
    values = dict(zip(low, cells))
    names = {s.id_column.lower() for sents in awaiting.values() for s in sents} | {"id"}
    record = next((values[k] for k in low if k in names and values.get(k, "").strip()), "")
    if not record:
        raise InputError("no record id in this row", file=str(path), row=n,
                         expected="the Id column of the exported update file")
    sents = [s for s in awaiting.get(_norm(record), [])
             if all(col.lower() in values for col in s.cells)]
    if not sents:
        raise InputError(f"record {record} matches no exported correction that is waiting for its result",
                         file=str(path), row=n, expected="a row of an update file written by `workbench corrections "
                         "export-csv` whose result was not read yet")
    for sent in sents:
        for col, text in sent.cells.items():
            got = values[col.lower()]
            if got != text and not (text == BLANK and got == ""):
                raise InputError(f"record {record}: column {col} holds {got!r}, but correction "
                                 f"{sent.correction.id} exported {text!r}", file=str(path), row=n,
                                 expected="the loader's result for the exported file, unedited")
    return sents


def import_results(store: Store, user: str, *, success: Path | None = None,
                   error: Path | None = None) -> LoadResults:
    """Mark the corrections of a load's success rows applied and of its error rows dead letters
    (with the loader's message), all or nothing; one audit event per correction naming file and row."""
    if success is None and error is None:
        raise InputError("which results? give the loader's success file, its error file, or both")
    files = [(Path(p), ok) for p, ok in ((success, True), (error, False)) if p is not None]
    out = LoadResults()
    with store.session() as s:
        require(s, user, "push")
        awaiting = _awaiting(s)
        decided: dict[int, tuple[Path, int, bool, str]] = {}
        for path, ok in files:
            header, body, header_row = _read(path)
            low = [h.strip().lower() for h in header]
            if not ok and "error" not in low:
                raise InputError("no ERROR column", file=str(path), row=header_row,
                                 expected="the loader's error file (the refused rows with an ERROR column)")
            for n, cells in enumerate(body, start=header_row + 1):
                if not any(c.strip() for c in cells):
                    continue
                out.rows += 1
                message = " ".join(dict(zip(low, cells)).get("error" if not ok else "status", "").split())
                for sent in _match(path, n, header, cells, awaiting):
                    cid = sent.correction.id
                    if cid in decided:
                        before = decided[cid]
                        raise InputError(f"correction {cid} is already in {before[0].name} row {before[1]}",
                                         file=str(path), row=n, expected="each exported row once, in the success "
                                         "or in the error file")
                    decided[cid] = (path, n, ok, message)
        now = datetime.now(UTC)
        exceptions: list[int] = []
        for cid, (path, n, ok, message) in sorted(decided.items()):
            c = s.get(Correction, cid)
            assert c is not None  # locked by _awaiting
            ro = side_of(s, c.run_id, c.target_side)
            loader = ro.loader if ro is not None else "the loader"
            where = {"file": path.name, "path": str(path), "row": n, "route": "csv"}
            if ok:
                lifecycle.transition(s, c, CorrectionState.APPLIED, actor=user,
                                     reason=f"loaded by {loader}: {path.name} row {n}",
                                     detail={**where, "status": message or None},
                                     changes={"pushed_at": now, "response_id": f"{path.name}:{n}", "last_error": None})
                out.applied.append(cid)
            else:
                why = f"{loader} refused it: {message or 'no message'} ({path.name} row {n})"
                lifecycle.transition(s, c, CorrectionState.DEAD_LETTER, actor=user, reason=why,
                                     detail={**where, "message": message or None}, changes={"last_error": why})
                out.failed.append(cid)
                exc = s.get(ExceptionRow, c.exception_id) if c.exception_id is not None else None
                if exc is not None and exc.status not in (ExceptionStatus.WAIVED, ExceptionStatus.RESOLVED):
                    set_exception_status(s, exc, ExceptionStatus.REOPENED, actor=user, reason=why,
                                         detail={"correction_id": cid})
            if c.exception_id is not None:
                exceptions.append(c.exception_id)
        out.changes = Changes.of(corrections=sorted(decided), exceptions=exceptions)
    return out
