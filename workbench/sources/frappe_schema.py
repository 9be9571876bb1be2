"""The field rules of a Frappe DocType, read from the DocType document the site publishes
(``GET /api/resource/DocType/<name>``; the rows of its ``fields`` table are DocFields,
frappe/core/doctype/docfield/docfield.json), so that a REST profile refuses before sending
what Frappe would refuse on save. The checks follow Frappe's own order and rules:
frappe/model/document.py ``validate_update_after_submit`` (a submitted document keeps every
field without ``allow_on_submit``), frappe/model/base_document.py ``_validate_mandatory``
(``reqd``), ``_validate_length`` (Data, Link and Select are varchar(140) unless the field sets
a length) and ``_validate_selects`` (a Select value is one of its options).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_LENGTH = 140  # frappe/database/mariadb/database.py: varchar_len
_LIMITED = ("Data", "Link", "Select")


@dataclass(frozen=True)
class DocField:
    fieldname: str
    fieldtype: str
    reqd: bool = False
    length: int = 0
    options: str = ""
    read_only: bool = False
    allow_on_submit: bool = False


def fields_of(doctype_doc: dict[str, Any]) -> dict[str, DocField]:
    """fieldname -> DocField from a DocType document (its ``fields`` rows)."""
    out: dict[str, DocField] = {}
    for row in doctype_doc.get("fields") or []:
        name = row.get("fieldname")
        if not name:
            continue
        out[str(name)] = DocField(fieldname=str(name), fieldtype=str(row.get("fieldtype") or "Data"),
                                  reqd=bool(row.get("reqd")), length=int(row.get("length") or 0),
                                  options=str(row.get("options") or ""), read_only=bool(row.get("read_only")),
                                  allow_on_submit=bool(row.get("allow_on_submit")))
    return out


def refusal(f: DocField, value: Any, docstatus: Any) -> str | None:
    """Why Frappe would refuse saving ``value`` into this field of a document with this
    docstatus (0 draft, 1 submitted, 2 cancelled), or None when it would take it."""
    if docstatus == 2:
        return "the document is cancelled, and Frappe refuses any change to it"
    if docstatus == 1 and not f.allow_on_submit:
        return "the document is submitted and this field does not allow changes after submit " \
               "(Frappe: UpdateAfterSubmitError)"
    if f.read_only:
        return "the field is read-only in this DocType"
    blank = value is None or (isinstance(value, str) and not value.strip())
    if blank:
        return "the field is mandatory (reqd), so it cannot be cleared (Frappe: MandatoryError)" if f.reqd else None
    if f.fieldtype in _LIMITED and len(str(value)) > (f.length or DEFAULT_LENGTH):
        return f"the value is longer than the field's {f.length or DEFAULT_LENGTH} characters " \
               f"(Frappe: CharacterLengthExceededError)"
    if f.fieldtype == "Select" and f.options:
        choices = f.options.split("\n")
        if str(value) not in choices:
            return f"{value!r} is not one of the field's options ({', '.join(c for c in choices if c)})"
    return None
