"""What a controller reads of the engine's proposals and messages: plain sentences with the
systems' names and formatted values, the rule apart for hover, never nan/None/NaT; and fixes
that imply another field of the same record proposed together."""

from __future__ import annotations

import re

from workbench.model.ids import to_18
from workbench.reconcile.engine import reconcile

from .helpers import by_type, config, cust, extract, inv

C = to_18("001000000000001")
BAD = re.compile(r"\b(nan|None|NaT)\b")


def run_invoices(crm_inv, erp_inv):
    crm = extract("crm", customers=[cust(C, "Acme Inc", xref="C1")], invoices=crm_inv)
    erp = extract("erp", customers=[cust("e1", "Acme Inc", number="C1")], invoices=erp_inv)
    return reconcile(crm, erp, config())


def test_the_status_fix_reads_as_a_sentence_and_carries_the_open_balance_along():
    res = run_invoices([inv("a1", "INV-1", C, "50621.58", "0.00", "void")],
                       [inv("b1", "INV-1", "e1", "50621.58", "50621.58", "open")])
    (exc,) = by_type(res, "invoice.status_mismatch")
    p = exc["proposal"]
    assert p["text"].startswith("The ERP owns invoice status, so set Salesforce to Open")
    assert "open balance to 50,621.58 USD" in p["text"]
    assert p["rule"] == '[rules.ownership] invoices.status = "erp"'
    assert "[rules" not in p["text"]
    assert (p["field"], p["from"], p["to"]) == ("status", "void", "open")
    assert p["also"] == [{"field": "open_balance", "from": "0.00", "to": "50621.58"}]
    # nothing else reported on the pair: the one fix covers the whole record
    assert [t for t in res.exceptions["type"] if t.startswith("invoice.")] == ["invoice.status_mismatch"]


def test_a_status_fix_alone_when_the_balances_agree():
    res = run_invoices([inv("a1", "INV-1", C, "100.00", "0.00", "open")],
                       [inv("b1", "INV-1", "e1", "100.00", "0.00", "paid")])
    (exc,) = by_type(res, "invoice.status_mismatch")
    assert exc["proposal"]["text"] == "The ERP owns invoice status, so set Salesforce to Paid"
    assert "also" not in exc["proposal"]


def test_a_balance_owned_by_another_system_than_the_status_is_not_carried_along():
    crm = extract("crm", customers=[cust(C, "Acme Inc", xref="C1")],
                  invoices=[inv("a1", "INV-1", C, "500.00", "0.00", "void")])
    erp = extract("erp", customers=[cust("e1", "Acme Inc", number="C1")],
                  invoices=[inv("b1", "INV-1", "e1", "500.00", "500.00", "open")])
    res = reconcile(crm, erp, config({"ownership": {"invoices.open_balance": "crm"}}))
    (exc,) = by_type(res, "invoice.status_mismatch")
    assert "also" not in exc["proposal"]


def test_a_customer_name_owned_by_the_crm_names_the_erp_system_and_quotes_the_value():
    crm = extract("crm", customers=[cust(C, "Acme GmbH", xref="C1", country="DE")])
    erp = extract("erp", customers=[cust("e1", "Acme Handels GmbH", number="C1", country="DE")])
    res = reconcile(crm, erp, config({"ownership": {"customers.name": "crm"}}))
    (exc,) = [e for e in res.exceptions.to_dict("records") if e["field"] == "name"]
    assert exc["proposal"]["text"] == ("The CRM owns the customer's legal name, so set Business Central to "
                                       "'Acme GmbH'")
    assert exc["proposal"]["rule"] == '[rules.ownership] customers.name = "crm"'


def test_a_value_missing_on_one_side_reads_as_missing_never_nan():
    crm = extract("crm", customers=[cust(C, "González Ingeniería S.A.", xref="C1", country="ES",
                                         tax_id="ESA12345678")])
    erp = extract("erp", customers=[cust("e1", "González Ingeniería S.A.", number="C1", country="ES",
                                         tax_id=float("nan"))])
    res = reconcile(crm, erp, config())
    (exc,) = [e for e in res.exceptions.to_dict("records") if e["field"] == "tax_id"]
    assert "CRM 'ESA12345678', missing in the ERP" in exc["message"]
    assert exc["proposal"]["needs_decision"] and "holds no value" in exc["proposal"]["text"]


def test_no_message_or_proposal_text_says_nan_none_or_nat():
    res = run_invoices([inv("a1", "INV-1", C, "100.00", "100.00", "open", due_date=None),
                        inv("a2", "INV-2", C, "100.00", "100.00", "open")],
                       [inv("b1", "INV-1", "e1", "100.00", "100.00", "open"),
                        inv("b3", "INV-3", "e1", "70.00", "70.00", "open")])
    assert len(res.exceptions) >= 2
    for e in res.exceptions.to_dict("records"):
        assert not BAD.search(e["message"]), e["message"]
        if isinstance(e["proposal"], dict):
            assert not BAD.search(e["proposal"]["text"]), e["proposal"]["text"]


def test_amounts_in_messages_carry_their_currency():
    res = run_invoices([inv("a1", "INV-1", C, "1000.00", "816.63", "open")],
                       [inv("b1", "INV-1", "e1", "1000.00", "705.95", "open")])
    (exc,) = by_type(res, "invoice.balance_mismatch")
    assert exc["message"] == "Invoice INV-1 has 816.63 USD open in the CRM but 705.95 USD in the ERP."


def test_every_proposal_of_a_generated_scenario_has_a_sentence_and_its_rule_apart(tmp_path):
    from workbench import config as config_mod
    from workbench.sandbox import scenario
    from workbench.sources import files
    d = scenario.generate(7, 120, tmp_path / "s", invoices_per_customer=4)
    cfg = config_mod.load(d / "run.toml")
    res = reconcile(files.create("crm", cfg).pull(None), files.create("erp", cfg).pull(None), cfg)
    props = [(e["type"], e["proposal"]) for e in res.exceptions.to_dict("records") if isinstance(e["proposal"], dict)]
    assert len({t for t, _ in props}) >= 8  # customers, xrefs, prices, invoices, orders, hierarchy...
    for type_, p in props:
        assert p["text"] and p["text"][0].isupper() and "[rules" not in p["text"], (type_, p["text"])
        assert not BAD.search(p["text"]) and "_" not in p["text"].split("'")[0], (type_, p["text"])
        assert "rule" in p
    for e in res.exceptions.to_dict("records"):
        assert not BAD.search(e["message"]), e["message"]
