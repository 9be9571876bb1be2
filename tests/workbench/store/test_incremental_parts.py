"""An incremental re-run stores exactly the parts (the same bytes, so the same SHA-256 each) that
merging its changes over the previous run's whole decoded extract and saving that gives: the audit
workbook's manifest and ``export --verify`` recompute from those hashes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers.stored_runs import pull_side, store_side
from workbench import config as cfg
from workbench.pipeline import PullPlan, _pull, _raw_parts
from workbench.sandbox.scenario import generate
from workbench.sources.base import SNAPSHOT_COLUMNS, Extract, SourceMeta
from workbench.sources.delta import CHANGES, FULL, DeltaExtract, KindDelta, merge
from workbench.store import snapshots
from workbench.store.schema import Run


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    return generate(5, 40, tmp_path_factory.mktemp("scn") / "s", invoices_per_customer=4)


def _previous(scenario: Path, side: str) -> Extract:
    """A side pulled in full, its raw records as an API connector gives them (Python text)."""
    pulled = pull_side(cfg.load(scenario / "run.toml"), side)
    snaps = pd.DataFrame({c: pd.Series(pulled.snapshots[c].astype(object).tolist(), dtype=object)
                          for c in SNAPSHOT_COLUMNS})
    return Extract(pulled.meta, pulled.frames, snaps).finish()


def _raw_row(snaps: pd.DataFrame, kind: str, rid: str, payload: dict) -> dict:
    row = snaps[(snaps["kind"] == kind) & (snaps["record_id"] == rid)].iloc[0].to_dict()
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return {**row, "record_id": rid, "payload": text, "content_hash": hashlib.sha256(text.encode()).hexdigest()}


def _delta(prev: Extract, full_kind: str, odd: bool = False) -> DeltaExtract:
    """Per kind (but ``full_kind``, read in full): its 2nd record changed, its 3rd deleted, one new
    record; the last kind with no changes at all. ``odd``: one record's query not a text (stored
    as tagged JSON, so its kind's records are encoded whole)."""
    frames, rows, kinds = {}, [], {}
    names = list(prev.frames)
    for kind in names:
        frame = prev.frames[kind]
        if kind == full_kind:
            taken = frame.iloc[1:].reset_index(drop=True)
            frames[kind] = taken
            rows += [_raw_row(prev.snapshots, kind, r, {"again": r}) for r in taken["record_id"]]
            kinds[kind] = KindDelta(FULL, why="no change stamp")
            continue
        if kind == names[-1]:
            frames[kind] = frame.iloc[:0]
            kinds[kind] = KindDelta(CHANGES)
            continue
        changed = frame.iloc[[1]].copy()
        changed["name" if "name" in frame.columns else frame.columns[1]] = "Changed since"
        new = frame.iloc[[0]].copy()
        new["record_id"] = f"new-{kind}"
        frames[kind] = pd.concat([changed, new], ignore_index=True)
        rid = str(frame["record_id"].iloc[1])
        rows += [_raw_row(prev.snapshots, kind, rid, {"changed": rid}),
                 _raw_row(prev.snapshots, kind, str(frame["record_id"].iloc[0]), {"new": kind}) | {
                     "record_id": f"new-{kind}"}]
        kinds[kind] = KindDelta(CHANGES, deleted=frozenset({str(frame["record_id"].iloc[2])}), query="ids")
    if odd:
        rows[-1]["query"] = 7
    snaps = pd.DataFrame(rows, columns=SNAPSHOT_COLUMNS) if rows else prev.snapshots.iloc[:0]
    meta = SourceMeta(**{**prev.meta.__dict__, "row_counts": {}, "content_hash": None,
                         "connector": "an API"})
    return DeltaExtract(meta, frames, snaps.astype(object), kinds=kinds)


class _Changes:
    """A connector whose pull since the previous run gives ``delta`` (and fills ``derive``'s fields)."""

    def __init__(self, meta: SourceMeta, delta: Callable[[], DeltaExtract],
                 derive: Callable[[dict[str, pd.DataFrame]], None]) -> None:
        self.meta, self._delta, self._derive = meta, delta, derive

    def pull(self, state=None) -> Extract:
        raise AssertionError("an incremental re-run pulls only the changes")

    def pull_changes(self, state, since, previous) -> DeltaExtract:
        return self._delta()

    def derive(self, frames: dict[str, pd.DataFrame]) -> None:
        self._derive(frames)

    def close(self) -> None:
        pass


def _parts(store, run_id: int) -> dict[str, str]:
    with store.session() as s:
        return {name: sha for _, name, _, sha, _ in snapshots.part_hashes(s, run_id)}


def _stored(store, extract: Extract, raw) -> int:
    with store.session() as s:
        run = Run(name="t", status="completed", started_at=datetime.now(UTC), as_of=datetime.now(UTC).date(),
                  user_name="ann", software_version="t")
        s.add(run)
        s.flush()
        snapshots.save(s, run.id, extract, raw=raw)
        return run.id


REUSED = 4  # a row of every kind the changes did not touch (the 2nd changed, the 3rd deleted, one appended)


def _derive_on_a_reused_row(frames: dict[str, pd.DataFrame]) -> None:
    """As a connector fills an order line's currency from its order: a value of a row the changes did
    not touch replaced after the merge."""
    frames["order_lines"].loc[REUSED, "currency"] = "CHF"


@pytest.mark.parametrize("side", ["crm", "erp"])
@pytest.mark.parametrize(("derive", "odd"), [(lambda frames: None, False), (_derive_on_a_reused_row, False),
                                             (lambda frames: None, True)], ids=["as merged", "derived", "odd raw"])
def test_an_incremental_re_run_stores_the_parts_a_whole_merge_stores(scenario, any_store, side, derive, odd):
    store = any_store
    prev = _previous(scenario, side)
    first = store_side(store, prev)
    since = datetime.now(UTC) - timedelta(minutes=5)

    # what merging over the whole decoded previous extract and saving it stores
    want_extract, _ = merge(snapshots.load_extract(store, first, side), _delta(prev, "prices", odd))
    derive(want_extract.frames)
    want_extract.meta.incremental_since = since
    want = _parts(store, _stored(store, want_extract, None))

    plan = PullPlan(previous_run=first, previous_start=since + timedelta(minutes=5))
    source = _Changes(_delta(prev, "prices").meta, lambda: _delta(prev, "prices", odd), derive)
    got_extract, stored = _pull(source, side, None, store, plan)
    got = _parts(store, _stored(store, got_extract, _raw_parts(got_extract, stored, None)))

    assert plan.sides[side]["mode"] == "incremental"
    assert isinstance(stored, snapshots.PreviousRaw)  # built from the stored parts, not from decoded records
    assert got == want
    if derive is _derive_on_a_reused_row:  # the derived value is what was stored
        with store.session() as s:
            lines = {r: c for _, r, c in snapshots.records(s, _latest(store), "order_lines", side)}
        rid = got_extract.frames["order_lines"]["record_id"].iloc[REUSED]
        assert rid in set(prev.frames["order_lines"]["record_id"])
        assert lines[rid]["currency"] == "CHF" != prev.frames["order_lines"].set_index("record_id").loc[rid, "currency"]


def _latest(store) -> int:
    with store.session() as s:
        return max(r.id for r in s.query(Run))


def test_a_re_run_does_not_build_on_a_stored_part_edited_since(scenario, store):
    from sqlalchemy import text

    prev = _previous(scenario, "erp")
    first = store_side(store, prev)
    with store.session() as s:
        s.execute(text("UPDATE snapshot_blobs SET content = :c WHERE sha256 = (SELECT sha256 FROM snapshot_parts "
                       "WHERE run_id = :r AND part = 'raw:invoices')"), {"c": b"edited", "r": first})
        s.commit()
    with pytest.raises(snapshots.TamperedSnapshot, match="ERP snapshot part raw:invoices no longer matches"):
        snapshots.load_previous(store, first, "erp")


def test_parts_read_and_hashed_once_by_the_re_run_s_check_are_still_refused_when_edited(scenario, store):
    """The re-run's plan reads and hashes the previous run's parts once and builds on those bytes:
    an edited part is refused as when it is read again."""
    from sqlalchemy import text

    prev = _previous(scenario, "erp")
    first = store_side(store, prev)
    with store.session() as s:
        whole = [p for p in snapshots.stored_parts(s, first) if p.side == "erp"]
    loaded = snapshots.load_previous(store, first, "erp", whole)
    assert loaded is not None and loaded[1] is not None
    _same_frames(loaded[0], snapshots.load_previous(store, first, "erp"))
    with store.session() as s:
        s.execute(text("UPDATE snapshot_blobs SET content = :c WHERE sha256 = (SELECT sha256 FROM snapshot_parts "
                       "WHERE run_id = :r AND part = 'frame:invoices')"), {"c": b"edited", "r": first})
        s.commit()
    with store.session() as s:
        edited = [p for p in snapshots.stored_parts(s, first) if p.side == "erp"]
    with pytest.raises(snapshots.TamperedSnapshot, match="ERP snapshot part frame:invoices no longer matches"):
        snapshots.load_previous(store, first, "erp", edited)
    assert snapshots.load_previous(store, first, "crm", []) is None  # a side with no stored parts


def _same_frames(got: Extract, loaded: tuple[Extract, object] | None) -> None:
    assert loaded is not None
    want = loaded[0]
    assert list(got.frames) == list(want.frames)
    for kind, frame in got.frames.items():
        pd.testing.assert_frame_equal(frame, want.frames[kind])
