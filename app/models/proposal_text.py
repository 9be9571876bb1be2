"""The engine's proposal as a sentence for a person, and the rule behind it for the tooltip.

Proposals carry ``text`` (the plain sentence) and ``rule`` (the rule in config syntax) since
issue 18; proposals stored before that only have their keys, and read as a sentence built
from them with the label table, their engine reason going to the tooltip.
"""

from __future__ import annotations

from typing import Any

from app.models.values import shown_value
from workbench.model.labels import SIDE_LABELS, field_label, kind_label


def in_sentence(label: str) -> str:
    """A label inside a sentence: "Open balance" → "open balance", but "Tax ID" → "tax ID" and
    "D-U-N-S number" stays."""
    if len(label) > 1 and label[1].isalpha() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label if len(label) > 1 else label.lower()


def proposal_words(proposal: dict[str, Any] | None, exception: dict[str, Any] | None = None) -> tuple[str, str]:
    """(sentence, hover text) for a proposal; ("", "") when there is none."""
    if not proposal:
        return "", ""
    ex = exception or {}
    rule = str(proposal.get("rule") or proposal.get("reason") or "")
    if proposal.get("text"):
        return str(proposal["text"]), rule
    side = str(proposal.get("target_side") or "")
    system = SIDE_LABELS.get(side, side.upper() or "the other system")
    field = proposal.get("field")
    currency = ex.get("currency")
    what = in_sentence(field_label(field)) if field else "the value"
    record = in_sentence(kind_label(proposal.get("object")))
    number = ex.get(f"{side}_number") if side else None
    record = f"{record} {number}" if number else record
    if proposal.get("needs_decision"):
        crm = shown_value(ex.get("crm_value"), field, currency)
        erp = shown_value(ex.get("erp_value"), field, currency)
        return (f"Needs your decision: which {what} of {record} is right, the CRM's {crm} or the ERP's {erp}?",
                rule)
    to = shown_value(proposal.get("to"), field, currency)
    was = shown_value(proposal.get("from"), field, currency)
    return f"Set the {what} of {system} {record} from {was} to {to}.", rule
