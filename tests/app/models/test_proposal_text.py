"""The engine's proposal reads as a sentence, the rule behind it on hover."""

from decimal import Decimal

from app.models.proposal_text import proposal_words


def test_the_engines_own_sentence_is_shown_and_its_rule_goes_to_the_tooltip():
    prop = {"target_side": "crm", "object": "invoices", "field": "status", "from": "void", "to": "open",
            "text": "The ERP owns invoice status, so set Salesforce to Open",
            "rule": '[rules.ownership] invoices.status = "erp"', "reason": "the ERP is authoritative"}
    assert proposal_words(prop) == ("The ERP owns invoice status, so set Salesforce to Open",
                                    '[rules.ownership] invoices.status = "erp"')


def test_an_older_proposal_reads_as_a_sentence_with_document_and_money():
    prop = {"target_side": "crm", "object": "invoices", "field": "open_balance", "from": "0.00",
            "to": "50621.58", "needs_decision": False, "reason": "the ERP owns balances"}
    ex = {"crm_number": "PSI-103224", "currency": "JPY"}
    assert proposal_words(prop, ex) == (
        "Set the open balance of CRM invoice PSI-103224 from 0 JPY to 50,621.58 JPY.", "the ERP owns balances")


def test_a_decision_shows_both_values_and_a_missing_one_as_a_dash():
    prop = {"target_side": "erp", "object": "customers", "field": "tax_id", "needs_decision": True}
    ex = {"erp_number": "10001", "crm_value": "DE123", "erp_value": None, "amount_at_risk": Decimal(0)}
    text, tip = proposal_words(prop, ex)
    assert text == "Needs your decision: which tax ID of customer 10001 is right, the CRM's DE123 or the ERP's —?"
    assert tip == "" and proposal_words(None) == ("", "")
