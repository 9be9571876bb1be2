"""Salesforce record ids: 15-character case-sensitive and 18-character case-safe forms.

The 18-character form appends three checksum characters, one per 5-character
chunk: bit i of a chunk's value is set when its i-th character is an uppercase
letter, and the value indexes "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".
"""

from __future__ import annotations

import re

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE = re.compile(r"^[a-zA-Z0-9]{15}$")

KEY_PREFIXES = {
    "001": "Account", "006": "Opportunity", "00k": "OpportunityLineItem", "01t": "Product2",
    "01s": "Pricebook2", "01u": "PricebookEntry", "800": "Contract", "801": "Order",
    "802": "OrderItem", "750": "Bulk job", "01g": "query locator",
}


class InvalidSalesforceId(ValueError):
    pass


def checksum(base15: str) -> str:
    out = []
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(base15[chunk * 5:chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        out.append(_ALPHABET[bits])
    return "".join(out)


def to_18(value: str) -> str:
    """Normalise a Salesforce id to its 18-character form.

    15-character ids get their checksum; 18-character ids are checked, and an id
    whose case was lost (e.g. lower-cased by a spreadsheet) is restored from its
    checksum. Anything else raises InvalidSalesforceId naming the value.
    """
    if not isinstance(value, str):
        raise InvalidSalesforceId(f"Salesforce id must be text, got {value!r}")
    text = value.strip()
    if len(text) == 15:
        if not _BASE.match(text):
            raise InvalidSalesforceId(f"{value!r} is not a Salesforce id (15 letters/digits expected)")
        return text + checksum(text)
    if len(text) == 18:
        base, suffix = text[:15], text[15:].upper()
        if not _BASE.match(base) or any(c not in _ALPHABET for c in suffix):
            raise InvalidSalesforceId(f"{value!r} is not a Salesforce id (18 letters/digits expected)")
        if checksum(base) == suffix:
            return base + suffix
        # Only a case-folded id (all letters one case, as a spreadsheet or a
        # case-insensitive database leaves it) is repaired; a mixed-case id with a
        # wrong checksum is a different or mistyped record and is refused.
        folded = base == base.lower() or base == base.upper()
        restored = _restore_case(base, suffix) if folded else None
        if restored is None:
            raise InvalidSalesforceId(f"{value!r} is not a valid Salesforce id: checksum {text[15:]!r} does not match")
        return restored + suffix
    raise InvalidSalesforceId(f"{value!r} is not a Salesforce id (15 or 18 characters expected, got {len(text)})")


def _restore_case(base: str, suffix: str) -> str | None:
    """Rebuild the case of an id whose letters were case-folded, from its checksum."""
    chars = list(base)
    for chunk, code in enumerate(suffix):
        bits = _ALPHABET.index(code)
        for i in range(5):
            pos = chunk * 5 + i
            ch = chars[pos]
            upper = bool(bits & (1 << i))
            if upper and not ch.isalpha():
                return None
            chars[pos] = ch.upper() if upper else ch.lower()
    restored = "".join(chars)
    return restored if checksum(restored) == suffix else None


def is_salesforce_id(value: object) -> bool:
    try:
        to_18(value)  # type: ignore[arg-type]
    except InvalidSalesforceId:
        return False
    return True


def to_15(value: str) -> str:
    return to_18(value)[:15]


def object_for(value: str) -> str | None:
    """The sObject type an id belongs to, from its key prefix, when known."""
    return KEY_PREFIXES.get(to_18(value)[:3])
