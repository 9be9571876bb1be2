"""Rows written and read through the DB-API hold exactly what the ORM writes and reads."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy import select, text

from workbench.store import bulk, repo
from workbench.store.schema import ExceptionRow, Run

ROW = {"key": "invoice.balance_mismatch|a|b|open_balance", "type": "invoice.balance_mismatch", "family": "invoice",
       "severity": "high", "status": "open", "crm_object": "invoices", "crm_id": "a0B1", "erp_object": "invoices",
       "erp_id": "INV-1", "crm_number": "INV-1", "erp_number": None, "customer_name": "Ærø Fisk A/S",
       "field": "open_balance", "crm_value": "1200", "erp_value": "1100.50", "difference": Decimal("-99.50"),
       "amount_at_risk": Decimal("150000"), "currency": "JPY",
       "diffs": [{"field": "open_balance", "crm": "1200", "erp": "1100.50"}], "proposal": {"to": "1100.50"},
       "message": "differs", "assignee": None, "first_seen": datetime(2026, 10, 31, 23, 59, 59, 123456, tzinfo=UTC),
       "last_seen": datetime(2026, 11, 1, 8, 0, tzinfo=UTC), "resolution": None, "version": 1}


def test_a_bulk_row_is_stored_and_read_back_as_an_orm_row_is(any_store):
    with any_store.session() as s:
        run = Run(name="t", status="completed", started_at=datetime.now(UTC), as_of=date(2026, 10, 31),
                  user_name="ann", software_version="t")
        s.add(run)
        s.flush()
        s.add(ExceptionRow(run_id=run.id, **ROW))
        s.flush()
        bulk.insert(s, ExceptionRow.__table__, {"run_id": [run.id], **{k: [v] for k, v in ROW.items()}})
        run_id = run.id
    with any_store.engine.connect() as c:  # what the database holds, column by column, as text
        cols = [c_.name for c_ in ExceptionRow.__table__.columns if c_.name != "id"]
        stored = c.execute(text(f"SELECT {', '.join(f'CAST({n} AS TEXT)' for n in cols)} FROM exceptions "
                                "ORDER BY id")).all()
    assert stored[0] == stored[1]
    frame = repo.load_exceptions(any_store, run_id)
    with any_store.session() as s:
        orm = [s.execute(select(getattr(ExceptionRow, c)).where(ExceptionRow.run_id == run_id)
                         .order_by(ExceptionRow.id)).scalars().all() for c in frame.columns]
    want = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in zip(frame.columns, orm)})
    pd.testing.assert_frame_equal(frame, want, check_exact=True)
    assert frame.loc[0, "amount_at_risk"] == Decimal("150000") and str(frame.loc[1, "difference"]) == "-99.50"
    assert frame.loc[1, "diffs"] == ROW["diffs"] and frame.loc[1, "first_seen"] == frame.loc[0, "first_seen"]


def test_json_values_already_json_are_stored_as_plain_would_have_made_them(store):
    """Evidence, diffs and proposals are encoded as they are when they are JSON values already; any
    other value is stored as before, through ``plain``: the same text either way."""
    from workbench.jsonable import plain
    from workbench.store.schema import CustomerLink
    from workbench.store.types import JSONText
    values = [{"score": 0.93, "name": 1.0, "tax_id": True, "z": None, "a": [1, "x", {"b": "ü"}]},
              [{"field": "open_balance", "crm": "1,200 JPY", "erp": None}], None, "text", (1, 2),
              {"amount": Decimal("1E+3"), "day": date(2026, 10, 31)}, {"score": float("nan")}, float("nan"),
              {10: "ten", 2: "two"}, {True: 1}, {"n": [{5: "five"}]}, {"np": pd.Series([1]).iloc[0]},
              {"inf": float("inf")}]
    with store.session() as s:
        run = Run(name="t", status="completed", started_at=datetime.now(UTC), as_of=date(2026, 10, 31),
                  user_name="ann", software_version="t")
        s.add(run)
        s.flush()
        n = len(values)
        bulk.insert(s, CustomerLink.__table__, {"run_id": [run.id] * n, "crm_id": ["c"] * n, "erp_id": ["e"] * n,
                                                "method": ["m"] * n, "confidence": [1.0] * n, "evidence": values,
                                                "status": ["auto"] * n, "version": [1] * n}, plain_json={"evidence"})
    with store.engine.connect() as c:
        stored = [r[0] for r in c.execute(text("SELECT evidence FROM customer_links ORDER BY id"))]
    want = JSONText().process_bind_param
    assert stored == [want(plain(v), store.engine.dialect) for v in values]
    assert stored[0] == '{"a": [1, "x", {"b": "ü"}], "name": 1.0, "score": 0.93, "tax_id": true, "z": null}'
    assert stored[5] == '{"amount": "1000", "day": "2026-10-31"}' and stored[7] is None
    assert stored[8] == '{"10": "ten", "2": "two"}' and stored[9] == '{"True": 1}'


def test_values_echoed_by_an_insert_are_what_reading_the_rows_back_gives(any_store):
    """A run's exceptions are digested as they are saved, from what ``insert`` says reading them back
    gives (not read back): for every value it vouches for, reading back gives the same, and a column
    the store may give back otherwise is left to be read back (an int in a text column; on PostgreSQL
    a Decimal with a positive exponent, a naive time)."""
    import json

    from workbench.model.states import ExceptionStatus
    rows = [dict(ROW), dict(ROW, status=ExceptionStatus.WAIVED, difference=Decimal("1E+3"), amount_at_risk=None,
                            diffs=[{"amount": Decimal("0E-8")}], proposal={10: "ten", 2: ("a", "b")},
                            first_seen=datetime(2026, 10, 31, 8)),
            dict(ROW, difference=Decimal("-0.00"), diffs=({"crm": 1.5, "erp": None, "ok": True},), proposal=None,
                 customer_name=None, message="ünïcode ✓")]
    cols = {k: [r[k] for r in rows] for k in ROW}
    with any_store.session() as s:
        run = Run(name="t", status="completed", started_at=datetime.now(UTC), as_of=date(2026, 10, 31),
                  user_name="ann", software_version="t")
        s.add(run)
        s.flush()
        echoed = bulk.insert(s, ExceptionRow.__table__, {"run_id": [run.id] * 3, **cols},
                             plain_json={"diffs", "proposal"}, echo=set(ROW))
        read = dict(zip(ROW, bulk.read(s, ExceptionRow.__table__, list(ROW), run.id), strict=True))
        unsure = {"version"} | ({"difference", "first_seen"} if any_store.is_postgres else set())
        assert set(echoed) == set(ROW) - unsure
        for name, values in echoed.items():
            if name in ("diffs", "proposal"):  # the same JSON
                assert [json.dumps(v, sort_keys=True) for v in values] == \
                    [json.dumps(v, sort_keys=True) for v in read[name]], name
            else:
                assert values == read[name] and list(map(type, values)) == list(map(type, read[name])), name
                if name != "last_seen":  # the same instant, shown in the session's time zone
                    assert list(map(str, values)) == list(map(str, read[name])), name  # a Decimal's scale too
        n = len(rows)
        slip = bulk.insert(s, ExceptionRow.__table__, {"run_id": [run.id] * n, **cols, "erp_id": [7, "x", None]},
                           plain_json={"diffs", "proposal"}, echo={"erp_id", "key"})
        assert set(slip) == {"key"}
