"""Evidence, audit details and proposals in words for the workbook's readers."""

from __future__ import annotations

from workbench.export.readable import (detail_text, evidence_text, preparer_reason, proposal_rule,
                                       proposal_text)


def test_link_evidence_reads_as_a_sentence_naming_the_tax_id():
    ev = {"score": 0.97, "name": 0.9712, "street": 0.5, "postcode": False, "tax_id": True, "xref_crm": True}
    assert evidence_text(ev, "DE811234567") == ("Matched on the CRM's cross-reference, tax ID DE811234567; "
                                                "name 0.97; street 0.50; differs: postcode; overall score 0.97")
    assert evidence_text({}) is None and evidence_text(None) is None


def test_audit_detail_reads_as_words_with_labels_and_money():
    detail = {"state_before": "proposed", "state_after": "approved", "reason": "checked the remittance",
              "target": {"side": "erp", "object": "invoices", "record": "INV-7", "field": "open_balance"},
              "before": "90", "after": "100.5", "approver": "ann", "idempotency_key": "wb-1"}
    assert detail_text("correction.approved", detail) == (
        "Waiting for approval → Approved, not yet sent; reason: checked the remittance; "
        "ERP invoices INV-7, Open balance; 90 → 100.5; Approver: ann")
    assert detail_text("exception.in_review", {"status_before": "open", "why": None}) == (
        "Status before: open; Why: —")


def test_old_proposals_get_a_sentence_and_their_rule_from_the_reason():
    old = {"target_side": "crm", "object": "invoices", "field": "status", "to": "open", "needs_decision": False,
           "reason": 'the ERP owns invoice status ([rules.ownership] invoices.status = "erp")'}
    assert proposal_text(old) == "Set the CRM invoice status to Open"
    assert proposal_rule(old) == '[rules.ownership] invoices.status = "erp"'
    new = {**old, "text": "The ERP owns invoice status, so set Salesforce to Open", "rule": "[rules.ownership] x"}
    assert proposal_text(new) == "The ERP owns invoice status, so set Salesforce to Open"
    assert proposal_rule(new) == "[rules.ownership] x"


def test_the_preparers_reason_is_only_what_the_preparer_wrote():
    prop = {"reason": "engine words", "text": "The ERP owns it"}
    assert preparer_reason("engine words", prop) is None
    assert preparer_reason("The ERP owns it", prop) is None
    assert preparer_reason("customer phoned", prop) == "customer phoned"
    assert preparer_reason("  ", prop) is None
