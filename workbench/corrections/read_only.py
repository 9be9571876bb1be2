"""Sources Recon Workbench reads but cannot write, and the route their corrections take instead.

A run whose side was read from files (CSV or XLSX extracts) has nothing to push to: a push
would only end in a dead letter. So a correction to such a side is refused when proposed for
a push, with what to do instead, and is proposed *for export* (``deliver="csv"``): once
approved by someone else (maker-checker as for any correction) it goes out in a Data
Loader-style update file (``workbench.corrections.dataloader``), a person loads that file
with Salesforce Data Loader or the ERP's import, and the tool's success and error files are
read back to mark each correction applied or failed. The pusher leaves these corrections
alone (``csv_route_ids``); the app's approvals screen explains the route (``route_notes``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.errors import InputError
from workbench.store.chunks import chunks
from workbench.store.db import Store
from workbench.store.schema import Correction, Run

# connector -> what the side is, in a person's words; these connectors have no write path
READ_ONLY_CONNECTORS = {"files": "CSV files"}
# the tool that loads an update file into the system the files were exported from
LOADERS = {"salesforce": "Salesforce Data Loader", "business_central": "Business Central's configuration "
           "package import", "odoo": "Odoo's import", "erpnext": "ERPNext's Data Import"}


class Deliver(StrEnum):
    PUSH = "push"  # written through the connector by `corrections push`
    CSV = "csv"    # exported for a person to load (`corrections export-csv`, then `import-results`)


@dataclass(frozen=True)
class ReadOnlySide:
    """One side of one run that Recon Workbench cannot write."""
    run_id: int | None
    side: str       # "crm" | "erp"
    connector: str  # "files"
    system: str     # what the files were exported from: "salesforce", "business_central", ...

    @property
    def words(self) -> str:
        return (f"the {self.side.upper()} side of run {self.run_id} is {READ_ONLY_CONNECTORS[self.connector]}, "
                "which Recon Workbench cannot write")

    @property
    def loader(self) -> str:
        return LOADERS.get(self.system, f"your {self.side.upper()}'s import")

    def instead(self, exception_id: int | None = None) -> str:
        """What to do instead of a push, for a person at the command line."""
        propose = (f"`workbench corrections propose {exception_id} --deliver csv`" if exception_id is not None
                   else "`--deliver csv`")
        return (f"propose it for export ({propose}); once approved, `workbench corrections export-csv` writes the "
                f"update file to load with {self.loader}, and `workbench corrections import-results` reads its "
                "success and error files back")


def read_only_side(config: dict[str, Any] | None, run_id: int | None, side: str) -> ReadOnlySide | None:
    """The side as stored with its run, when it cannot be written; None when it can."""
    part = (config or {}).get(side) or {}
    connector = part.get("connector") if isinstance(part, dict) else None
    if connector not in READ_ONLY_CONNECTORS:
        return None
    return ReadOnlySide(run_id, side, str(connector), str(part.get("system") or connector))


def side_of(s: Session, run_id: int | None, side: str) -> ReadOnlySide | None:
    run = s.get(Run, run_id) if run_id is not None else None
    return read_only_side(run.config if run is not None else None, run_id, side)


def check_route(s: Session, run_id: int | None, side: str, deliver: str | None, *,
                exception_id: int | None = None) -> Deliver:
    """The route a new correction takes; refuses a push to a side that cannot be written (and an
    export of one that can be pushed), saying what to do instead."""
    try:
        route = Deliver(deliver or Deliver.PUSH)
    except ValueError:
        raise InputError(f"deliver {deliver!r} is not a route", expected="push or csv") from None
    ro = side_of(s, run_id, side)
    where = f"exception {exception_id}: " if exception_id is not None else ""
    if ro is not None and route is Deliver.PUSH:
        raise InputError(f"{where}{ro.words}; {ro.instead(exception_id)}")
    if ro is None and route is Deliver.CSV:
        raise InputError(f"{where}the {side.upper()} side of run {run_id} is written through its connector; "
                         "propose the correction without --deliver csv and push it after approval")
    return route


def csv_route_ids(s: Session, rows: Iterable[Correction]) -> set[int]:
    """Those of ``rows`` whose target cannot be written: the pusher leaves them to the CSV route."""
    rows = list(rows)
    configs = _configs(s, {r.run_id for r in rows if r.run_id is not None})
    return {c.id for c in rows if read_only_side(configs.get(c.run_id), c.run_id, c.target_side) is not None}


def _configs(s: Session, run_ids: set[int]) -> dict[int | None, Any]:
    out: dict[int | None, Any] = {}
    for part in chunks(sorted(run_ids)):
        out.update((rid, cfg) for rid, cfg in s.execute(select(Run.id, Run.config).where(Run.id.in_(part))))
    return out


def route_notes(store: Store, correction_ids: Iterable[int]) -> dict[int, str]:
    """For the approvals screen: why each of these corrections is not pushed and how it reaches
    its system instead (only those on the CSV route)."""
    ids = sorted({int(i) for i in correction_ids})
    if not ids:
        return {}
    out: dict[int, str] = {}
    with store.session() as s:
        rows = [c for part in chunks(ids) for c in s.execute(select(Correction).where(Correction.id.in_(part)))
                .scalars()]
        configs = _configs(s, {r.run_id for r in rows if r.run_id is not None})
        for c in rows:
            ro = read_only_side(configs.get(c.run_id), c.run_id, c.target_side)
            if ro is not None:
                out[c.id] = (f"Not pushed: {ro.words}. Once approved, export it as a Data Loader-style CSV "
                             f"(`workbench corrections export-csv`), load that file with {ro.loader}, then read "
                             "the success and error files back (`workbench corrections import-results`).")
    return out


def refuse_push(s: Session, rows: Iterable[Correction]) -> None:
    """Refuse to queue for a push any of ``rows`` whose side cannot be written, saying what to do instead."""
    for c in rows:
        ro = side_of(s, c.run_id, c.target_side)
        if ro is not None:
            raise InputError(f"correction {c.id}: {ro.words}; export it again with `workbench corrections "
                             f"export-csv`, load it with {ro.loader}, and read the results back with "
                             "`workbench corrections import-results`")
