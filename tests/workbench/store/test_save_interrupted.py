"""A run stopped while it is being stored (cancelled, or its process killed) leaves the previous
run exactly as it was and no part of itself: no snapshot part, blob, link or exception."""

from __future__ import annotations

import contextlib
import io
import selectors
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from workbench import config as cfg
from workbench.cli import main
from workbench.errors import Cancelled
from workbench.pipeline import execute_run
from workbench.progress import Progress
from workbench.sandbox.scenario import generate
from workbench.store import repo, snapshots
from workbench.store.db import Store, open_store
from workbench.store.schema import CustomerLink, ExceptionRow, Run, SnapshotBlob, SnapshotPart

WAIT_S = 120


class StopWhileSaving(Progress):
    """Counts the cancel checks made while the run is being stored; says "cancel" at check ``at``."""

    def __init__(self, at: int | None = None) -> None:
        self.saving = False
        self.checks = 0
        self.at = at

    def set_progress(self, done: int, total: int | None = None, message: str = "") -> None:
        self.saving = self.saving or message == "Saving the run"

    @property
    def cancelled(self) -> bool:
        if not self.saving:
            return False
        self.checks += 1
        return self.at is not None and self.checks >= self.at


class AnnounceWhileSaving(StopWhileSaving):
    """For a child process a test kills: at cancel check ``argv[3]`` of the save it prints "storing" and waits on
    stdin, mid-transaction, until the parent kills it."""

    @property
    def cancelled(self) -> bool:
        if self.saving:
            self.checks += 1
            if self.checks == int(sys.argv[3]):
                print("storing", flush=True)
                sys.stdin.readline()  # held here, mid-transaction, until the parent kills the process
        return False


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    return generate(3, 30, tmp_path_factory.mktemp("scn") / "s", invoices_per_customer=4)


def _state_of(store: Store) -> dict[str, object]:
    with store.session() as s:
        counts = {t.__tablename__: s.execute(select(func.count()).select_from(t)).scalar()
                  for t in (SnapshotPart, SnapshotBlob, CustomerLink, ExceptionRow)}
        counts["completed"] = s.execute(select(func.count()).select_from(Run).where(Run.status == "completed")).scalar()
    first = repo.latest_run_id(store)
    ex = snapshots.load_extract(store, first, "erp")
    exceptions = repo.load_exceptions(store, first)[["key", "status"]].values.tolist()
    return {**counts, "latest": first, "exceptions": exceptions,
            "erp_invoices": ex.frames["invoices"].values.tolist(), "erp_raw": ex.snapshots.values.tolist()}


def _verifies(url: str) -> bool:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        return main(["audit", "verify", "--db", url]) == 0


def test_a_run_cancelled_at_any_point_of_its_save_leaves_the_previous_run_whole(tmp_path, scenario):
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    conf = cfg.load(scenario / "run.toml")
    counting = StopWhileSaving()
    execute_run(conf, store, user="ann", state=counting)
    checks = counting.checks  # snapshot parts of both sides, links, exception batches
    assert checks > 4
    before = _state_of(store)
    # every check: each snapshot part (the one before it still compressing on the worker thread),
    # each batch of links and exceptions, the last one after the exceptions
    for at in range(1, checks + 1):
        with pytest.raises(Cancelled):
            execute_run(conf, store, user="ann", state=StopWhileSaving(at))
        assert _state_of(store) == before, at
    assert [r["status"] for r in repo.list_runs(store)] == ["cancelled"] * checks + ["completed"]
    assert _verifies(store.url)
    store.dispose()


def test_a_part_that_fails_to_compress_stops_the_save_with_nothing_stored(tmp_path, scenario, monkeypatch):
    """A part is compressed on a worker thread while the next is encoded: its failure there (a
    full disk, no memory) reaches the run, which stores nothing of itself."""
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    conf = cfg.load(scenario / "run.toml")
    execute_run(conf, store, user="ann")
    before = _state_of(store)
    written = snapshots._parquet
    calls = []

    def fails_on_the_third(table):
        calls.append(table.num_rows)
        if len(calls) == 3:
            raise OSError("No space left on device")
        return written(table)

    monkeypatch.setattr(snapshots, "_parquet", fails_on_the_third)
    with pytest.raises(OSError, match="No space left"):
        execute_run(conf, store, user="ann", full=True)
    assert len(calls) >= 3
    assert _state_of(store) == before
    # the run's list shows the attempt as failed, with the reason a person can act on
    runs = repo.list_runs(store)
    assert [r["status"] for r in runs] == ["failed", "completed"]
    assert runs[0]["error"] == "OSError: No space left on device"
    assert _verifies(store.url)
    store.dispose()


CHILD = """
import sys
from workbench import config as cfg
from workbench.pipeline import execute_run
from workbench.store.db import open_store
from tests.workbench.store.test_save_interrupted import AnnounceWhileSaving

execute_run(cfg.load(sys.argv[2]), open_store(sys.argv[1]), user="ann", state=AnnounceWhileSaving())
"""


@pytest.mark.parametrize("where", ["first snapshot part", "after the exceptions"])
def test_a_run_killed_while_it_is_stored_leaves_no_trace_of_itself(tmp_path, scenario, where):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = open_store(url)
    counting = StopWhileSaving()
    execute_run(cfg.load(scenario / "run.toml"), store, user="ann", state=counting)
    at = 1 if where == "first snapshot part" else counting.checks
    before = _state_of(store)
    child = subprocess.Popen([sys.executable, "-c", CHILD, url, str(scenario / "run.toml"), str(at)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[3])
    try:
        sel = selectors.DefaultSelector()
        sel.register(child.stdout, selectors.EVENT_READ)
        assert sel.select(WAIT_S), "the run never reached its save"
        assert child.stdout.readline().strip() == "storing"
    finally:
        child.kill()
        child.wait(WAIT_S)
    assert _state_of(store) == before
    assert [r["status"] for r in repo.list_runs(store)] == ["completed"]  # killed: not even a failed row
    assert _verifies(url)
    store.dispose()
