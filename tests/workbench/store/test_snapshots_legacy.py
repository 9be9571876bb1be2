"""Runs stored before snapshot parts existed (one ``snapshots`` row per record) still read and verify."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import update

from workbench.sources.base import content_hash
from workbench.store import coverage, repo, snapshots, trail
from workbench.store.schema import Run, Snapshot

CUSTOMERS = [("001A", {"Id": "001A", "Name": "Acme GmbH"}, {"record_id": "001A", "name": "Acme GmbH"}),
             ("001B", {"Id": "001B", "Name": "Ærø Fisk A/S"}, {"record_id": "001B", "name": "Ærø Fisk A/S"}),
             ("001C", {"Id": "001C", "Name": ""}, None)]  # a row read but dropped: no canonical record


def _legacy_run(store) -> int:
    """A run as the workbench stored it before: snapshot rows, and their digest in the run's event."""
    with store.session() as s:
        run = Run(name="old", status="completed", started_at=datetime.now(UTC), as_of=date(2026, 10, 31),
                  user_name="ann", software_version="0.1")
        s.add(run)
        s.flush()
        digest = coverage.Digest()
        for rid, raw, canon in CUSTOMERS:
            row = dict(side="crm", object="Account", kind="customers", record_id=rid, query="SELECT Id FROM Account",
                       content_hash=content_hash(raw), payload=json.dumps(raw),
                       canonical=json.dumps(canon) if canon else None)
            s.add(Snapshot(run_id=run.id, **row))
            digest.add(*row.values())
        trail.append(s, actor="ann", action="run.completed", entity_type="run", entity_id=run.id, run_id=run.id,
                     detail={"covered": {"snapshots": digest.result()}})
        return run.id


def test_an_older_run_reads_its_records_through_the_same_readers(store):
    run_id = _legacy_run(store)
    with store.session() as s:
        assert list(snapshots.records(s, run_id, "customers")) == [
            ("crm", "001A", CUSTOMERS[0][2]), ("crm", "001B", CUSTOMERS[1][2]), ("crm", "001C", None)]
        assert snapshots.count(s, run_id, "crm", "customers") == 3
    rec = repo.load_record(store, run_id, "crm", "customers", "001B")
    assert rec["raw"] == CUSTOMERS[1][1] and rec["canonical"] == CUSTOMERS[1][2] and rec["object"] == "Account"
    assert repo.customer_names(store, run_id) == {("crm", "001A"): "Acme GmbH", ("crm", "001B"): "Ærø Fisk A/S"}
    assert snapshots.load_extract(store, run_id, "crm") is None  # nothing to start an incremental re-run from


def test_an_older_run_is_still_covered_record_by_record(store):
    run_id = _legacy_run(store)
    with store.session() as s:
        assert coverage.snapshot_problems(s, run_id) == []
        s.execute(update(Snapshot).where(Snapshot.record_id == "001A")
                  .values(payload=json.dumps({"Id": "001A", "Name": "Acme Holding"})))
    with store.session() as s:
        problems = coverage.snapshot_problems(s, run_id)
    assert problems == ["run 1: its snapshots no longer match the digest in its run event: a stored record was "
                        "edited (CRM Account 001A) outside the workbench"]
