"""Issue 17, failure 8: a push killed while verifying left its corrections applied, unverified, and
their exceptions in review for ever. The next push now finds and verifies them."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.workbench.corrections.city_changes import city_exceptions, city_of
from workbench.cli import main
from workbench.corrections import service
from workbench.store.db import open_store

ROOT = Path(__file__).resolve().parents[3]
CHILD = r"""
import sys
from workbench.corrections import service
from workbench.store.db import open_store
service.push(open_store(sys.argv[1]), "ann")
"""


class VerificationGate:
    """Holds every sandbox request made once the store shows applied, unverified corrections: the
    pushing process has recorded its writes and is now re-reading to verify them."""

    def __init__(self, db: Path):
        self.db, self.armed = db, True
        self.reached, self.release = threading.Event(), threading.Event()

    def __call__(self) -> None:
        if self.armed and self._unverified():
            self.reached.set()
            self.release.wait(timeout=120)
        return None  # no fault: the request is then served as usual

    def _unverified(self) -> int:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30) as conn:
            return conn.execute("SELECT count(*) FROM corrections WHERE state = 'applied' "
                                "AND verification IS NULL").fetchone()[0]


@pytest.fixture
def bc_sandbox(tmp_path: Path):
    from workbench.sandbox.erp import start
    h = start(flavor="business-central", customers=10, state_dir=tmp_path / "bc")
    yield h
    h.stop()


@pytest.mark.slow
def test_a_push_killed_while_verifying_is_verified_by_the_next_push(bc_sandbox, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]):
    db = tmp_path / "store.sqlite3"
    url = f"sqlite:///{db}"
    store = open_store(url)
    try:
        eids, recs = city_exceptions(store, bc_sandbox, 3)
        cids = [service.propose(store, e, "carol") for e in eids]
        service.approve(store, cids, "bob")
    finally:
        store.dispose()

    gate = VerificationGate(db)
    bc_sandbox.faults.next_shot = gate  # the sandbox asks its faults before serving each API request
    child = subprocess.Popen([sys.executable, "-c", CHILD, url], cwd=str(ROOT),
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        reached = gate.reached.wait(timeout=120)
        assert reached, f"the push never reached verification: {child.stderr.read() if child.poll() else ''}"
        child.send_signal(signal.SIGKILL)
        child.wait()
    finally:
        gate.armed = False
        gate.release.set()
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stderr.close()

    store = open_store(url)
    try:
        states = service.list_corrections(store)
        assert set(states["state"]) == {"applied"} and states["verification"].isna().all()  # the crash's leftovers
        with store.session() as s:
            from sqlalchemy import select
            from workbench.store.schema import ExceptionRow
            assert {st for st, in s.execute(select(ExceptionRow.status))} == {"in_review"}
    finally:
        store.dispose()
    assert all(city_of(bc_sandbox, r["id"]) == f"Newtown {i}" for i, r in enumerate(recs))

    assert main(["corrections", "push", "--db", url, "--user", "ann"]) == 0
    out = capsys.readouterr().out
    assert "resumed verification of 3 correction(s) an interrupted push had applied" in out
    assert "verification: 3 agreed" in out

    store = open_store(url)
    try:
        after = service.list_corrections(store)
        assert set(after["verification"]) == {"agreed"}
        with store.session() as s:
            from sqlalchemy import select
            from workbench.store.schema import ExceptionRow
            assert {st for st, in s.execute(select(ExceptionRow.status))} == {"resolved"}
    finally:
        store.dispose()
    assert main(["audit", "verify", "--db", url]) == 0
