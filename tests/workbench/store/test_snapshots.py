"""A run's pulled data, stored as compressed content-addressed parts, reads back exactly as pulled."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from tests.helpers.stored_runs import pull_side, store_side
from workbench import config as cfg
from workbench.pipeline import execute_run
from workbench.reconcile.engine import reconcile
from workbench.reconcile.summary import RunSummary
from workbench.sandbox.scenario import generate
from workbench.model import frames as frames_mod
from workbench.sources.base import Extract, SourceMeta, snapshot_frame
from workbench.store import repo, snapshots
from workbench.store.schema import Snapshot, SnapshotBlob, SnapshotPart


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    return generate(5, 30, tmp_path_factory.mktemp("scn") / "s", invoices_per_customer=4)


def _pull(scenario: Path, side: str) -> Extract:
    return pull_side(cfg.load(scenario / "run.toml"), side)


def _same(got: Extract, want: Extract) -> None:
    assert got.meta == want.meta
    assert list(got.frames) == list(want.frames)
    for kind, frame in want.frames.items():
        pd.testing.assert_frame_equal(got.frames[kind], frame, check_exact=True)
        for col in frame.columns:  # equal is not enough: the same types, a Decimal's scale too
            assert [type(v) for v in got.frames[kind][col]] == [type(v) for v in frame[col]], (kind, col)
            assert [str(v) for v in got.frames[kind][col]] == [str(v) for v in frame[col]], (kind, col)
    # The files connector keeps payloads and hashes as Arrow text columns, the store gives Python str
    # back: the same text, so compare values, not the column's storage type.
    pd.testing.assert_frame_equal(got.snapshots, want.snapshots.reset_index(drop=True), check_exact=True,
                                  check_dtype=False)
    for col in want.snapshots.columns:
        assert got.snapshots[col].tolist() == want.snapshots[col].tolist(), col
    if want.issues is None:
        assert got.issues is None
    else:
        pd.testing.assert_frame_equal(got.issues, want.issues, check_exact=True)


def _save(store, scenario: Path) -> tuple[int, Extract, Extract]:
    """Pull, reconcile and store a run the way ``workbench run`` does, keeping what was pulled."""
    conf = cfg.load(scenario / "run.toml")
    crm, erp = _pull(scenario, "crm"), _pull(scenario, "erp")
    result = reconcile(crm, erp, conf)
    run_id = repo.save_run(store, conf, crm, erp, result, user="ann", started_at=datetime.now(UTC),
                           summary=RunSummary.build(crm, erp, result).to_json())
    return run_id, crm, erp


def test_a_run_reads_back_each_side_exactly_as_it_was_pulled(any_store, scenario):
    store = any_store
    run_id, crm, erp = _save(store, scenario)
    _same(snapshots.load_extract(store, run_id, "crm"), crm)
    _same(snapshots.load_extract(store, run_id, "erp"), erp)
    with store.session() as s:  # nothing left in the per-record table
        assert s.execute(select(func.count()).select_from(Snapshot)).scalar() == 0


def test_a_rerun_on_unchanged_data_adds_no_new_bytes(store, scenario):
    conf = cfg.load(scenario / "run.toml")
    execute_run(conf, store, user="ann")
    with store.session() as s:
        blobs = s.execute(select(func.count(), func.sum(SnapshotBlob.size))).one()
        parts = s.execute(select(func.count()).select_from(SnapshotPart)).scalar()
    second = execute_run(conf, store, user="ann", full=True).run_id  # read again, not reused from the first
    with store.session() as s:
        blobs_after = s.execute(select(func.count(), func.sum(SnapshotBlob.size))).one()
        parts_after = s.execute(select(func.count()).select_from(SnapshotPart)).scalar()
    # only the two meta parts (their extract time) are new; every frame and raw part is shared
    assert blobs_after[0] == blobs[0] + 2
    assert blobs_after[1] - blobs[1] < 10_000
    assert parts_after == 2 * parts
    assert len(snapshots.load_extract(store, second, "crm").frames["customers"]) == 30


def test_raw_records_taken_when_pulled_are_stored_as_the_same_parts_as_at_save(store, scenario):
    """``workbench run`` compresses each side's raw records as soon as it is pulled and lets their text
    go before the engine runs; what it stores must be byte for byte what saving them later stores."""
    run_at_save, crm, erp = _save(store, scenario)
    conf = cfg.load(scenario / "run.toml")
    crm2, erp2 = _pull(scenario, "crm"), _pull(scenario, "erp")
    crm2.meta.extracted_at, erp2.meta.extracted_at = crm.meta.extracted_at, erp.meta.extracted_at  # same moment
    raw = {"crm": snapshots.take_raw(crm2), "erp": snapshots.take_raw(erp2)}
    assert len(crm2.snapshots) == 0 and len(erp2.snapshots) == 0  # the payload text is let go
    assert {"raw:customers", "raw:invoices"} <= set(raw["crm"].names)  # waiting in a file until saved
    result = reconcile(crm2, erp2, conf)
    run_taken = repo.save_run(store, conf, crm2, erp2, result, user="ann", started_at=datetime.now(UTC),
                              summary=RunSummary.build(crm2, erp2, result).to_json(), raw=raw)
    assert raw["crm"].closed and raw["erp"].closed  # their temporary file is gone once they are stored
    with store.session() as s:
        def stored(run_id: int) -> list[tuple[str, str, int, str]]:
            return sorted((side, part, rows, sha) for side, part, rows, sha, _ in snapshots.part_hashes(s, run_id))
        assert stored(run_taken) == stored(run_at_save)
    _same(snapshots.load_extract(store, run_taken, "crm"), crm)
    _same(snapshots.load_extract(store, run_taken, "erp"), erp)


def test_raw_records_whose_hash_is_not_their_payloads_sha256_are_refused_when_taken(scenario):
    crm = _pull(scenario, "crm")
    crm.snapshots.loc[0, "content_hash"] = "0" * 64
    with pytest.raises(snapshots.HashNotOfPayload, match="content hash is not the SHA-256"):
        snapshots.take_raw(crm)
    assert len(crm.snapshots) > 0  # refused before anything was taken out of the extract


def test_values_outside_the_usual_types_keep_their_type_and_scale(store):
    """Lists, mixed columns, JPY amounts without decimals next to 2-decimal ones, naive and aware times."""
    frame = pd.DataFrame({
        "record_id": ["a", "b", "c"],
        "amount": [Decimal("1200"), Decimal("10.50"), None],
        "tiny": [Decimal("0E-8"), Decimal("-0.00"), Decimal("1E+3")],
        "day": [date(2026, 10, 31), None, date(2000, 1, 1)],
        "at": [datetime(2026, 10, 31, 23, 59, 59, 123456, tzinfo=UTC), datetime(2026, 1, 1), None],
        "tags": [["x", "y"], [], None],
        "mixed": [Decimal("1.0"), "text", {"k": [date(2026, 1, 2)]}],
        "flag": [True, None, False],
        "count": [1, 2, None],
        "none": [None, None, None],
    }, dtype=object)
    frame["score"] = [0.5, 1.25, 2.0]  # a float64 column stays float64
    ex = _extract({"things": frame}, "things")
    run_id = store_side(store, ex)
    _same(snapshots.load_extract(store, run_id, "crm"), ex)
    assert snapshots.load_extract(store, run_id, "erp") is None


def _extract(frames: dict[str, pd.DataFrame], kind: str) -> Extract:
    snaps = snapshot_frame([("Obj", kind, r, "file.csv", {"Id": r, "Amount": Decimal("1.10")})
                            for r in frames[kind]["record_id"]])
    meta = SourceMeta(side="crm", system="files", connector="files", extracted_at=datetime(2026, 11, 1, tzinfo=UTC),
                      api_usage={"calls": 3}, ledger={kind: {"read": 3, "dropped": [["row 4", "blank id"]]}})
    return Extract(meta=meta, frames=frames, snapshots=snaps).finish()


def test_a_canonical_field_holding_another_type_than_the_model_says_still_reads_back_as_it_was(store):
    """Canonical frames are stored by the model's field types; a value of another type (a connector's
    slip) is not forced into the declared one, and rows sharing one value object, or holding equal
    values of different scale or offset, each keep their own."""
    from datetime import timedelta, timezone
    shared = Decimal("10.50")
    at = datetime(2026, 10, 31, 18, tzinfo=UTC)
    frame = frames_mod.from_records("invoices", [
        {"record_id": "a", "number": 7, "customer_id": "c1", "currency": "JPY", "total_amount": Decimal("1200"),
         "open_balance": shared, "status": "open", "invoice_date": datetime(2026, 10, 1, 9, 30), "is_credit_note": 0,
         "last_modified": at},
        {"record_id": "b", "number": "INV-2", "customer_id": "c1", "currency": "EUR", "total_amount": Decimal("1.0"),
         "open_balance": shared, "status": "open", "invoice_date": date(2026, 10, 2), "is_credit_note": False,
         "last_modified": at},
        {"record_id": "c", "number": "INV-3", "customer_id": None, "currency": "EUR", "total_amount": Decimal("1.00"),
         "open_balance": 5, "status": "paid", "invoice_date": None, "is_credit_note": True,
         "last_modified": at.astimezone(timezone(timedelta(hours=2)))},
    ])
    ex = _extract({"invoices": frame}, "invoices")
    got = snapshots.load_extract(store, store_side(store, ex), "crm")
    _same(got, ex)
    assert got.frames["invoices"]["number"].tolist() == [7, "INV-2", "INV-3"]
    assert [str(v) for v in got.frames["invoices"]["total_amount"]] == ["1200", "1.0", "1.00"]
    assert str(got.frames["invoices"]["last_modified"][2]) == "2026-10-31 20:00:00+02:00"


def test_rows_sharing_few_value_objects_each_read_back_their_own_value(store):
    """A pull shares one object between the rows that hold the same value (a currency, a date, a
    pull's timestamp), and the store converts each shared object once: still every row reads back
    its own value, equal values of another scale or offset and a connector's slip of type included."""
    from datetime import timedelta, timezone
    at = datetime(2026, 10, 31, 18, tzinfo=UTC)

    def cycle(*values):  # the same few objects over and over, as a pull shares them
        return [values[i % len(values)] for i in range(3_000)]

    columns = {
        "currency": cycle("EUR", "JPY", None),
        "total_amount": cycle(Decimal("1.0"), Decimal("1.00"), Decimal("1200"), None),
        "open_balance": cycle(Decimal("0.00"), 5),
        "invoice_date": cycle(date(2026, 10, 1), None, datetime(2026, 10, 2, 9, 30)),
        "last_modified": cycle(at, at.astimezone(timezone(timedelta(hours=2))), datetime(2026, 10, 31)),
        "status": cycle("open", "paid", 7),
        "is_credit_note": cycle(True, False, None),
    }
    frame = frames_mod.from_records("invoices", [{"record_id": f"r{i}", "number": f"INV-{i}",
                                                  **{k: v[i] for k, v in columns.items()}} for i in range(3_000)])
    ex = _extract({"invoices": frame}, "invoices")
    back = snapshots.load_extract(store, store_side(store, ex), "crm")
    _same(back, ex)  # every value's type and text
    got = back.frames["invoices"]
    assert [str(v) for v in got["total_amount"][:4]] == ["1.0", "1.00", "1200", "None"]
    assert got["open_balance"][:2].tolist() == [Decimal("0.00"), 5]
    assert [str(v) for v in got["last_modified"][:3]] == ["2026-10-31 18:00:00+00:00", "2026-10-31 20:00:00+02:00",
                                                         "2026-10-31 00:00:00"]
    assert got["status"][:3].tolist() == ["open", "paid", 7]


def test_rows_each_holding_their_own_amount_and_time_read_back_exactly(store):
    """Where nearly every row holds its own value (an invoice's amount, a record's stamp) the store
    parses each row's text as it is: still each keeps its scale or offset, and a missing one stays
    missing, with and without missing ones in the column."""
    from datetime import timedelta, timezone
    at = datetime(2026, 10, 31, 18, tzinfo=UTC)
    n = 3_000
    amounts = [None if i % 7 == 3 else Decimal(i).scaleb(-(i % 3)) for i in range(n)]  # "12", "1.3", "0.14"
    plus_two = timezone(timedelta(hours=2))
    stamps = [at + timedelta(seconds=i) if i % 2 else (at + timedelta(seconds=i)).astimezone(plus_two)
              for i in range(n)]
    frame = frames_mod.from_records("invoices", [
        {"record_id": f"r{i}", "number": f"INV-{i}", "currency": "JPY" if i % 3 == 0 else "EUR",
         "total_amount": amounts[i], "open_balance": Decimal(f"{i}.00"), "last_modified": stamps[i]}
        for i in range(n)])
    ex = _extract({"invoices": frame}, "invoices")
    back = snapshots.load_extract(store, store_side(store, ex), "crm")
    _same(back, ex)
    got = back.frames["invoices"]
    assert [None if v is None else str(v) for v in got["total_amount"]] == [None if v is None else str(v)
                                                                          for v in amounts]
    assert [str(v) for v in got["open_balance"][:3]] == ["0.00", "1.00", "2.00"]
    assert [v.utcoffset() for v in got["last_modified"][:2]] == [timedelta(hours=2), timedelta(0)]
    assert got["last_modified"].tolist() == stamps


def test_a_pull_whose_record_hash_is_not_its_payloads_sha256_is_refused_and_nothing_is_stored(store):
    """Every connector's record hash is the SHA-256 of its payload text (the store recomputes it
    rather than keeping it): a connector that hashes otherwise (here: the system's etags) is refused,
    the fault said as such, before anything of the run is stored."""
    frame = pd.DataFrame({"record_id": [f"r{i}" for i in range(200)]}, dtype=object)
    ex = _extract({"things": frame}, "things")
    ex.snapshots["content_hash"] = [f"etag-{i}" for i in range(200)]
    with pytest.raises(snapshots.HashNotOfPayload, match=r"^CRM Obj record r0: its content hash is not the "
                                                         r"SHA-256 of its payload text"):
        store_side(store, ex)
    with store.session() as s:
        assert s.execute(select(func.count()).select_from(SnapshotPart)).scalar() == 0
        assert s.execute(select(func.count()).select_from(SnapshotBlob)).scalar() == 0


def test_one_record_reads_back_with_its_raw_payload_and_canonical_values(store, scenario):
    run_id, crm_pulled, pulled = _save(store, scenario)
    inv = pulled.frames["invoices"].iloc[3]
    rec = repo.load_record(store, run_id, "erp", "invoices", inv["record_id"])
    raw = pulled.snapshots[(pulled.snapshots["kind"] == "invoices")
                           & (pulled.snapshots["record_id"] == inv["record_id"])].iloc[0]
    assert rec["content_hash"] == raw["content_hash"]
    assert rec["object"] == raw["object"] and rec["query"] == raw["query"]
    assert rec["canonical"]["total_amount"] == format(inv["total_amount"], "f")
    assert rec["canonical"]["invoice_date"] == inv["invoice_date"].isoformat()
    assert repo.load_record(store, run_id, "erp", "invoices", "no-such-id") is None
    names = repo.customer_names(store, run_id)
    crm = crm_pulled.frames["customers"]
    assert names[("crm", crm.iloc[0]["record_id"])] == crm.iloc[0]["name"]


def test_parts_of_many_row_groups_read_back_whole_and_record_by_record(store, scenario, monkeypatch):
    monkeypatch.setattr(snapshots, "ROW_GROUP", 7)  # a big pull's parts hold many row groups
    run_id, crm, erp = _save(store, scenario)
    _same(snapshots.load_extract(store, run_id, "erp"), erp)
    invoices = erp.frames["invoices"]
    for i in (0, 6, 7, len(invoices) - 1):  # first and last row of a group, the last row of all
        rid = invoices.iloc[i]["record_id"]
        rec = repo.load_record(store, run_id, "erp", "invoices", rid)
        assert rec["canonical"]["record_id"] == rid
        assert rec["canonical"]["open_balance"] == format(invoices.iloc[i]["open_balance"], "f")
        assert rec["raw"] == json.loads(erp.snapshots[(erp.snapshots["kind"] == "invoices")
                                                      & (erp.snapshots["record_id"] == rid)].iloc[0]["payload"])


def test_a_raw_part_written_when_hashes_were_stored_reads_back_with_its_own_hashes(store):
    """Parts stored by the version before kept a record's hash where it was not its payload's
    SHA-256 (null elsewhere): those hashes still read back as stored, the others recomputed."""
    import hashlib

    import pyarrow as pa
    import pyarrow.parquet as pq

    ex = _extract({"things": pd.DataFrame({"record_id": ["a", "b", "c"]}, dtype=object)}, "things")
    run_id = store_side(store, ex)
    payloads = ex.snapshots["payload"].tolist()
    tags = {"object": "str", "kind": "str", "record_id": "str", "query": "str", "content_hash": "sha256(payload)",
            "payload": "str"}
    old = pa.table({"object": ["Obj"] * 3, "kind": ["things"] * 3, "record_id": ["a", "b", "c"],
                    "query": ["file.csv"] * 3, "content_hash": [None, "etag-7", None], "payload": payloads,
                    "_seq": pa.array([0, 1, 2], type=pa.int64())})
    old = old.replace_schema_metadata({b"workbench": json.dumps({"columns": tags}).encode()})
    sink = pa.BufferOutputStream()
    pq.write_table(old, sink, compression="zstd")
    data = sink.getvalue().to_pybytes()
    sha = hashlib.sha256(data).hexdigest()
    with store.session() as s:
        s.add(SnapshotBlob(sha256=sha, size=len(data), content=data))
        part = s.execute(select(SnapshotPart).where(SnapshotPart.run_id == run_id,
                                                    SnapshotPart.part == "raw:things")).scalar_one()
        part.sha256 = sha
    got = snapshots.load_extract(store, run_id, "crm").snapshots
    assert got["content_hash"].tolist() == [hashlib.sha256(payloads[0].encode()).hexdigest(), "etag-7",
                                            hashlib.sha256(payloads[2].encode()).hexdigest()]
    assert got["payload"].tolist() == payloads


def test_frame_columns_kept_in_arrow_read_back_in_arrow(store):
    """A connector may keep text columns in Arrow (pandas' ``str`` or ``pd.ArrowDtype``): they are
    stored as they are and read back with their dtype, missing values included."""
    import pyarrow as pa
    frame = frames_mod.from_records("customers", [{"record_id": r, "name": f"Customer {r}"} for r in "abc"])
    frame["name"] = pd.Series(["Ærø Fisk A/S", None, "Müller GmbH"], dtype="str")
    frame["city"] = pd.Series(pa.array(["Oslo", "Berlin", None]), dtype=pd.ArrowDtype(pa.string()))
    ex = _extract({"customers": frame}, "customers")
    got = snapshots.load_extract(store, store_side(store, ex), "crm").frames["customers"]
    pd.testing.assert_frame_equal(got, frame, check_exact=True)
    assert got["name"].dtype == "str" and isinstance(got["city"].dtype, pd.ArrowDtype)
