"""Issue 17, failure 1: someone with write access to the store edits it behind the workbench's back.

Each case tampers with a store that a real run and real decisions produced (scenario files →
``workbench run`` → propose/approve/reject on the command line), then asks ``workbench audit
verify``: it must exit 1 and name the record, what the table holds and what the trail proves.
``corrections push`` must refuse, before anything reaches the ERP, a correction whose approval
the trail does not prove. On PostgreSQL the audit table itself refuses to be changed.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from tests.hostile.tamper import Tampered, isolated, sql, sql_value
from workbench.cli import main
from workbench.corrections import service
from workbench.errors import WorkbenchError
from workbench.store import trail
from workbench.store.db import open_store
from datetime import UTC

KEY = "tamper-test-audit-key-0123456789abcdef"


@dataclass
class Built:
    """A store with one run and three corrections: A approved (by bob, proposed by carol), B
    rejected, C proposed; ``quiet`` is an exception nobody has touched."""
    path: Path
    a: int
    b: int
    c: int
    exc_c: int
    quiet: int


def _isolated(mp: pytest.MonkeyPatch, home: Path) -> None:
    isolated(mp, home, KEY)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    d = tmp_path_factory.mktemp("tamper")
    db = d / "store.sqlite3"
    with pytest.MonkeyPatch.context() as mp:
        _isolated(mp, d / "home")
        assert main(["scenario", "--seed", "11", "--customers", "30", "--out", str(d / "scenario")]) == 0
        assert main(["run", "--config", str(d / "scenario" / "run.toml"), "--db", f"sqlite:///{db}",
                     "--user", "ann"]) == 0
        store = open_store(f"sqlite:///{db}")
        try:
            with store.session() as s:
                ids = list(s.execute(text("SELECT id FROM exceptions WHERE proposal IS NOT NULL ORDER BY id"))
                           .scalars())
            made: list[tuple[int, int]] = []
            for eid in ids:
                try:
                    made.append((service.propose(store, eid, "carol", deliver="csv"), eid))  # a files run
                except WorkbenchError:
                    continue  # needs a human decision: not the kind of correction this needs
                if len(made) == 3:
                    break
            (a, _), (b, _), (c, exc_c) = made
            service.approve(store, [a], "bob")
            service.reject(store, [b], "bob", "the CRM is right here")
            with store.session() as s:
                quiet = s.execute(text(
                    "SELECT id FROM exceptions WHERE amount_at_risk IS NOT NULL AND id NOT IN "
                    "(SELECT exception_id FROM corrections) ORDER BY id LIMIT 1")).scalar()
        finally:
            store.dispose()
    return Built(db, a, b, c, exc_c, quiet)


@pytest.fixture
def tampered(built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Tampered:
    """A fresh copy of the built store that this computer has verified once (so it holds a
    local anchor for it), with the audit key in the environment."""
    _isolated(monkeypatch, tmp_path / "home")
    path = tmp_path / "store.sqlite3"
    shutil.copyfile(built.path, path)
    t = Tampered(f"sqlite:///{path}", built.a, built.b, built.c, built.exc_c, built.quiet)
    code, out = t.verify()
    assert code == 0 and "audit trail intact" in out, out
    return t


def _forge_event(t: Tampered, *, action: str, entity_id: int, actor: str, detail: dict[str, Any]) -> None:
    """Append an event computed with the published hash rule, chained onto the real head."""
    last_id, last_hash = sql(t, "SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")[0]
    from datetime import datetime
    at = datetime.now(UTC)
    h = trail.event_hash(last_hash, last_id + 1, at, actor, action, "correction", str(entity_id), None, detail)
    sql(t, "INSERT INTO audit_events (id, at, actor, action, entity_type, entity_id, run_id, detail, prev_hash, "
           "hash) VALUES (:id, :at, :actor, :action, 'correction', :eid, NULL, :detail, :prev, :h)",
        id=last_id + 1, at=at.replace(tzinfo=None), actor=actor, action=action, eid=str(entity_id),
        detail=json.dumps(detail), prev=last_hash, h=h)


def _event_detail(t: Tampered, event_id: int) -> dict[str, Any]:
    return json.loads(sql_value(t, "SELECT detail FROM audit_events WHERE id = :i", i=event_id))


def _rechain_from(t: Tampered, first: int) -> None:
    """Recompute every hash from ``first`` on with the published rule, as a store editor would."""
    from workbench.store.schema import AuditEvent
    store = open_store(t.url)
    try:
        with store.engine.begin() as conn:
            prev = conn.execute(text("SELECT hash FROM audit_events WHERE id = :i"), {"i": first - 1}).scalar()
        with store.sessions() as s:
            for ev in s.query(AuditEvent).filter(AuditEvent.id >= first).order_by(AuditEvent.id):
                h = trail.event_hash(prev, ev.id, ev.at, ev.actor, ev.action, ev.entity_type, ev.entity_id,
                                     ev.run_id, ev.detail)
                s.execute(text("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE id = :i"),
                          {"p": prev, "h": h, "i": ev.id})
                prev = h
            s.commit()
    finally:
        store.dispose()


def _approval_forged(t: Tampered) -> None:
    """C (proposed by carol) approved in the table by mallory, with a matching forged event."""
    sql(t, "UPDATE corrections SET state = 'approved', approver = 'mallory', version = 2 WHERE id = :c", c=t.c)
    detail = _event_detail(t, int(sql_value(t, "SELECT max(id) FROM audit_events WHERE entity_type = 'correction' "
                                               "AND entity_id = :c", c=str(t.c))))
    detail.update(state_before="proposed", state_after="approved", approver="mallory", preparer="carol", version=2)
    _forge_event(t, action="correction.approved", entity_id=t.c, actor="mallory", detail=detail)


def _anchor_moved_to_head(t: Tampered) -> None:
    """The anchor row rewritten to the forged head (without the key, its MAC cannot follow)."""
    n, h = sql(t, "SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")[0]
    sql(t, "UPDATE audit_anchor SET events = :n, head_hash = :h", n=n, h=h)


def _rejection_turned_into_approval(t: Tampered) -> None:
    """B's rejection event edited into an approval by mallory, the chain recomputed from there."""
    ev = int(sql_value(t, "SELECT id FROM audit_events WHERE action = 'correction.rejected' AND entity_id = :b",
                       b=str(t.b)))
    detail = _event_detail(t, ev)
    detail.update(state_after="approved", approver="mallory", reason=None)
    sql(t, "UPDATE audit_events SET action = 'correction.approved', actor = 'mallory', detail = :d WHERE id = :i",
        d=json.dumps(detail), i=ev)
    sql(t, "UPDATE corrections SET state = 'approved', approver = 'mallory' WHERE id = :b", b=t.b)
    _rechain_from(t, ev)


def _then_a_write_through_the_workbench(t: Tampered) -> None:
    """After the edit, someone assigns an untouched exception: their write moves the keyed anchor to the new end
    of the trail, with a MAC the workbench can make. Before, that erased the evidence of the edit: verify said
    intact (only this computer's record, absent here, would have caught it)."""
    from workbench.team import concurrency
    store = open_store(t.url)
    try:
        version = sql_value(t, "SELECT version FROM exceptions WHERE id = :e", e=t.quiet)
        concurrency.assign(store, t.quiet, "ann", "bob", version)
    finally:
        store.dispose()


def _rolled_back_to_an_older_anchor(t: Tampered) -> None:
    """Snapshot the keyed anchor, let D be proposed, then cut D out of the trail and put the old
    anchor back: a consistent, correctly keyed older state. Only this computer's record knows."""
    n, h, m = sql(t, "SELECT events, head_hash, mac FROM audit_anchor")[0]
    store = open_store(t.url)
    try:
        with store.session() as s:
            eid = s.execute(text("SELECT id FROM exceptions WHERE proposal IS NOT NULL AND id NOT IN "
                                 "(SELECT exception_id FROM corrections) ORDER BY id")).scalars().all()
        for e in eid:
            try:
                d = service.propose(store, e, "carol", deliver="csv")  # the scenario is a files run
                break
            except WorkbenchError:
                continue
    finally:
        store.dispose()
    assert t.verify()[0] == 0  # this computer now holds the longer head
    sql(t, "DELETE FROM audit_events WHERE id > :n", n=n)
    sql(t, "DELETE FROM corrections WHERE id = :d", d=d)
    sql(t, "UPDATE exceptions SET status = 'open', version = 1 WHERE id = :e", e=e)
    sql(t, "UPDATE audit_anchor SET events = :n, head_hash = :h, mac = :m", n=n, h=h, m=m)


def _edited_part(t: Tampered) -> tuple[str, bytes]:
    """An ERP invoice's raw payload with one amount changed, written back into its Parquet part
    the way anyone with pyarrow can: (the part's SHA-256, the edited part's bytes)."""
    import io

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    sha, content = sql(t, "SELECT b.sha256, b.content FROM snapshot_parts p JOIN snapshot_blobs b "
                          "ON b.sha256 = p.sha256 WHERE p.run_id = 1 AND p.side = 'erp' AND p.part = 'raw:invoices'")[0]
    table = pq.read_table(pa.BufferReader(content))
    payload = table.column("payload").to_pylist()
    payload[0] = payload[0].replace("1", "7")
    table = table.set_column(table.schema.get_field_index("payload"), "payload", pa.array(payload))
    assert pc.sum(pc.equal(table.column("payload"), pa.scalar(payload[0]))).as_py() == 1
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return sha, buf.getvalue()


def _snapshot_part_edited(t: Tampered) -> None:
    sha, content = _edited_part(t)
    sql(t, "UPDATE snapshot_blobs SET content = :c WHERE sha256 = :s", c=content, s=sha)


def _snapshot_part_replaced_under_its_own_hash(t: Tampered) -> None:
    """The editor stores the edited part under its own SHA-256 and points the run at it."""
    import hashlib
    sha, content = _edited_part(t)
    new = hashlib.sha256(content).hexdigest()
    sql(t, "INSERT INTO snapshot_blobs (sha256, size, content) VALUES (:s, :n, :c)", s=new, n=len(content),
        c=content)
    sql(t, "UPDATE snapshot_parts SET sha256 = :new WHERE sha256 = :old", new=new, old=sha)


# (id, tamper, what `audit verify` must say)
CASES: list[tuple[str, Callable[[Tampered], None], Callable[[Tampered], list[str]]]] = [
    ("state-edited-rejected-to-approved",
     lambda t: sql(t, "UPDATE corrections SET state = 'approved', approver = 'ann' WHERE id = :b", b=t.b),
     lambda t: [f"correction {t.b}: the table says state 'approved', the trail proves 'rejected'",
                f"correction {t.b}: the table says approver 'ann', the trail proves no approval"]),
    ("last-event-deleted",
     lambda t: sql(t, "DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)"),
     lambda t: ["1 event(s) were deleted"]),
    ("last-three-events-deleted",
     lambda t: sql(t, "DELETE FROM audit_events WHERE id > (SELECT max(id) - 3 FROM audit_events)"),
     lambda t: ["3 event(s) were deleted"]),
    ("every-event-deleted",
     lambda t: sql(t, "DELETE FROM audit_events"),
     lambda t: ["event(s) were deleted", f"correction {t.a} has no proposal in the audit trail",
                "run 1 has no event in the audit trail"]),
    ("every-event-and-the-anchor-deleted",
     lambda t: (sql(t, "DELETE FROM audit_events"), sql(t, "DELETE FROM audit_anchor")),
     lambda t: ["this computer recorded event", "the trail now ends at event 0: events were deleted"]),
    ("approval-forged-with-the-published-hash-rule",
     _approval_forged,
     lambda t: ["events were appended outside the workbench"]),
    ("approval-forged-and-anchor-moved",
     lambda t: (_approval_forged(t), _anchor_moved_to_head(t)),
     lambda t: ["the anchor's MAC does not match"]),
    ("event-edited-and-rechained",
     _rejection_turned_into_approval,
     lambda t: ["does not have the hash its anchor records: events were rewritten and re-chained"]),
    ("event-edited-rechained-then-a-write",
     lambda t: (_rejection_turned_into_approval(t), _then_a_write_through_the_workbench(t)),
     lambda t: ["the next write found the trail ending at event", "the trail was changed outside the workbench "
                "before then"]),
    ("event-edited-rechained-and-anchor-moved",
     lambda t: (_rejection_turned_into_approval(t), _anchor_moved_to_head(t)),
     lambda t: ["the anchor's MAC does not match"]),
    ("correction-value-changed",
     lambda t: sql(t, "UPDATE corrections SET to_value = :v WHERE id = :a", v=json.dumps("999999.99"), a=t.a),
     lambda t: [f"correction {t.a}: the table says", "'999999.99', the trail proves"]),
    ("correction-row-deleted",
     lambda t: sql(t, "DELETE FROM corrections WHERE id = :c", c=t.c),
     lambda t: [f"correction {t.c} is in the audit trail but not in the table"]),
    ("exception-status-changed",
     lambda t: sql(t, "UPDATE exceptions SET status = 'resolved' WHERE id = :e", e=t.exc_c),
     lambda t: [f"exception {t.exc_c}: the table says status 'resolved', the trail proves 'in_review'"]),
    ("untouched-exception-waived",
     lambda t: sql(t, "UPDATE exceptions SET status = 'waived' WHERE id = :e", e=t.quiet),
     lambda t: ["run 1: its exceptions no longer match the digest in its run event"]),
    ("exception-amount-changed",
     lambda t: sql(t, "UPDATE exceptions SET amount_at_risk = '0.00' WHERE id = :e", e=t.quiet),
     lambda t: ["run 1: its exceptions no longer match", "values, amounts or first status were edited"]),
    ("snapshot-part-edited",
     _snapshot_part_edited,
     lambda t: ["run 1: its snapshot parts no longer match the digest in its run event: a stored record was "
                "edited (ERP part raw:invoices)"]),
    ("snapshot-part-replaced-under-its-own-hash",
     _snapshot_part_replaced_under_its_own_hash,
     lambda t: ["run 1: its snapshot parts no longer match the digest in its run event: a stored record was "
                "edited outside the workbench"]),
    ("snapshot-part-deleted",
     lambda t: sql(t, "DELETE FROM snapshot_parts WHERE id = (SELECT max(id) FROM snapshot_parts)"),
     lambda t: ["snapshot part(s), its run event records", "were added or deleted outside the workbench"]),
    ("run-as-of-moved-back",  # every overdue status and the workbook's cover rest on it
     lambda t: sql(t, "UPDATE runs SET as_of = '2020-01-01' WHERE id = 1"),
     lambda t: ["run 1: the table says as of '2020-01-01', the trail proves '2026-10-31' (event 1)"]),
    ("run-user-changed",
     lambda t: sql(t, "UPDATE runs SET user_name = 'mallory' WHERE id = 1"),
     lambda t: ["run 1: the table says it was run by 'mallory', the trail proves 'ann' (event 1)"]),
    ("run-renamed",
     lambda t: sql(t, "UPDATE runs SET name = 'November close' WHERE id = 1"),
     lambda t: ["run 1: the table says name 'November close', the trail proves"]),
    ("run-source-row-counts-edited",
     lambda t: sql(t, "UPDATE run_sources SET row_counts = :v WHERE side = 'crm'", v=json.dumps({"invoices": 1})),
     lambda t: ["run 1: the table says the crm source delivered rows {'invoices': 1}, the trail proves {"]),
    ("run-source-hash-edited",
     lambda t: sql(t, "UPDATE run_sources SET content_hash = :v WHERE side = 'erp'", v="0" * 64),
     lambda t: [f"run 1: the table says the erp source's content hash '{'0' * 64}', the trail proves '"]),
    ("run-control-totals-edited",  # the workbook's control totals are the run's summary
     lambda t: sql(t, "UPDATE runs SET summary = json_set(summary, '$.exceptions', 0) WHERE id = 1"),
     lambda t: ["run 1: the table says a summary (control totals and counts) other than the one the trail "
                "proves (event 1)"]),
    ("run-settings-edited",
     lambda t: sql(t, "UPDATE runs SET config = json_set(config, '$.run.as_of', '2020-01-01') WHERE id = 1"),
     lambda t: ["run 1: the table says a config (settings) other than the one the trail proves (event 1)"]),
    ("run-period-edited",
     lambda t: sql(t, "UPDATE runs SET period = '2020-01' WHERE id = 1"),
     lambda t: ["run 1: the table says period '2020-01', the trail proves"]),
    ("run-marked-failed",
     lambda t: sql(t, "UPDATE runs SET status = 'failed' WHERE id = 1"),
     lambda t: ["run 1: the table says failed, the trail proves completed"]),
    ("rolled-back-to-an-older-keyed-anchor",
     _rolled_back_to_an_older_anchor,
     lambda t: ["this computer recorded event", "events were deleted"]),
]


@pytest.mark.parametrize("tamper,expected", [pytest.param(f, e, id=i) for i, f, e in CASES])
def test_audit_verify_refuses_a_tampered_store_naming_what_differs(tampered: Tampered, tamper, expected):
    tamper(tampered)
    code, out = tampered.verify()
    assert code == 1, out
    assert "does NOT prove" in out and "audit trail intact" not in out
    for fragment in expected(tampered):
        assert fragment in out, out


def test_an_untouched_store_verifies_intact_with_every_record_proven(tampered: Tampered):
    code, out = tampered.verify()
    assert code == 0, out
    assert "audit trail intact" in out and "3 correction(s)" in out and "note" not in out


def test_a_verifier_without_the_key_says_the_mac_was_not_checked(tampered: Tampered,
                                                                   monkeypatch: pytest.MonkeyPatch):
    _approval_forged(tampered)
    _anchor_moved_to_head(tampered)
    monkeypatch.delenv("WORKBENCH_AUDIT_KEY")
    _, out = tampered.verify()
    assert "no audit key here (WORKBENCH_AUDIT_KEY or the keyring): the anchor's MAC was not checked" in out
    monkeypatch.setenv("WORKBENCH_AUDIT_KEY", KEY)
    code, out = tampered.verify()
    assert code == 1 and "the anchor's MAC does not match" in out


# ---------------------------------------------------------------- push refuses what the trail does not prove


@pytest.fixture
def bc_sandbox(tmp_path: Path):
    from workbench.sandbox.erp import start
    h = start(flavor="business-central", customers=12, state_dir=tmp_path / "bc")
    yield h
    h.stop()


def _reject(store: Any, cid: int) -> None:
    service.reject(store, [cid], "bob", "the ERP is right")


def _approve(store: Any, cid: int) -> None:
    service.approve(store, [cid], "bob")


# (id, the legitimate step, the store edit that follows it, what push must say)
PUSH_CASES = [
    ("rejected-then-edited-to-approved", _reject,
     "UPDATE corrections SET state = 'approved', approver = 'ann' WHERE id = :c",
     "the trail holds no approval of it (the trail has it rejected)"),
    ("proposed-then-edited-to-approved", None,
     "UPDATE corrections SET state = 'approved', approver = 'ann' WHERE id = :c",
     "the trail holds no approval of it (the trail has it proposed)"),
    ("proposed-then-edited-to-queued", None,
     "UPDATE corrections SET state = 'queued' WHERE id = :c",
     "the trail holds no approval of it (the trail has it proposed)"),
    ("approved-then-value-changed", _approve,
     "UPDATE corrections SET to_value = '\"Mallory Town\"' WHERE id = :c",
     "'Mallory Town', the trail proves"),
    ("approved-then-approver-changed", _approve,
     "UPDATE corrections SET approver = 'carol' WHERE id = :c",
     "the table says approver 'carol', the trail proves approved by 'bob'"),
    # the version the approver saw is what Business Central's If-Match carries: a row given the record's
    # latest etag would overwrite a change made since approval
    ("approved-then-seen-version-changed", _approve,
     "UPDATE corrections SET seen_version = 'W/\"JzE7MDsn\"' WHERE id = :c",
     "the table says the record's version seen at approval 'W/\"JzE7MDsn\"', the trail proves (none)"),
    # the run decides the period lock and the connector the correction is pushed with
    ("approved-then-moved-to-another-run", _approve,
     "UPDATE corrections SET run_id = 99 WHERE id = :c",
     "the table says run 99, the trail proves run 1"),
]


@pytest.mark.parametrize("step,edit,why", [pytest.param(s, e, w, id=i) for i, s, e, w in PUSH_CASES])
def test_push_refuses_a_correction_whose_approval_the_trail_does_not_prove(
        step, edit, why, bc_sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    from tests.workbench.corrections.city_changes import city_exceptions, city_of
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = open_store(url)
    try:
        (e_bad, e_good), (r_bad, r_good) = city_exceptions(store, bc_sandbox, 2)
        bad, good = service.propose(store, e_bad, "carol"), service.propose(store, e_good, "carol")
        service.approve(store, [good], "bob")
        if step is not None:
            step(store, bad)
    finally:
        store.dispose()
    sql(Tampered(url, 0, 0, 0, 0, 0), edit, c=bad)
    state_before = sql_value(Tampered(url, 0, 0, 0, 0, 0), "SELECT state FROM corrections WHERE id = :c", c=bad)
    events_before = sql_value(Tampered(url, 0, 0, 0, 0, 0), "SELECT count(*) FROM audit_events WHERE "
                                                            "entity_id = :c AND entity_type = 'correction'", c=str(bad))

    code = main(["corrections", "push", "--db", url, "--user", "ann", "--no-wait"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"correction {bad} not pushed: its approval is not proven by the audit trail: " in err and why in err, err
    # nothing reached the ERP for it, and the correction was left as found (no event, no new state)
    assert city_of(bc_sandbox, r_bad["id"]) == r_bad["city"]
    t = Tampered(url, 0, 0, 0, 0, 0)
    assert sql_value(t, "SELECT state FROM corrections WHERE id = :c", c=bad) == state_before
    assert sql_value(t, "SELECT count(*) FROM audit_events WHERE entity_id = :c AND entity_type = 'correction'",
                     c=str(bad)) == events_before
    # the proven one beside it went through
    assert city_of(bc_sandbox, r_good["id"]) == "Newtown 1"
    assert sql_value(t, "SELECT state FROM corrections WHERE id = :c", c=good) == "applied"


# ---------------------------------------------------------------- PostgreSQL: the audit table refuses


PG_TAMPERS = [
    ("delete-every-event", "DELETE FROM audit_events"),
    ("delete-the-last-event", "DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events)"),
    ("truncate", "TRUNCATE audit_events"),
    ("edit-an-event", "UPDATE audit_events SET actor = 'mallory' WHERE id = 1"),
    ("re-chain-an-event", "UPDATE audit_events SET hash = repeat('0', 64) WHERE id = 1"),
]


@pytest.mark.parametrize("statement", [pytest.param(s, id=i) for i, s in PG_TAMPERS])
def test_postgres_refuses_to_change_or_remove_audit_events(pg_store: Any, statement: str,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]):
    from sqlalchemy.exc import DBAPIError

    from tests.workbench.corrections.conftest import add_exception, add_run
    monkeypatch.setenv("WORKBENCH_AUDIT_KEY", KEY)
    run = add_run(pg_store)
    cid = service.propose(pg_store, add_exception(pg_store, run), "carol")
    service.approve(pg_store, [cid], "bob")
    with pytest.raises(DBAPIError, match="audit_events is append-only"):
        with pg_store.engine.begin() as conn:
            conn.execute(text(statement))
    assert main(["audit", "verify", "--db", pg_store.url]) == 0
    assert "audit trail intact: the state of 1 correction(s)" in capsys.readouterr().out
    # and the application keeps appending
    service.reject(pg_store, [service.propose(pg_store, add_exception(pg_store, run, crm_id="a0B000000000002AAA",
                                                                      erp_id="INV-2"), "carol")], "bob", "no")
    assert main(["audit", "verify", "--db", pg_store.url]) == 0


# ---------------------------------------------------------------- export --verify reads the run's snapshots


@pytest.mark.parametrize("tamper", [_snapshot_part_edited, _snapshot_part_replaced_under_its_own_hash])
def test_export_verify_says_the_store_changed_when_a_snapshot_part_was_edited(tampered: Tampered, tmp_path: Path,
                                                                               tamper):
    from workbench.export.workbook import verify_workbook, write_workbook
    store = open_store(tampered.url)
    try:
        write_workbook(store, 1, tmp_path / "audit.xlsx")
        assert verify_workbook(store, tmp_path / "audit.xlsx").ok
        tamper(tampered)
        rep = verify_workbook(store, tmp_path / "audit.xlsx")
    finally:
        store.dispose()
    assert not rep.ok and rep.store_changed and not rep.file_edits
    assert any("run 1: its snapshot parts no longer match the digest in its run event" in c
               for c in rep.store_changes), rep.lines()
