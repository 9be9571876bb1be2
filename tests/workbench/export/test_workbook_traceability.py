"""Every correction traced in the workbook: a real run over the sandboxes, proposed by one user,
approved (or rejected) by another with their reasons, pushed and verified, then exported and read
back with openpyxl: who, when and why at each step, and amounts as numbers an auditor can sum."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from workbench.corrections import service
from workbench.corrections.outbox.push import Backoff
from workbench.export.workbook import verify_workbook, write_workbook
from workbench.model.labels import is_money_field
from workbench.model.money import excel_format
from workbench.store import repo
from workbench.store.schema import AuditEvent, Correction

FAST = Backoff(base=0.05, cap=0.2)
PREPARER_SAYS = "Remittance advice of 30 October shows the customer paid this"
APPROVER_SAYS = "Checked the remittance against the bank statement"
REJECTER_SAYS = "Wait for the customer's confirmation"


@pytest.fixture(scope="module")
def traced(tmp_path_factory):
    from workbench.demo import prepare_demo
    from workbench.pipeline import execute_run
    from workbench.store.db import open_store
    base = tmp_path_factory.mktemp("traced")
    demo = prepare_demo(base / "demo", customers=30)
    store = open_store(f"sqlite:///{base / 'store.sqlite3'}")
    try:
        run_id = execute_run(demo.config, store, user="bob").run_id
        todo = [r for r in repo.load_exceptions(store, run_id).to_dict("records")
                if isinstance(r["proposal"], dict) and not r["proposal"].get("needs_decision")]
        money = [r for r in todo if is_money_field(r["proposal"]["field"])]
        other = [r for r in todo if r not in money]
        assert money and len(other) >= 2
        pushed = service.propose(store, int(money[0]["id"]), "bob", reason=PREPARER_SAYS)
        as_proposed = service.propose(store, int(other[0]["id"]), "bob")  # the engine's proposal, no own words
        rejected = service.propose(store, int(other[1]["id"]), "bob", reason="Looks like a typo in the CRM")
        service.approve(store, [pushed, as_proposed], "ann", APPROVER_SAYS)
        service.reject(store, [rejected], "ann", REJECTER_SAYS)
        report = service.push(store, "ann", backoff=FAST)
        assert report.counts["applied"] == 2
        path = base / "audit.xlsx"
        write_workbook(store, run_id, path, user="ann")
        ws = load_workbook(path)["Corrections"]
        header = [c.value for c in ws[1]]
        rows = {r[0].value: dict(zip(header, r)) for r in ws.iter_rows(min_row=2)}
        yield store, path, rows, {"pushed": pushed, "as_proposed": as_proposed, "rejected": rejected,
                                  "money": money[0], "other": other[0]}
    finally:
        store.dispose()
        demo.stop()


def _events(store, cid):
    with store.session() as s:
        return {e.action: e for e in s.execute(select(AuditEvent).where(
            AuditEvent.entity_type == "correction", AuditEvent.entity_id == str(cid)).order_by(AuditEvent.id))
            .scalars()}


def test_a_pushed_correction_shows_every_step_with_who_when_and_why(traced):
    store, _, rows, ids = traced
    row = rows[ids["pushed"]]
    events = _events(store, ids["pushed"])
    with store.session() as s:
        corr = s.get(Correction, ids["pushed"])
        assert corr is not None
        pushed_at = corr.pushed_at.replace(tzinfo=None, microsecond=0)
    assert row["Prepared by"].value == "bob" and row["Preparer's reason"].value == PREPARER_SAYS
    assert row["Decision"].value == "Approved"
    assert row["Approved or rejected by"].value == "ann"
    assert row["Approval or rejection reason"].value == APPROVER_SAYS
    approved_at = events["correction.approved"].at.replace(tzinfo=None)
    assert abs((row["Approved or rejected at (UTC)"].value - approved_at).total_seconds()) <= 1
    assert row["Pushed by"].value == "ann" and abs((row["Pushed at (UTC)"].value - pushed_at).total_seconds()) <= 1
    verified_at = events["correction.verified"].at.replace(tzinfo=None)
    assert isinstance(row["Verified at (UTC)"].value, datetime)
    assert abs((row["Verified at (UTC)"].value - verified_at).total_seconds()) <= 1
    assert row["Verification"].value.startswith("Agreed")
    assert row["State code"].value == "applied" and row["Response id"].value
    # the engine's proposal and its rule have their own columns; the preparer's words are not replaced
    assert row["Engine's proposal"].value and row["Engine's proposal"].value != PREPARER_SAYS
    for h in ("Prepared at (UTC)", "Approved or rejected at (UTC)", "Pushed at (UTC)", "Verified at (UTC)"):
        assert row[h].is_date and row[h].number_format == "yyyy-mm-dd hh:mm:ss", h


def test_money_before_and_after_are_numbers_in_the_rows_currency(traced):
    _, _, rows, ids = traced
    row = rows[ids["pushed"]]
    ccy = row["Currency"].value
    assert ccy == ids["money"]["currency"]
    before, after = row["Before"], row["After"]
    assert before.data_type == after.data_type == "n"
    assert before.number_format == after.number_format == excel_format(ccy)
    assert Decimal(str(after.value)) == Decimal(str(ids["money"]["proposal"]["to"]))


def test_the_engines_words_are_not_passed_off_as_the_preparers(traced):
    _, _, rows, ids = traced
    row = rows[ids["as_proposed"]]
    proposal = ids["other"]["proposal"]
    assert row["Preparer's reason"].value is None  # bob wrote nothing of his own
    shown = row["Engine's proposal"].value
    if proposal.get("text"):
        assert shown == proposal["text"]
    else:  # a proposal stored without a sentence: one is built from the label table
        assert shown.startswith(f"Set the {proposal['target_side'].upper()} ") and str(proposal["to"]) in shown
    assert "[rules." not in shown and "_" not in shown.split(" to ")[0]
    if proposal.get("rule"):
        assert row["Rule"].value == proposal["rule"]


def test_a_rejected_correction_says_who_rejected_it_when_and_why(traced):
    store, _, rows, ids = traced
    row = rows[ids["rejected"]]
    assert row["Decision"].value == "Rejected" and row["State code"].value == "rejected"
    assert row["Approved or rejected by"].value == "ann"
    assert row["Approval or rejection reason"].value == REJECTER_SAYS
    assert row["Preparer's reason"].value == "Looks like a typo in the CRM"
    rejected_at = _events(store, ids["rejected"])["correction.rejected"].at.replace(tzinfo=None)
    assert abs((row["Approved or rejected at (UTC)"].value - rejected_at).total_seconds()) <= 1
    assert row["Pushed by"].value is None and row["Verified at (UTC)"].value is None


def test_the_traced_workbook_verifies(traced):
    store, path, _, _ = traced
    assert verify_workbook(store, path).ok
