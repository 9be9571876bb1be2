"""When a re-run pulls in full, it says why: files, no completed run yet (a failed or cancelled run is
passed over), another configuration, --full, or ``[run] incremental = false``."""

from __future__ import annotations

from datetime import datetime, UTC

import pytest

from workbench import config as config_mod
from workbench.cli import main
from workbench.pipeline import execute_run, format_summary
from workbench.sandbox.scenario import generate
from workbench.store import repo
from workbench.store.db import open_store


@pytest.fixture(scope="module")
def scen(tmp_path_factory):
    return generate(3, 20, tmp_path_factory.mktemp("scen") / "s", invoices_per_customer=3)


@pytest.fixture()
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield s
    s.dispose()


def _why(outcome, side="crm"):
    return outcome.summary["pulls"][side]


def test_unchanged_files_are_not_read_again_and_a_changed_one_is(scen, store, tmp_path):
    import shutil

    own = tmp_path / "s"
    shutil.copytree(scen, own)
    config = config_mod.load(own / "run.toml")
    first = execute_run(config, store, user="ann")
    assert _why(first) == {"mode": "full", "why": "no earlier run of this configuration",
                           "files": _why(first)["files"]}
    again = execute_run(config, store, user="ann")
    assert _why(again, "erp")["mode"] == "reused" and _why(again, "erp")["previous_run"] == first.run_id
    assert "Pull ERP: reused run" in format_summary(again.summary)
    assert _keys(store, again.run_id) == _keys(store, first.run_id)
    invoices = own / "erp" / "salesInvoices.csv"
    lines = invoices.read_text(encoding="utf-8").splitlines(keepends=True)
    invoices.write_text("".join(lines[:-1]), encoding="utf-8")  # the last invoice is gone from the extract
    third = execute_run(config, store, user="ann")
    assert _why(third, "erp")["why"] == f"salesInvoices.csv changed since run {again.run_id}"
    assert _why(third, "crm")["mode"] == "reused"
    assert third.summary["records"]["erp"]["invoices"] == first.summary["records"]["erp"]["invoices"] - 1


def _keys(store, run_id):
    return set(repo.load_exceptions(store, run_id)["key"])


def test_a_failed_run_is_passed_over_and_another_configuration_means_a_full_pull(scen, store):
    config = config_mod.load(scen / "run.toml")
    failed = repo.record_fail(store, config, user="ann", started_at=datetime.now(UTC), status="failed",
                              error="Salesforce query: timed out")
    assert _why(execute_run(config, store, user="ann"))["why"] == \
        f"no earlier run of this configuration completed (run {failed} failed)"
    completed = execute_run(config, store, user="ann").run_id  # after that full one: built on it
    repo.record_fail(store, config, user="ann", started_at=datetime.now(UTC), status="failed",
                     error="Salesforce query: timed out")
    repo.record_fail(store, config, user="ann", started_at=datetime.now(UTC), status="cancelled",
                     error="interrupted (Ctrl+C)")
    # they stored nothing: the re-run still builds on the last completed run
    assert execute_run(config, store, user="ann").summary["pulls"]["erp"]["previous_run"] == completed
    other = config_mod.from_dict({**config.raw, "run": {**config.raw.get("run", {}), "period": "2026-11"}},
                                 path=config.path)
    assert _why(execute_run(other, store, user="ann"))["why"] == "no earlier run of this configuration"
    off = config_mod.from_dict({**config.raw, "run": {**config.raw.get("run", {}), "incremental": False}},
                               path=config.path)
    assert _why(execute_run(off, store, user="ann"))["why"] == "[run] incremental = false in the config"


def test_run_full_on_the_command_line_says_so(scen, tmp_path, capsys):
    db = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert main(["run", "--config", str(scen / "run.toml"), "--db", db, "--user", "ann", "--full"]) == 0
    out = capsys.readouterr().out
    assert "Pull CRM: full (a full pull was asked for)" in out
    assert "Pull ERP: full (a full pull was asked for)" in out


def test_a_reused_side_is_stored_again_as_the_same_records_without_new_copies(scen, store, tmp_path):
    from workbench.store.snapshots import load_extract, part_hashes

    config = config_mod.load(scen / "run.toml")
    first = execute_run(config, store, user="ann")
    again = execute_run(config, store, user="ann")
    assert _why(again, "crm")["mode"] == _why(again, "erp")["mode"] == "reused"
    with store.session() as s:
        raw = {run: {(side, part): sha for side, part, _, _, sha in part_hashes(s, run) if part.startswith("raw")}
               for run in (first.run_id, again.run_id)}
    assert raw[again.run_id] == raw[first.run_id] and len(raw[first.run_id]) >= 8  # the very blobs, each kind
    for side in ("crm", "erp"):
        before, now = load_extract(store, first.run_id, side), load_extract(store, again.run_id, side)
        assert before is not None and now is not None
        assert now.snapshots.equals(before.snapshots) and len(now.snapshots)
        assert now.meta.content_hash == before.meta.content_hash
    assert _keys(store, again.run_id) == _keys(store, first.run_id)


def test_a_rerun_does_not_build_on_stored_data_edited_outside_the_workbench(scen, store, tmp_path):
    """An editor rewrites the first run's stored ERP invoices under their own SHA-256 (so the part
    itself looks intact): the re-run pulls in full and says why, and its exceptions are the files'."""
    import hashlib
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq
    from sqlalchemy import text

    config = config_mod.load(scen / "run.toml")
    first = execute_run(config, store, user="ann")
    with store.session() as s:
        sha, content = s.execute(text(
            "SELECT b.sha256, b.content FROM snapshot_parts p JOIN snapshot_blobs b ON b.sha256 = p.sha256 "
            "WHERE p.run_id = :r AND p.side = 'erp' AND p.part = 'raw:invoices'"), {"r": first.run_id}).one()
        table = pq.read_table(pa.BufferReader(content))
        table = table.slice(1)  # the first invoice is gone from what the run stored
        buf = io.BytesIO()
        pq.write_table(table, buf, compression="zstd")
        new = hashlib.sha256(buf.getvalue()).hexdigest()
        s.execute(text("INSERT INTO snapshot_blobs (sha256, size, content) VALUES (:s, :n, :c)"),
                  {"s": new, "n": len(buf.getvalue()), "c": buf.getvalue()})
        s.execute(text("UPDATE snapshot_parts SET sha256 = :new WHERE sha256 = :old AND run_id = :r"),
                  {"new": new, "old": sha, "r": first.run_id})
        s.commit()
    again = execute_run(config, store, user="ann")
    for side in ("crm", "erp"):
        assert _why(again, side)["mode"] == "full"
        assert _why(again, side)["why"].startswith(f"run {first.run_id}: its snapshot parts no longer match")
    assert "outside the workbench" in format_summary(again.summary)
    assert again.summary["records"] == first.summary["records"]
    assert _keys(store, again.run_id) == _keys(store, first.run_id)


def _flip_a_byte(store, run_id, side="erp", part="frame:invoices"):
    from sqlalchemy import text

    with store.session() as s:
        sha, content = s.execute(text(
            "SELECT b.sha256, b.content FROM snapshot_parts p JOIN snapshot_blobs b ON b.sha256 = p.sha256 "
            "WHERE p.run_id = :r AND p.side = :side AND p.part = :part"),
            {"r": run_id, "side": side, "part": part}).one()
        edited = bytearray(content)
        edited[len(edited) // 2] ^= 0xFF
        s.execute(text("UPDATE snapshot_blobs SET content = :c WHERE sha256 = :s"), {"c": bytes(edited), "s": sha})
        s.commit()


def test_a_full_pull_of_the_same_data_mends_a_stored_part_edited_outside_the_workbench(scen, store):
    """Parts are stored once under their SHA-256. A byte changed in one must not outlive the next full pull of
    the same data, which would otherwise reference the edited bytes and be reported edited itself ever after."""
    from workbench.store.coverage import snapshot_problems

    config = config_mod.load(scen / "run.toml")
    first = execute_run(config, store, user="ann")
    _flip_a_byte(store, first.run_id)
    again = execute_run(config, store, user="ann")
    assert _why(again, "erp")["mode"] == "full" and "outside the workbench" in _why(again, "erp")["why"]
    third = execute_run(config, store, user="ann")
    assert {_why(third, side)["mode"] for side in ("crm", "erp")} == {"reused"}
    with store.session() as s:
        assert snapshot_problems(s, again.run_id) == [] and snapshot_problems(s, first.run_id) == []
    assert _keys(store, third.run_id) == _keys(store, first.run_id)


def test_an_edited_part_whose_run_event_is_gone_means_a_full_pull_not_a_failed_run(scen, store):
    from sqlalchemy import text

    config = config_mod.load(scen / "run.toml")
    first = execute_run(config, store, user="ann")
    _flip_a_byte(store, first.run_id, "crm", "frame:customers")
    with store.session() as s:
        s.execute(text("DELETE FROM audit_events WHERE run_id = :r AND action = 'run.completed'"),
                  {"r": first.run_id})
        s.commit()
    again = execute_run(config, store, user="ann")
    # nothing vouches for that run's data any more: its completed event is what did
    assert _why(again, "crm") == {"mode": "full", "files": _why(again, "crm")["files"], "why":
                                  f"run {first.run_id} has no completed event in the audit trail: nothing vouches "
                                  "for its stored data"}
    assert _keys(store, again.run_id) == _keys(store, first.run_id)


def test_a_file_rewritten_while_the_run_reads_it_is_read_again_by_the_next_run(scen, store, tmp_path, monkeypatch):
    """An export job rewrites customers.csv after the run has read it, before the run has hashed it. The run
    keeps the rows it read; the next run must not take those rows as the new file's (it would, for as long as
    the file stays as it is, miss the change): it reads the file again."""
    import os
    import shutil
    import threading

    import workbench.pipeline as pipeline
    from workbench.progress import Progress

    own = tmp_path / "s"
    shutil.copytree(scen, own)
    config = config_mod.load(own / "run.toml")
    customers = own / "erp" / "customers.csv"
    rewritten = threading.Event()
    fingerprints = pipeline._fingerprints

    def hashed_after_the_rewrite(meta):  # the ERP's files hashed only once customers.csv was rewritten
        if meta.side == "erp":
            assert rewritten.wait(30)
        return fingerprints(meta)

    class RewritesAfterTheRead(Progress):
        def set_source_progress(self, side, done, total=None, message=""):
            if side == "erp" and message == "reading items.csv" and not rewritten.is_set():
                lines = customers.read_text(encoding="utf-8").splitlines(keepends=True)
                cells = lines[1].split('","')
                cells[5] = "Lausanne"  # the first customer's city
                customers.write_text("".join([lines[0], '","'.join(cells), *lines[2:]]), encoding="utf-8")
                st = customers.stat()
                os.utime(customers, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
                rewritten.set()

    monkeypatch.setattr(pipeline, "_fingerprints", hashed_after_the_rewrite)
    first = execute_run(config, store, user="ann", state=RewritesAfterTheRead())
    monkeypatch.undo()
    assert rewritten.is_set()
    again = execute_run(config, store, user="ann")
    assert _why(again, "erp")["mode"] == "full"
    assert _why(again, "erp")["why"] == f"customers.csv changed since run {first.run_id}"
    full = execute_run(config, store, user="ann", full=True)
    assert _keys(store, again.run_id) == _keys(store, full.run_id) != _keys(store, first.run_id)


def test_a_run_made_by_another_version_is_read_again_in_full(scen, store):
    """Another version may read and convert records otherwise (a fix to a connector): merging its data with this
    version's changes would mix the two, so the first re-run after an upgrade pulls in full and says why."""
    from sqlalchemy import update

    from workbench import __version__
    from workbench.store.schema import Run
    config = config_mod.load(scen / "run.toml")
    first = execute_run(config, store, user="ann").run_id
    with store.session() as s:
        s.execute(update(Run).where(Run.id == first).values(software_version="0.0.9"))
    again = execute_run(config, store, user="ann")
    assert _why(again, "erp")["why"] == _why(again)["why"] == \
        f"run {first} was made by Recon Workbench 0.0.9, this is {__version__}: its data is read again in full"
    assert _why(execute_run(config, store, user="ann"), "erp")["previous_run"] == again.run_id
