"""Incremental re-runs over real HTTP sandboxes: a re-run of the same configuration pulls only what
changed since the previous run, and gives exactly the exceptions a full pull of the same data gives,
with far fewer calls to the systems (counted by the sandboxes themselves). Salesforce against each ERP
that can ask for changes: Business Central and Odoo."""

from __future__ import annotations

import tomllib

import pytest

from tests.helpers.sandboxes import erp_sandbox, salesforce_org
from workbench.config import from_dict
from workbench.pipeline import execute_run, format_summary
from workbench.review.assign import assign
from workbench.sandbox import erp, salesforce
from workbench.sandbox.churn import churn_business_central, churn_odoo, churn_salesforce
from workbench.sandbox.scenario import generate, load
from workbench.store import repo
from workbench.store.db import open_store

COMPARED = ["key", "type", "field", "crm_id", "erp_id", "crm_value", "erp_value", "difference", "amount_at_risk",
            "currency", "message"]


@pytest.fixture(scope="module")
def scen(tmp_path_factory):
    return generate(5, 150, tmp_path_factory.mktemp("scen") / "s", invoices_per_customer=10)




@pytest.fixture(scope="module", params=["business-central", "odoo"])
def erp_box(request, scen):
    """The ERP sandbox: Business Central, then Odoo."""
    yield from erp_sandbox(request.param, scenario_dir=scen)


CHURN = {"business-central": churn_business_central, "odoo": churn_odoo}


@pytest.fixture(scope="module")
def sf(scen, erp_box, tmp_path_factory):
    """A fresh org for each ERP: a re-run reads again what changed in the 5 minutes before its last run."""
    yield from salesforce_org(load(scen).crm, tmp_path_factory.mktemp("sf"))


@pytest.fixture(scope="module")
def config(scen, sf, erp_box):
    raw = tomllib.loads((scen / "run.toml").read_text(encoding="utf-8"))
    raw["crm"] = salesforce.demo_config(sf)
    raw["crm"]["salesforce"].update(query_mode="rest", batch_size=200)  # the smallest page Salesforce serves
    raw["erp"] = erp.demo_config(erp_box, page_size=20)  # pages of a big ledger, at a size a test can serve
    return from_dict(raw, path=scen / "run.toml")


def _calls(sf, erp_box) -> int:
    return sf.org.api_used + erp_box.requests


def _exceptions(store, run_id):
    frame = repo.load_exceptions(store, run_id)
    return frame, {tuple(str(v) for v in row) for row in frame[COMPARED].itertuples(index=False)}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, config, sf, erp_box):
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('db') / 'store.sqlite3'}")
    calls = {}
    before = _calls(sf, erp_box)
    first = execute_run(config, store, user="ann")
    calls["first"] = _calls(sf, erp_box) - before
    frame, _ = _exceptions(store, first.run_id)
    kept = frame[frame["type"] == "customer.attribute_mismatch"]["id"].tolist()[:2]
    assign(store, kept, "ann", "bob")
    changed = churn_salesforce(sf, share=0.01), CHURN[erp_box.flavor](erp_box, share=0.01)
    before, shapes, inner = _calls(sf, erp_box), dict(erp_box.calls), erp_box.inner_calls
    incremental = execute_run(config, store, user="ann")
    calls["incremental"] = _calls(sf, erp_box) - before
    calls["incremental_erp"] = {k: v - shapes.get(k, 0) for k, v in erp_box.calls.items() if v > shapes.get(k, 0)}
    # the re-run's reads go as inner requests of $batch requests: what each was, per shape
    calls["incremental_erp_inner"] = {k: v - inner.get(k, 0) for k, v in erp_box.inner_calls.items()
                                     if v > inner.get(k, 0)}
    before = _calls(sf, erp_box)
    full = execute_run(config, store, user="ann", full=True)
    calls["full"] = _calls(sf, erp_box) - before
    yield {"store": store, "first": first, "incremental": incremental, "full": full, "calls": calls,
           "changed": changed, "assigned": frame[frame["id"].isin(kept)]["key"].tolist()}
    store.dispose()


def test_the_re_run_is_incremental_on_both_sides_and_says_so(runs, erp_box):
    pulls = runs["incremental"].summary["pulls"]
    assert pulls["crm"]["mode"] == pulls["erp"]["mode"] == "incremental"
    assert pulls["crm"]["previous_run"] == runs["first"].run_id
    crm_sf, erp_churn = runs["changed"]
    invoices = pulls["crm"]["kinds"]["invoices"]
    assert invoices["changed"] == crm_sf.updated and invoices["deleted"] == crm_sf.deleted
    assert pulls["crm"]["kinds"]["customers"]["changed"] == crm_sf.inserted
    erp_kinds = pulls["erp"]["kinds"]
    if erp_box.flavor == "business-central":
        erp_inv = erp_kinds["invoices"]
        assert erp_inv["changed"] == erp_churn.updated and erp_inv["deleted"] == erp_churn.deleted
        assert erp_kinds["order_lines"]["mode"] == "full"  # BC's lines carry no lastModifiedDateTime
        # BC lists customer payments only under a journal (page 30055 "APIV2 - Customer Payments", CheckFilters):
        # listed by id and stamp with their journals, none changed, none read again
        assert erp_kinds["payments"]["mode"] == "changes" and erp_kinds["payments"]["changed"] == 0
        assert "customerPaymentJournals?$select=id&$expand=customerPayments" in erp_kinds["payments"]["deletions"]
        assert erp_kinds["orders"]["deleted"] == erp_churn.orders_deleted > 0
    else:  # Odoo: due dates moved, price list items deleted; customers archived (changed) and added
        assert erp_kinds["prices"]["deleted"] == erp_churn.deleted > 0
        assert erp_kinds["invoices"]["changed"] + erp_kinds["customers"]["changed"] == erp_churn.updated \
            + erp_churn.inserted
        assert {k["mode"] for k in erp_kinds.values()} == {"changes"}, erp_kinds  # no kind read in full
    text = format_summary(runs["incremental"].summary, runs["incremental"].run_id)
    assert "Pull CRM: incremental since" in text and f"{crm_sf.deleted:,} deleted" in text
    if erp_box.flavor == "business-central":
        assert text.count("read in full: order_lines (") == 1 and "payments (" not in text, text
    assert runs["first"].summary["pulls"]["crm"] == {"mode": "full", "why": "no earlier run of this configuration"}
    assert runs["full"].summary["pulls"]["erp"] == {"mode": "full", "why": "a full pull was asked for"}


def test_incremental_and_full_re_runs_give_identical_exceptions(runs):
    store = runs["store"]
    inc_frame, inc = _exceptions(store, runs["incremental"].run_id)
    _, full = _exceptions(store, runs["full"].run_id)
    assert inc == full
    _, first = _exceptions(store, runs["first"].run_id)
    assert inc != first  # the churn moved findings: the comparison is not of two untouched runs
    assert runs["incremental"].summary["records"] == runs["full"].summary["records"]
    assert runs["incremental"].summary["control_totals"] == runs["full"].summary["control_totals"]
    assert len(inc_frame) == len(inc)


def test_the_incremental_re_run_makes_far_fewer_calls(runs):
    calls = runs["calls"]
    assert calls["incremental"] * 3 < calls["full"], calls
    assert calls["first"] == calls["full"]


def test_exceptions_keep_their_assignment_and_first_seen_across_an_incremental_run(runs):
    store = runs["store"]
    first, _ = _exceptions(store, runs["first"].run_id)
    inc, _ = _exceptions(store, runs["incremental"].run_id)
    assert runs["assigned"]
    again = inc[inc["key"].isin(runs["assigned"])]
    assert sorted(again["key"]) == sorted(runs["assigned"]) and set(again["assignee"]) == {"bob"}
    seen = dict(zip(first["key"], first["first_seen"]))
    assert all(seen[k] == v for k, v in zip(inc["key"], inc["first_seen"]) if k in seen)


def test_the_incremental_re_run_reads_in_full_only_what_it_names(runs, erp_box):
    """Business Central's requests in the re-run (inner requests of its $batch requests included): changes
    (``$filter``), counts, key-only reads (``$select=id``) and next pages of those; a whole entity is read
    only for the kinds the run names as read in full (sales order lines, which come inline with their orders, and
    customer payments, with their journals).
    Odoo's: per kind, one ``formatted_read_group`` counting its records and summing their ids (deletions), or a
    ``search_read`` of the customers' ids and pricelists, and a key-only ``search`` for the price items the churn
    deleted, and one page of ``search_read``
    since the last run (a full read of the 1,500 invoices alone would take 75 pages of 20; order lines stamped with
    their order are not read again); one ``fields_get`` of each model whose default fields a database may lack
    (``OPTIONAL_DEFAULTS``: res.partner, account.payment); no version probe: the previous run's API is spoken."""
    shapes = {**runs["calls"]["incremental_erp"], **runs["calls"]["incremental_erp_inner"]}
    if erp_box.flavor == "odoo":
        kinds = len(runs["incremental"].summary["pulls"]["erp"]["kinds"])
        # counted: every kind but customers; listed: customers, with their pricelist (it shows their currency and
        # is computed when read), and the price items after their count; fields_get once per model whose default
        # fields a database may lack
        assert shapes == {"POST search": 1, "POST formatted_read_group": kinds - 1, "POST search_read": kinds + 1,
                          "POST fields_get": 2}, shapes
        return
    whole = {s.replace(",$skiptoken", "") for s in shapes if s.startswith("GET ") and "$filter" not in s
             and ("$select=id" not in s or "$expand" in s) and "$count" not in s}
    assert whole == {"GET salesOrders ?$expand,$select=id", "GET customerPaymentJournals ?$expand,$select=id"}, shapes
    assert shapes.get("POST token") == 1  # one sign-in per run


def test_the_incremental_re_run_stores_the_raw_records_a_full_pull_stores_in_its_order(runs):
    """Kind by kind, in the order a full pull reads them (a new customer among the customers, Business Central's
    order lines read in full where they were): the extract's content hash, over the records' hashes in that order,
    is the full run's. Only the query each record was read by differs (the changes' query, or the full one)."""
    from workbench.store import snapshots

    for side in ("crm", "erp"):
        inc = snapshots.load_extract(runs["store"], runs["incremental"].run_id, side)
        full = snapshots.load_extract(runs["store"], runs["full"].run_id, side)
        keys = ["kind", "record_id", "content_hash"]
        assert inc.snapshots[keys].values.tolist() == full.snapshots[keys].values.tolist(), side
        assert inc.meta.content_hash == full.meta.content_hash, side


def _parts_of(store, run_id: int) -> dict[tuple[str, str], str]:
    from workbench.store import snapshots

    with store.session() as s:
        return {(side, name): sha for side, name, _, sha, _ in snapshots.part_hashes(s, run_id)}


def test_a_kind_nothing_changed_in_adds_no_bytes_to_the_store_and_the_re_run_verifies(runs):
    """A kind the changes did not touch (no record changed, added or deleted) is stored again as the very
    part the previous run stored, raw records and frame (the same SHA-256: a reference, no new bytes),
    however many records the kinds pulled before it gained or lost; and the re-run's stored snapshot
    verifies against its run event as any run's does (``workbench audit verify`` recomputes each part's
    SHA-256 from the stored bytes)."""
    import contextlib
    import io

    from workbench.cli import main
    from workbench.store import coverage

    store, first, inc = runs["store"], runs["first"].run_id, runs["incremental"].run_id
    before, after = _parts_of(store, first), _parts_of(store, inc)
    untouched = [(side, kind) for side, pull in runs["incremental"].summary["pulls"].items()
                 for kind, k in pull["kinds"].items()
                 if k["mode"] == "changes" and not k["changed"] and not k["deleted"] and k["reused"]]
    # the churn adds customers, pulled before every other kind: each later kind's records moved in the pull
    assert any(kind not in ("customers",) for _, kind in untouched), untouched
    for side, kind in untouched:
        for part in (f"raw:{kind}", f"frame:{kind}"):
            assert after[(side, part)] == before[(side, part)], (side, part)
    with store.session() as s:
        assert coverage.snapshot_problems(s, inc) == []
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["audit", "verify", "--db", store.url]) == 0
