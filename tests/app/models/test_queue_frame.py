"""Filtering, searching and sorting the queue's columns (no Qt involved)."""

from datetime import date, datetime, timedelta, UTC
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from app.models.queue_frame import COLUMN_KEYS, QueueFilter, QueueFrame

TODAY = date(2026, 11, 1)


def frame(n: int = 2000, seed: int = 3) -> tuple[QueueFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    types = np.array(["invoice.status_mismatch", "pricing.price_mismatch", "customer.missing_in_erp"])
    sev = np.array(["critical", "high", "medium", "low"])
    names = np.array(["Acme GmbH", "Globex Ltd", "Initech SA", "Umbrella BV", "Ærø Fisk A/S", None], dtype=object)
    type_of = types[rng.integers(0, 3, n)]
    kind = {"invoice.status_mismatch": "invoices", "pricing.price_mismatch": "prices",
            "customer.missing_in_erp": "customers"}
    number = {"invoices": "INV-{}", "prices": "P-{}", "customers": "C{}"}
    df = pd.DataFrame({
        "id": np.arange(1, n + 1),
        "key": [f"k{i}" for i in range(n)],
        "type": type_of,
        "crm_object": [kind[t] for t in type_of],
        "crm_number": [number[kind[t]].format(i) for i, t in enumerate(type_of)],
        "erp_object": [None if t == "customer.missing_in_erp" else kind[t] for t in type_of],
        "erp_number": [None if t == "customer.missing_in_erp" else number[kind[t]].format(i)
                       for i, t in enumerate(type_of)],
        "severity": sev[rng.integers(0, 4, n)],
        "customer_name": names[rng.integers(0, len(names), n)],
        "crm_id": [f"001{i:015d}" for i in range(n)],
        "erp_id": [None if i % 7 == 0 else f"C{i:05d}" for i in range(n)],
        "field": "status",
        "crm_value": [str(v) for v in rng.integers(0, 100, n)],
        "erp_value": "x",
        "amount_at_risk": [None if i % 11 == 0 else Decimal(int(v)) / 100 for i, v in
                           enumerate(rng.integers(0, 10_000_000, n))],
        "currency": [("EUR", "JPY", "KWD")[i % 3] for i in range(n)],
        "status": np.array(["open", "in_review", "waived"])[rng.integers(0, 3, n)],
        "assignee": np.array([None, "bob", "carol"], dtype=object)[rng.integers(0, 3, n)],
        "first_seen": [datetime(2026, 11, 1, tzinfo=UTC) - timedelta(days=int(d))
                       for d in rng.integers(0, 90, n)],
        "message": "m",
    }, dtype=object)
    return QueueFrame.from_exceptions(df, today=TODAY), df


def test_each_filter_keeps_exactly_the_rows_a_user_asked_for():
    fr, df = frame()
    f = QueueFilter(types=frozenset({"pricing.price_mismatch"}), severities=frozenset({"high", "critical"}),
                    statuses=frozenset({"open"}), assignees=frozenset({"bob"}))
    got = set(fr.ids[fr.mask(f)])
    want = set(df[(df.type == "pricing.price_mismatch") & df.severity.isin(["high", "critical"])
                  & (df.status == "open") & (df.assignee == "bob")]["id"])
    assert got == want and got


def test_unassigned_is_a_choice_of_its_own():
    fr, df = frame()
    got = set(fr.ids[fr.mask(QueueFilter(assignees=frozenset({""})))])
    assert got == set(df[df.assignee.isna()]["id"])


def test_amount_range_is_exact_decimal_and_skips_rows_without_an_amount():
    fr, df = frame()
    lo, hi = Decimal("1000.01"), Decimal("50000.00")
    got = set(fr.ids[fr.mask(QueueFilter(amount_min=lo, amount_max=hi))])
    want = {r.id for r in df.itertuples() if r.amount_at_risk is not None and lo <= r.amount_at_risk <= hi}
    assert got == want and got


def test_age_is_days_since_first_seen():
    fr, df = frame()
    got = set(fr.ids[fr.mask(QueueFilter(age_min=30))])
    want = {r.id for r in df.itertuples() if (TODAY - r.first_seen.date()).days >= 30}
    assert got == want and got


def test_search_is_case_insensitive_across_names_ids_and_values_and_narrowing_gives_the_same_as_fresh():
    fr, df = frame()
    got = set(fr.ids[fr.mask(QueueFilter(text="ÆRØ"))])
    assert got == set(df[df.customer_name == "Ærø Fisk A/S"]["id"])
    # typing "c0001" one key at a time (narrowing reuses earlier matches) ends where a fresh search does
    for i in range(1, 6):
        narrowed = fr.mask(QueueFilter(text="c0001"[:i]))
    fresh, _ = frame()
    assert np.array_equal(narrowed, fresh.mask(QueueFilter(text="c0001")))
    assert set(fr.ids[narrowed]) == {r.id for r in df.itertuples() if r.erp_id and "c0001" in r.erp_id.lower()}


def test_type_counts_ignore_the_type_filter_itself_but_honour_the_others():
    fr, df = frame()
    f = QueueFilter(types=frozenset({"pricing.price_mismatch"}), severities=frozenset({"low"}))
    counts = fr.type_counts(f)
    want = df[df.severity == "low"].type.value_counts().to_dict()
    assert counts == want


@pytest.mark.parametrize("column", ["amount_at_risk", "customer_name", "crm_id", "severity", "age", "assignee"])
def test_sort_orders_rows_and_keeps_missing_values_last_both_ways(column):
    fr, df = frame(500)
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    for desc in (False, True):
        order = fr.order(column, desc)
        assert sorted(order.tolist()) == list(range(500))
        raw = [df.iloc[i][column] if column != "age" else fr.ages[i] for i in order]
        present = [v for v in raw if v is not None and not (column == "age" and v < 0)]
        assert raw[:len(present)] == present  # missing ones at the end
        key = (lambda v: rank[v]) if column == "severity" else \
            (lambda v: v.lower()) if isinstance(present[0], str) and column != "crm_id" else (lambda v: v)
        assert [key(v) for v in present] == sorted((key(v) for v in present), reverse=desc)


def test_changes_made_by_the_core_show_without_reloading():
    fr, df = frame(100)
    ids = df["id"][:10].to_numpy()
    states = pd.DataFrame({"id": ids, "status": "waived", "assignee": [fr.record(i)["assignee"] for i in range(10)]})
    assert fr.apply_states(fr.prepare_states(states)) == 10
    assert set(fr.ids[fr.mask(QueueFilter(statuses=frozenset({"waived"})))]) >= set(ids)
    assert all(fr.record(i)["status"] == "waived" for i in range(10))


def test_warming_sorts_every_column_once_and_gives_the_same_orders():
    fr, _ = frame(300)
    cold, _ = frame(300)
    assert fr.warm_orders() == len(COLUMN_KEYS) and fr.warm_orders() == 0
    for col in ("customer_name", "amount_at_risk", "age", "severity"):
        assert np.array_equal(fr.order(col, True), cold.order(col, True))
    stopped, _ = frame(300)
    stopped.stop_warming()
    assert stopped.warm_orders() == 0


def test_states_re_read_from_the_store_replace_only_what_changed():
    fr, df = frame(50)
    states = df[["id", "status", "assignee"]].copy()
    assert fr.prepare_states(states) == {}
    states.loc[3, "status"] = "resolved"
    states.loc[7, "assignee"] = "zoe"
    prepared = fr.prepare_states(states)
    assert fr.record(3)["status"] == df.loc[3, "status"]  # nothing changes until applied
    assert fr.apply_states(prepared) == 2
    assert fr.record(3)["status"] == "resolved" and fr.record(7)["assignee"] == "zoe"
    assert set(fr.ids[fr.mask(QueueFilter(assignees=frozenset({"zoe"})))]) == {df.loc[7, "id"]}


def test_letting_a_frame_go_stops_its_background_sorts_without_breaking_one_in_progress():
    import threading
    fr, _ = frame(20_000)
    errors: list[BaseException] = []

    def warm() -> None:
        try:
            fr.warm_orders()
        except BaseException as exc:  # the test reports it
            errors.append(exc)

    t = threading.Thread(target=warm)
    t.start()
    fr.release()  # waits for a sort in progress, then drops the sorted orders
    t.join(30)
    assert not t.is_alive() and errors == []
    assert fr.warm_orders() == 0 and not fr._order_cache  # nothing sorted ahead any more
