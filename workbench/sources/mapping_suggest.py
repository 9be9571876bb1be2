"""Field mapping for a source object: suggest which source field feeds each canonical field,
and save the chosen mapping (and status value map) into the run config TOML.

Suggestions compare names (canonical field name plus the words systems use for it, against
the source field's API name and label) with rapidfuzz, and keep only pairs whose types fit,
so a custom ``ERP_Customer_Number__c`` lands on ``xref`` and a currency amount never lands
on a date. Saving goes through ``workbench.config.from_dict`` first, so a mapping that would
make the config invalid (or hold a secret) is refused before the file is touched, and the
file is replaced in one step (never half-written).
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
import tomllib
import typing
from dataclasses import dataclass, fields as dc_fields
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import tomli_w
from rapidfuzz import fuzz

from workbench.errors import ConfigError, InputError
from workbench.model.records import RECORD_TYPES
from workbench.model.status import CANONICAL, DEFAULT_MAPS
from workbench.sources.file_defaults import EXPORT_STATUS_TABLES

MIN_SCORE = 72.0  # below this a name match is a guess, not a suggestion

# The words systems use for a canonical field (Salesforce, Business Central, Odoo, ERPNext, files).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "record_id": ("id", "system id", "guid", "name id"),
    "name": ("account name", "display name", "customer name", "company name"),
    "number": ("account number", "no", "customer number", "customer no", "ref", "code", "number"),
    "xref": ("erp customer number", "erp number", "erp id", "external id", "crm id", "salesforce id",
             "cross reference", "xref", "erp customer no", "sf account id", "integration id"),
    "street": ("billing street", "address line 1", "address", "street"),
    "city": ("billing city", "city"),
    "postcode": ("billing postal code", "postal code", "zip", "zip code", "post code"),
    "state": ("billing state", "county", "region", "state"),
    "country": ("billing country", "country code", "country region code", "country id"),
    "tax_id": ("vat", "vat registration no", "vat number", "tax number", "tax id", "vat id"),
    "website": ("website", "home page", "url"),
    "email": ("email", "e mail"),
    "phone": ("phone", "phone number", "telephone"),
    "duns": ("duns number", "duns"),
    "currency": ("currency iso code", "currency code", "currency"),
    "parent_id": ("parent id", "parent", "bill to customer no", "parent account"),
    "blocked": ("blocked", "credit hold", "on hold"),
    "active": ("active", "is active"),
    "last_modified": ("last modified date", "last modified date time", "write date", "modified"),
    "version": ("system modstamp", "etag", "odata etag", "row version", "write date"),
    "customer_id": ("account id", "customer id", "partner id", "sell to customer id", "bill to customer id"),
    "total_amount": ("amount", "total amount including tax", "amount total", "grand total", "total"),
    "open_balance": ("remaining amount", "balance", "amount residual", "outstanding amount", "balance due"),
    "invoice_date": ("invoice date", "posting date", "date"),
    "due_date": ("due date", "payment due date", "invoice date due"),
    "order_ref": ("order number", "order id", "sales order", "invoice origin"),
    "external_ref": ("external document number", "external document no", "customer reference", "your reference",
                     "po number"),
    "is_credit_note": ("credit note", "is credit memo"),
    "status_raw": ("status", "state"),
    "status": ("status", "invoice status", "state", "stage name"),
    "order_date": ("order date", "effective date", "close date"),
    "booked": ("booked", "is won", "activated"),
    "product_code": ("product code", "item no", "default code", "sku"),
    "unit_price": ("unit price", "price", "list price", "price unit"),
    "pricebook": ("pricebook", "price list", "price list code"),
    "quantity": ("quantity", "qty", "product uom qty"),
    "discount_percent": ("discount", "line discount percent", "discount percent"),
    "amount": ("amount", "line amount", "total price", "price subtotal"),
    "payment_date": ("payment date", "posting date", "date"),
    "invoice_number": ("invoice number", "applies to invoice number", "ref"),
}

# Per-kind words where a field means something else than on customers.
KIND_SYNONYMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("invoices", "number"): ("invoice number", "erp invoice number", "no", "number", "name"),
    ("orders", "number"): ("order number", "erp order number", "no", "number"),
    ("products", "code"): ("product code", "item no", "default code", "number", "sku"),
}

# Kept as text whatever the source's type (an etag, a SystemModstamp, a GUID or a number).
ANY_TYPE = {"version", "record_id"}

# Invoice status comes from the object's ``status_fields`` through the status map, not from one field.
DERIVED = {"invoices": ("status", "status_raw")}

# Source type names (Salesforce describe, OData Edm, Odoo fields_get, files) by value class.
TYPE_CLASSES: dict[str, str] = {}
for _cls, _names in {
    "text": ("string", "id", "reference", "picklist", "multipicklist", "textarea", "url", "email", "phone",
             "combobox", "encryptedstring", "guid", "char", "text", "selection", "many2one", "html"),
    "number": ("currency", "double", "percent", "int", "integer", "long", "decimal", "int32", "int64", "single",
               "float", "monetary"),
    "date": ("date",),
    "datetime": ("datetime", "datetimeoffset"),
    "bool": ("boolean", "bool"),
}.items():
    for _n in _names:
        TYPE_CLASSES[_n] = _cls


@dataclass(frozen=True)
class Suggestion:
    canonical: str
    source: str | None     # the source field suggested (None: nothing fits)
    score: float           # 0..100
    current: str | None    # what the config maps today (None: unmapped)
    required: bool


def canonical_fields(kind: str) -> list[tuple[str, str]]:
    """(field, value class) of a canonical kind, in the dataclass's order."""
    cls = RECORD_TYPES.get(kind)
    if cls is None:
        raise InputError(f"unknown record kind {kind!r}; kinds are {', '.join(RECORD_TYPES)}")
    hints = typing.get_type_hints(cls)
    return [(f.name, _value_class(hints[f.name])) for f in dc_fields(cls)]


def required_fields(kind: str) -> set[str]:
    from dataclasses import MISSING
    return {f.name for f in dc_fields(RECORD_TYPES[kind]) if f.default is MISSING and f.default_factory is MISSING}


def _value_class(hint: Any) -> str:
    args = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    t = args[0]
    if t is bool:
        return "bool"
    if t is Decimal:
        return "number"
    if t is datetime:
        return "datetime"
    if t is date:
        return "date"
    return "text"


def source_class(type_name: str | None) -> str | None:
    """Value class of a source type name; None when unknown (then any canonical type may take it)."""
    return TYPE_CLASSES.get(str(type_name or "").lower().replace("edm.", ""))


def _fits(canon_cls: str, src_cls: str | None) -> bool:
    if src_cls is None or canon_cls == src_cls:
        return True
    # Ids and codes are often numbers in ERPs; dates arrive as text in files and datetimes as dates.
    return (canon_cls == "text" and src_cls in ("number",)) or (canon_cls, src_cls) in (
        ("date", "datetime"), ("datetime", "date"), ("date", "text"), ("datetime", "text"), ("number", "text"),
        ("bool", "text"))


def words(name: str) -> str:
    """'ERP_Customer_Number__c' -> 'erp customer number'; 'postalCode' -> 'postal code'."""
    n = re.sub(r"__(c|r|pc)$", "", str(name))
    n = re.sub(r"^[A-Za-z0-9]+__", "", n)  # managed-package namespace (blng__...)
    n = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", n)
    n = re.sub(r"[^A-Za-z0-9]+", " ", n)
    return " ".join(n.lower().split())


def _score(kind: str, canon: str, src: dict[str, Any]) -> float:
    names = {words(src.get("name") or "")}
    if src.get("label"):
        names.add(words(src["label"]))
    if words(canon) in names:
        return 100.5  # the field's own name: beats any synonym that also scores 100
    synonyms = KIND_SYNONYMS.get((kind, canon)) or SYNONYMS.get(canon, ())
    targets = {words(canon)} | {words(s) for s in synonyms}
    best = 0.0
    for a in names:
        for b in targets:
            if not a or not b:
                continue
            s = fuzz.ratio(a, b) if min(len(a), len(b)) <= 4 else max(fuzz.ratio(a, b), fuzz.token_set_ratio(a, b) - 4)
            best = max(best, s)
    return best


def suggest(kind: str, source_fields: list[dict[str, Any]], current: dict[str, str] | None = None) \
        -> list[Suggestion]:
    """One suggestion per canonical field of ``kind`` (in canonical order).

    ``source_fields`` is a connector's ``describe(kind)`` answer (name, label, type, and
    ``canonical`` where the connector maps it today). ``current`` (canonical -> source
    field) overrides what describe says is mapped. Each source field is suggested for at
    most one canonical field: the best-scoring pairs win.
    """
    current = dict(current or {})
    for f in source_fields:
        if f.get("canonical") and f["canonical"] not in current:
            current[f["canonical"]] = f["name"]
    canon = [(c, cls) for c, cls in canonical_fields(kind) if c not in DERIVED.get(kind, ())]
    req = required_fields(kind)
    by_name = {f["name"]: f for f in source_fields}
    pairs: list[tuple[float, str, str]] = []
    for c, cls in canon:
        for f in source_fields:
            if c not in ANY_TYPE and not _fits(cls, source_class(f.get("type"))):
                continue
            s = _score(kind, c, f)
            if s >= MIN_SCORE:
                pairs.append((s, c, f["name"]))
    chosen: dict[str, tuple[str, float]] = {}
    taken: set[str] = set()
    # What is mapped today and still exists stays, so a suggestion never silently re-points it.
    for c, src in current.items():
        if src in by_name:
            chosen[c] = (src, 100.0)
            taken.add(src)
    for s, c, src in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if c in chosen or src in taken:
            continue
        chosen[c] = (src, s)
        taken.add(src)
    out = []
    for c, _ in canon:
        suggested: str | None
        suggested, s = chosen.get(c) or (None, 0.0)
        out.append(Suggestion(c, suggested, round(min(s, 100.0), 1), current.get(c), c in req))
    return out


# ---- status value maps ----------------------------------------------------------------------

def status_table(system: str | None, overrides: dict[str, str] | None = None) -> dict[str, str]:
    """The effective status map of a source: its system's default table with the config's overrides."""
    table = dict(DEFAULT_MAPS.get(system or "") or EXPORT_STATUS_TABLES.get(system or "", {}))
    table.update(overrides or {})
    return table


def status_overrides(system: str | None, table: dict[str, str]) -> dict[str, str]:
    """What differs from the system's default table: that is what the config needs to hold."""
    default = DEFAULT_MAPS.get(system or "") or EXPORT_STATUS_TABLES.get(system or "", {})
    bad = [(k, v) for k, v in table.items() if v not in CANONICAL]
    if bad:
        k, v = bad[0]
        raise InputError(f"status map: {k!r} maps to {v!r}", expected=", ".join(CANONICAL))
    return {k: v for k, v in table.items() if default.get(k) != v}


# ---- saving ---------------------------------------------------------------------------------

def apply_mapping(raw: dict[str, Any], side: str, kind: str, mapping: dict[str, str | None], *,
                  status_map: dict[str, str] | None = None) -> dict[str, Any]:
    """A copy of the config dict with ``[side.objects.kind.fields]`` set to ``mapping``
    (canonical -> source field; None/"" removes the entry) and the status map overrides."""
    if side not in ("crm", "erp"):
        raise InputError(f"side {side!r}", expected="crm or erp")
    known = {c for c, _ in canonical_fields(kind)}
    out = copy.deepcopy(raw)
    obj = out.setdefault(side, {}).setdefault("objects", {}).setdefault(kind, {})
    flds = dict(obj.get("fields") or {})
    for canon, src in mapping.items():
        if canon not in known:
            raise InputError(f"[{side}.objects.{kind}.fields]: {canon!r} is not a canonical field of {kind}",
                             expected=", ".join(sorted(known)))
        if src in (None, ""):
            flds.pop(canon, None)
        else:
            flds[canon] = str(src)
    obj["fields"] = flds
    if status_map is not None:
        if status_map:
            obj["status_map"] = dict(status_map)
        else:
            obj.pop("status_map", None)
    return out


def save_config(path: str | Path, raw: dict[str, Any]) -> Path:
    """Validate ``raw`` as a run config and write it to ``path`` in one step (temp file + rename)."""
    from workbench import config as cfg
    p = Path(path)
    cfg.from_dict(raw, path=p)  # refuses secrets and missing tables before anything is written
    text = tomli_w.dumps(raw)
    tomllib.loads(text)  # what we write must read back
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def load_raw(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{p}: config file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: not a valid TOML config: {exc}") from None
