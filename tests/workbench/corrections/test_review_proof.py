"""`audit verify` proves an exception's assignee and resolution from the trail, not only its status.

Each case edits the exceptions table by SQL, as anyone with write access to the store can, on a store
that two real runs and real review decisions produced; verify must name the exception, the table's
value and the trail's. Before, only the status was compared: every edit below passed as intact.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.hostile.tamper import Tampered, isolated, sql, sql_value
from workbench.cli import main
from workbench.corrections import service
from workbench.review import assign as bulk_assign
from workbench.store.db import open_store
from workbench.team import concurrency

KEY = "review-proof-audit-key-0123456789abcdef"


@dataclass
class Reviewed:
    """Two runs of one scenario. In run 1: ``assigned`` given to ann (carried to run 2), ``resolved`` resolved
    with a reason (reopened in run 2 as found again), ``waived`` waived (the waiver carried to run 2); in run 2:
    ``bulk`` assigned to dave on the list screen. ``*_2``: the same finding in run 2."""
    path: Path
    assigned: int
    resolved: int
    waived: int
    assigned_2: int
    resolved_2: int
    waived_2: int
    bulk: int
    quiet: int


def _isolated(mp: pytest.MonkeyPatch, home: Path) -> None:
    isolated(mp, home, KEY)


def _in_run_2(store, eid: int) -> int:
    with store.session() as s:
        return s.execute(text("SELECT b.id FROM exceptions a JOIN exceptions b ON a.key = b.key AND b.run_id = 2 "
                              "WHERE a.id = :i"), {"i": eid}).scalar_one()


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Reviewed:
    d = tmp_path_factory.mktemp("review-proof")
    db = d / "store.sqlite3"
    url = f"sqlite:///{db}"
    with pytest.MonkeyPatch.context() as mp:
        _isolated(mp, d / "home")
        assert main(["scenario", "--seed", "11", "--customers", "30", "--out", str(d / "scenario")]) == 0
        run = ["run", "--config", str(d / "scenario" / "run.toml"), "--db", url, "--user", "ann"]
        assert main(run) == 0
        store = open_store(url)
        try:
            with store.session() as s:
                ids = list(s.execute(text("SELECT id FROM exceptions WHERE run_id = 1 ORDER BY id")).scalars())
            assigned, resolved, waived, quiet = ids[:4]
            concurrency.assign(store, assigned, "ann", "bob", 1)
            concurrency.resolve(store, resolved, "bob", 1, "credit note CN-7 posted in the ERP")
            service.waive(store, [waived], "bob", "below the audit threshold, agreed with the controller")
            assert main(run + ["--full"]) == 0
            assigned_2, resolved_2, waived_2 = (_in_run_2(store, i) for i in (assigned, resolved, waived))
            bulk = _in_run_2(store, quiet) + 1
            bulk_assign.assign(store, [bulk], "bob", "dave")
        finally:
            store.dispose()
    return Reviewed(db, assigned, resolved, waived, assigned_2, resolved_2, waived_2, bulk, _in_run_2(store, quiet))


@pytest.fixture
def tampered(reviewed: Reviewed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Tampered, Reviewed]:
    _isolated(monkeypatch, tmp_path / "home")
    path = tmp_path / "store.sqlite3"
    shutil.copyfile(reviewed.path, path)
    t = Tampered(f"sqlite:///{path}", 0, 0, 0, 0, reviewed.quiet)
    code, out = t.verify()
    assert code == 0 and "audit trail intact" in out, out
    return t, reviewed


def _edit(t: Tampered, eid: int, column: str, value: str | None) -> None:
    sql(t, f"UPDATE exceptions SET {column} = :v WHERE id = :i", v=value, i=eid)


CASES = [
    ("assignee-changed-after-an-assignment", "assigned", "assignee", "mallory",
     "exception {id}: the table says assignee 'mallory', the trail proves 'ann' (event"),
    ("assignee-cleared-after-an-assignment", "assigned", "assignee", None,
     "exception {id}: the table says assignee (none), the trail proves 'ann'"),
    ("assignee-with-a-trailing-space", "assigned", "assignee", "ann ",
     "exception {id}: the table says assignee 'ann ', the trail proves 'ann'"),
    ("resolution-rewritten", "resolved", "resolution", "written off, approved by the CFO",
     "exception {id}: the table says resolution 'written off, approved by the CFO', the trail proves "
     "'credit note CN-7 posted in the ERP' (event"),
    ("waiver-reason-rewritten", "waived", "resolution", "fixed at the source",
     "the trail proves 'below the audit threshold, agreed with the controller' (event"),
    ("list-screen-assignment-changed", "bulk", "assignee", "mallory",
     "exception {id}: the table says assignee 'mallory', the trail proves 'dave' (event"),
    ("untouched-finding-given-an-assignee", "quiet", "assignee", "mallory",
     "exception {id}: the table says assignee 'mallory', the trail proves (none) (the value it was stored with; "
     "no event changed it)"),
    ("untouched-finding-given-a-resolution", "quiet", "resolution", "explained",
     "exception {id}: the table says resolution 'explained', the trail proves (none)"),
    ("carried-assignee-changed", "assigned_2", "assignee", "mallory",
     "exception {id}: the table says assignee 'mallory', the trail proves 'ann' (the value it was stored with"),
    ("carried-waiver-reason-changed", "waived_2", "resolution", "fixed at the source",
     "the trail proves 'below the audit threshold, agreed with the controller' (the value it was stored with"),
    ("found-again-note-changed", "resolved_2", "resolution", "credit note CN-7 posted in the ERP",
     "the trail proves 'found again after it was resolved' (the value it was stored with"),
]


@pytest.mark.parametrize("which, column, value, says", [pytest.param(w, c, v, s, id=i) for i, w, c, v, s in CASES])
def test_an_assignee_or_resolution_edited_in_the_store_is_named(tampered, which, column, value, says):
    t, r = tampered
    eid = getattr(r, which)
    _edit(t, eid, column, value)
    code, out = t.verify()
    assert code == 1, out
    assert says.format(id=eid) in out, out


def test_an_edit_before_a_later_assignment_is_named_at_that_assignment(tampered):
    """An assignee put in by SQL and then changed through the workbench: the later event records the forged value
    as its 'before', which is not what the trail had."""
    t, r = tampered
    _edit(t, r.assigned, "assignee", "mallory")
    store = open_store(t.url)
    try:
        version = sql_value(t, "SELECT version FROM exceptions WHERE id = :i", i=r.assigned)
        concurrency.assign(store, r.assigned, "carol", "bob", version)
    finally:
        store.dispose()
    code, out = t.verify()
    assert code == 1
    assert (f"exception {r.assigned}: event") in out and "changes its assignee from 'mallory' but the trail had it " \
        "'ann' (event" in out, out


def test_a_resolution_the_automatic_immaterial_waiver_wrote_is_proven_too(tmp_path, monkeypatch):
    """The close's materiality rule waives small findings as the run is stored; its event now carries the resolution
    it writes, so a rewritten one is named (it was left uncompared, with a count of such findings)."""
    from tests.workbench.test_pipeline_materiality import RATES
    from workbench import config as config_mod
    from workbench.close.fx import set_rates
    from workbench.close.materiality import parse_thresholds, set_materiality
    from workbench.close.periods import get_period
    from workbench.pipeline import execute_run
    from workbench.sandbox.scenario import generate

    _isolated(monkeypatch, tmp_path / "home")
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    config = config_mod.load(generate(3, 20, tmp_path / "s", invoices_per_customer=3) / "run.toml")
    store = open_store(url)
    try:
        execute_run(config, store, user="ann")
        with store.session() as s:
            set_rates(s, get_period(s, config.period), "EUR", RATES, "rates.csv sha256:00")
        set_materiality(store, config.period, "ann", parse_thresholds("5000", []))
        run_id = execute_run(config, store, user="ann").run_id
        with store.session() as s:
            waived = s.execute(text("SELECT id, resolution FROM exceptions WHERE run_id = :r AND status = 'waived' "
                                    "ORDER BY id LIMIT 1"), {"r": run_id}).one()
    finally:
        store.dispose()
    assert waived.resolution.startswith("auto-waived: immaterial (")
    t = Tampered(url, 0, 0, 0, 0, waived.id)
    code, out = t.verify()
    assert code == 0 and "audit trail intact" in out, out
    _edit(t, waived.id, "resolution", "agreed with the customer")
    code, out = t.verify()
    assert code == 1, out
    assert (f"exception {waived.id}: the table says resolution 'agreed with the customer', the trail proves "
            f"'{waived.resolution}' (event") in out, out
