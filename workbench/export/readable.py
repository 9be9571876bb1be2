"""Evidence, audit details and proposals as sentences an auditor reads, not JSON.

The workbook keeps each audit event's JSON detail in a hidden column (it is what the event's
hash covers, so an auditor can recompute the chain); the visible columns say the same in words
through the one label table (``workbench.model.labels``).
"""

from __future__ import annotations

import re
from typing import Any

from workbench.model.labels import (CORRECTION_STATE_LABELS, EXCEPTION_STATUS_LABELS, MISSING, SEVERITY_LABELS,
                                    SIDE_LABELS, correction_state_label, exception_status_label, field_label,
                                    kind_label, value_text)
from workbench.model.missing import is_missing

VERIFICATION_LABELS: dict[str, str] = {
    "agreed": "Agreed: both systems now hold the same value",
    "still_differs": "Still differs",
    "not_checked": "Not checked (the record could not be read)",
}

# a severity or state label back to its code (the code picks the cell's colour from the palette)
STATE_CODES: dict[str, str] = {label: code for table in (SEVERITY_LABELS, EXCEPTION_STATUS_LABELS,
                                                         CORRECTION_STATE_LABELS) for code, label in table.items()}

# evidence keys that are a yes/no check, in the words of the sentence
_CHECKS = {"tax_id": "tax ID", "duns": "D-U-N-S number", "domain": "web domain", "postcode": "postcode",
           "country": "country"}
_SCORES = {"name": "name", "street": "street", "city": "city"}
_RULE = re.compile(r"\(?(\[rules[^\]]*\][^)]*?)\)?\s*$")


def _number(v: Any) -> str:
    return f"{float(v):.2f}"


def evidence_text(evidence: Any, tax_id: str | None = None) -> str | None:
    """{"tax_id": true, "name": 0.97, "postcode": false} → "Matched on tax ID DE811…; name 0.97;
    differs: postcode". ``tax_id`` is the CRM customer's, named when it matched."""
    if is_missing(evidence) or evidence in ({}, ""):
        return None
    if not isinstance(evidence, dict):
        return str(evidence)
    matched, differs, scores, other = [], [], [], []
    if evidence.get("xref_crm"):
        matched.append("the CRM's cross-reference")
    if evidence.get("xref_erp"):
        matched.append("the ERP's cross-reference")
    for key, words in _CHECKS.items():
        v = evidence.get(key)
        if v is True:
            matched.append(f"{words} {tax_id}" if key == "tax_id" and tax_id else words)
        elif v is False:
            differs.append(words)
    for key, words in _SCORES.items():
        v = evidence.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            scores.append(f"{words} {_number(v)}")
    for key in sorted(evidence, key=str):
        if key in _CHECKS or key in _SCORES or key in ("xref_crm", "xref_erp", "score"):
            continue
        other.append(f"{_key(str(key))} {_plain_value(evidence[key])}")
    parts = []
    if matched:
        parts.append("Matched on " + ", ".join(matched))
    parts.extend(scores + other)
    if differs:
        parts.append("differs: " + ", ".join(differs))
    if isinstance(evidence.get("score"), (int, float)) and not isinstance(evidence.get("score"), bool):
        parts.append(f"overall score {_number(evidence['score'])}")
    return "; ".join(parts) or None


def _key(key: str) -> str:
    """A detail's key in words ("exception_id" → "Exception id"); not the field table, whose
    words are for record fields ("name" there is a customer's legal name)."""
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else key


def _plain_value(v: Any, fld: str | None = None) -> str:
    if isinstance(v, dict):
        return ", ".join(f"{_key(str(k))} {_plain_value(x)}" for k, x in v.items())
    if isinstance(v, list):
        return ", ".join(_plain_value(x) for x in v) or MISSING
    if isinstance(v, float) and not isinstance(v, bool) and v == v:
        return _number(v) if 0 <= v <= 1 else f"{v:,}"
    return value_text(v, fld)


def _state(action: str, code: Any) -> str:
    if code is None:
        return "new"
    return exception_status_label(code) if action.startswith("exception.") else correction_state_label(code)


_SKIP = {"idempotency_key", "seen_version", "version", "exception_key", "state_before", "state_after", "reason",
         "target", "before", "after", "from", "to", "verification"}


def detail_text(action: str, detail: Any) -> str | None:
    """An audit event's detail in words: the state change, the reason, the target and values,
    then every other key as "Label value" (the JSON stays in its own column)."""
    if is_missing(detail) or detail in ({}, ""):
        return None
    if not isinstance(detail, dict):
        return str(detail)
    parts: list[str] = []
    if "state_before" in detail or "state_after" in detail:
        parts.append(f"{_state(action, detail.get('state_before'))} → {_state(action, detail.get('state_after'))}")
    if detail.get("reason"):
        parts.append(f"reason: {detail['reason']}")
    target = detail.get("target")
    fld = None
    if isinstance(target, dict):
        fld = target.get("field")
        side = SIDE_LABELS.get(str(target.get("side")), str(target.get("side") or ""))
        parts.append(f"{side} {target.get('object') or ''} {target.get('record') or ''}, "
                     f"{field_label(fld)}".replace("  ", " ").strip())
    for a, b in (("before", "after"), ("from", "to")):
        if a in detail or b in detail:
            parts.append(f"{_plain_value(detail.get(a), fld)} → {_plain_value(detail.get(b), fld)}")
    if detail.get("verification"):
        parts.append(VERIFICATION_LABELS.get(str(detail["verification"]), str(detail["verification"])))
    for key in sorted(detail, key=str):
        if key in _SKIP:
            continue
        parts.append(f"{_key(str(key))}: {_plain_value(detail[key])}")
    return "; ".join(parts) or None


def proposal_text(proposal: Any) -> str | None:
    """The engine's proposal as a sentence: its own ``text``, or for proposals stored before
    proposals carried one, "Set ERP Open balance to 100.00" built from the label table."""
    if not isinstance(proposal, dict) or not proposal:
        return None
    if proposal.get("text"):
        return str(proposal["text"])
    side = SIDE_LABELS.get(str(proposal.get("target_side")), str(proposal.get("target_side") or "")).strip()
    fld = proposal.get("field")
    what = f"{side} {kind_label(proposal.get('object')).lower()} {field_label(fld).lower()}".strip()
    if proposal.get("needs_decision"):
        return f"A person decides the {what}"
    return f"Set the {what} to {value_text(proposal.get('to'), fld)}"


def proposal_rule(proposal: Any) -> str | None:
    """The rule behind a proposal, in config syntax (``[rules.ownership] invoices.status = "erp"``)."""
    if not isinstance(proposal, dict):
        return None
    if proposal.get("rule"):
        return str(proposal["rule"])
    m = _RULE.search(str(proposal.get("reason") or ""))
    return m.group(1).strip() if m else None


def preparer_reason(reason: str | None, proposal: Any) -> str | None:
    """What the preparer wrote; the engine's own words (copied in when the preparer wrote
    nothing) are not the preparer's reason and show in the proposal and rule columns instead."""
    if not reason or not reason.strip():
        return None
    if isinstance(proposal, dict) and reason.strip() in {str(proposal.get(k) or "").strip()
                                                         for k in ("reason", "text", "rule")}:
        return None
    return reason
