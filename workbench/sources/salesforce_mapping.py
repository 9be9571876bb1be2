"""How Salesforce objects and fields become canonical records, and back.

The defaults name the standard quote-to-cash objects with the same API names a Data
Loader export of them carries, so a config written for the files connector maps the
same way here. ``[crm.objects.<kind>]`` may name another ``object`` and override
single fields in ``[crm.objects.<kind>.fields]`` (canonical = API name).
"""

from __future__ import annotations

import re
from datetime import date, datetime, UTC
from decimal import Decimal
from typing import Any
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.errors import ConfigError, InputError, SourceError
from workbench.model import ids
from workbench.model.money import parse_decimal
from workbench.model.records import DATE_FIELDS, DECIMAL_FIELDS
from workbench.model.status import StatusMap, UnknownStatus

# canonical field -> Salesforce API field, per canonical kind
DEFAULT_FIELDS: dict[str, dict[str, str]] = {
    "customers": {
        "record_id": "Id", "name": "Name", "number": "AccountNumber", "xref": "ERP_Customer_Number__c",
        "street": "BillingStreet", "city": "BillingCity", "postcode": "BillingPostalCode",
        "state": "BillingState", "country": "BillingCountry", "tax_id": "Tax_ID__c",
        "website": "Website", "phone": "Phone", "currency": "CurrencyIsoCode", "parent_id": "ParentId",
        "last_modified": "LastModifiedDate", "version": "SystemModstamp",
    },
    "products": {
        "record_id": "Id", "code": "ProductCode", "name": "Name", "active": "IsActive",
        "last_modified": "LastModifiedDate", "version": "SystemModstamp",
    },
    "prices": {
        "record_id": "Id", "product_code": "ProductCode", "currency": "CurrencyIsoCode",
        "unit_price": "UnitPrice", "pricebook": "Pricebook2.Name", "product_id": "Product2Id",
        "product_name": "Name", "active": "IsActive",
        "last_modified": "LastModifiedDate", "version": "SystemModstamp",
    },
    "orders": {
        "record_id": "Id", "number": "OrderNumber", "customer_id": "AccountId", "currency": "CurrencyIsoCode",
        "total_amount": "TotalAmount", "order_date": "EffectiveDate", "status": "Status",
        "xref": "ERP_Order_Number__c", "last_modified": "LastModifiedDate", "version": "SystemModstamp",
    },
    "order_lines": {
        "record_id": "Id", "order_id": "OrderId", "product_code": "Product2.ProductCode", "quantity": "Quantity",
        "unit_price": "UnitPrice", "currency": "CurrencyIsoCode", "list_price": "ListPrice",
        "amount": "TotalPrice", "last_modified": "LastModifiedDate", "version": "SystemModstamp",
    },
    "invoices": {
        "record_id": "Id", "number": "ERP_Invoice_Number__c", "customer_id": "blng__Account__c",
        "currency": "CurrencyIsoCode", "total_amount": "blng__TotalAmount__c", "open_balance": "blng__Balance__c",
        "invoice_date": "blng__InvoiceDate__c", "due_date": "blng__DueDate__c", "order_ref": "blng__Order__c",
        "last_modified": "LastModifiedDate", "version": "SystemModstamp",
    },
}

# The standard Invoice object (API 48+) spells the same things differently.
STANDARD_INVOICE_FIELDS = {
    "record_id": "Id", "number": "DocumentNumber", "customer_id": "BillingAccountId",
    "currency": "CurrencyIsoCode", "total_amount": "TotalAmountWithTax", "open_balance": "Balance",
    "invoice_date": "InvoiceDate", "due_date": "DueDate", "order_ref": "ReferenceEntityId",
    "last_modified": "LastModifiedDate", "version": "SystemModstamp",
}

DEFAULT_OBJECTS = {"customers": "Account", "products": "Product2", "prices": "PricebookEntry",
                   "orders": "Order", "order_lines": "OrderItem", "invoices": "blng__Invoice__c"}

# Booked deals also come from Opportunities won; they join the orders frame.
OPPORTUNITY_FIELDS = {
    "record_id": "Id", "number": "Name", "customer_id": "AccountId", "currency": "CurrencyIsoCode",
    "total_amount": "Amount", "order_date": "CloseDate", "status": "StageName",
    "last_modified": "LastModifiedDate", "version": "SystemModstamp",
}
OPPORTUNITY_FILTER = "IsWon = true"

INVOICE_STATUS = {
    "blng__Invoice__c": (["blng__InvoiceStatus__c", "blng__PaymentStatus__c"], "salesforce_billing"),
    "Invoice": (["Status"], "salesforce_invoice"),
}

ID_FIELDS = {"record_id", "customer_id", "parent_id", "order_id", "product_id"}
BOOL_FIELDS = {"active", "booked", "is_credit_note"}
DATETIME_FIELDS = {"last_modified"}


# What a ``where`` names, read outside its quoted values (a backslash escapes in SOQL strings)
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'")
_PATH = re.compile(r"(?<![\w.])[A-Za-z]\w*(?:\.[A-Za-z]\w*)+")
# SOQL and SOSL Reference, Date Formats and Date Literals: ranges counted from today
_RELATIVE_DATE = re.compile(r"\b(?:YESTERDAY|TODAY|TOMORROW|(?:LAST|THIS|NEXT)_(?:WEEK|MONTH|QUARTER|YEAR|90_DAYS"
                            r"|FISCAL_QUARTER|FISCAL_YEAR)|(?:LAST|NEXT)_N_\w+|N_\w+_AGO)\b", re.IGNORECASE)
_SUBQUERY = re.compile(r"\bSELECT\b", re.IGNORECASE)
# Fields an object shows from a parent, read-only, whose change stamps only the parent: PricebookEntry's
# ProductCode and Name are its product's (Object Reference, PricebookEntry: Name "references the value in the Name
# field of the Product2 object"). Object -> field -> the relationship it comes through.
SHOWN_FROM_PARENT: dict[str, dict[str, str]] = {"PricebookEntry": {"ProductCode": "Product2", "Name": "Product2"}}
# Relationships whose parent's stamp is not asked for: What, Who and (on objects with queues) Owner may point at
# the polymorphic Name object, which has no SystemModstamp (SOAP API Developer Guide, Name), so the query would be
# refused on every re-run; and a user's record changes for reasons of its own (logins), which would re-read every
# record a user owns. A change to such a parent (a user renamed) reaches the records on the next full pull.
NOT_FOLLOWED = {"owner", "createdby", "lastmodifiedby", "what", "who"}


class ObjectMap:
    """One canonical kind read from one Salesforce object."""

    def __init__(self, kind: str, obj: str, fields: dict[str, str], where: str | None = None,
                 status_fields: list[str] | None = None, status_map: StatusMap | None = None,
                 fixed: dict[str, tuple[Any, str]] | None = None):
        self.kind, self.object, self.fields, self.where = kind, obj, fields, where
        self.status_fields = status_fields or []
        self.status_map = status_map
        # canonical field -> (the value every record has, why): what the org holds once for all records
        # rather than in a field (a single-currency org's currency)
        self.fixed = fixed or {}
        # (canonical field, API field, converter), in the order a record's values are converted
        self.converters = [(canon, api, converter(kind, canon)) for canon, api in fields.items()]

    def api_fields(self) -> list[str]:
        """The fields to SELECT, each once, Id first."""
        out = ["Id"]
        for name in [*self.fields.values(), *self.status_fields]:
            if name not in out:
                out.append(name)
        return out

    def parent_paths(self) -> list[str]:
        """The relationship paths (``Account``, ``Account.Owner``) of the parents whose fields the map reads (by
        path, or as ``SHOWN_FROM_PARENT``) or its ``where`` filters on: a change to a parent moves the parent's
        SystemModstamp, not its children's."""
        named = [*self.api_fields(), *_PATH.findall(_QUOTED.sub("''", self.where or ""))]
        shown = SHOWN_FROM_PARENT.get(self.object, {})
        named += [f"{shown[name]}.{name}" for name in self.api_fields() if name in shown]
        return list(dict.fromkeys(".".join(parts[:n]) for name in named if "." in name
                                  for parts in [name.split(".")] if parts[0].lower() not in NOT_FOLLOWED
                                  for n in range(1, len(parts))))

    def unstamped_filter(self) -> str | None:
        """Why the ``where`` can take or leave a record while no record's stamp moves, if it can: a date
        literal counted from today, or a sub-query over other records."""
        text = _QUOTED.sub("''", self.where or "")
        if (found := _RELATIVE_DATE.search(text)) is not None:
            return f"the filter on {self.object} ({self.where}) counts from today ({found.group(0)})"
        if _SUBQUERY.search(text):
            return f"the filter on {self.object} ({self.where}) reads other records (a sub-query)"
        return None

    def status_values(self, canonical_status: str) -> dict[str, str | None]:
        """The source field values that stand for a canonical status (first exact entry of the map)."""
        exact: dict[tuple[str, ...], str] = self.status_map.exact if self.status_map is not None else {}
        for parts, target in exact.items():
            if target == canonical_status:
                return dict(zip(self.status_fields, [p or None for p in parts]))
        raise ConfigError(f"[crm.objects.{self.kind}.status_map] has no exact entry for status "
                          f"{canonical_status!r}; add one (e.g. \"Posted|Unpaid\" = \"open\") to push it")

    def fitted(self, describe: dict[str, Any], currency: str | None) -> ObjectMap:
        """The map spelled as the org's describe spells its fields, which is how records come back: SOQL takes
        a name in any case, but REST answers with the describe's spelling ("Field names are not case
        sensitive": SOQL and SOSL Reference, SOQL Typographical Conventions), so ``billingcity`` would read
        nothing. A relationship path takes the describe's ``relationshipName``; the parent's field in it is
        found in any case when the record is read (``to_canonical``). ``currency``: a single-currency org's
        currency, which stands for a CurrencyIsoCode field the org does not have. A mapped field the
        describe lacks (a typo, or hidden by field-level security, which removes it from describe) is a
        ConfigError naming each one."""
        names = {f["name"].lower(): f["name"] for f in describe.get("fields") or []}
        # Object Reference, Compound Fields: "available only through the SOAP and REST APIs" (not Bulk) and
        # "read-only"; REST gives an object ({"city": ...}) where a value is expected
        compound = {f["name"].lower() for f in describe.get("fields") or [] if f.get("type") in ("address", "location")}
        rels = {str(f["relationshipName"]).lower(): str(f["relationshipName"]) for f in describe.get("fields") or []
                if f.get("relationshipName")}
        fields: dict[str, str] = {}
        fixed = dict(self.fixed)
        missing: list[str] = []
        for canon, api in self.fields.items():
            if "." in api:
                rel, _, rest = api.partition(".")
                fields[canon] = f"{rels.get(rel.lower(), rel)}.{rest}"
            elif api.lower() in compound:
                missing.append(f"{canon} = {api!r} (a compound field: map its parts, such as BillingCity for "
                               f"BillingAddress)")
            elif api.lower() in names:
                fields[canon] = names[api.lower()]
            elif api.lower() == "currencyisocode" and currency:
                fixed[canon] = (currency, f"the org uses one currency, {currency}, for every record (multicurrency "
                                          f"is not enabled, so {self.object} has no CurrencyIsoCode field)")
            else:
                missing.append(f"{canon} = {api!r}")
        status = [names.get(f.lower(), f) for f in self.status_fields]
        missing += [f"status_fields {f!r}" for f in status if f.lower() not in names]
        if missing:
            raise ConfigError(f"[crm.objects.{self.kind}.fields]: Salesforce {self.object} has no field "
                              f"{', '.join(missing)} that the connector can read (describe): correct the "
                              f"name, grant the user's profile or permission set read access (field-level "
                              f"security), or map the field to \"\" to leave it unread")
        return ObjectMap(self.kind, self.object, fields, self.where, status, self.status_map, fixed)

    def api_name(self, canonical: str) -> str:
        if canonical in self.fixed:
            raise SourceError(f"{self.kind}.{canonical} cannot be written to {self.object}: {self.fixed[canonical][1]}")
        if canonical == "status" and self.status_fields:
            return "|".join(self.status_fields)
        try:
            return self.fields[canonical]
        except KeyError:
            raise ConfigError(f"[crm.objects.{self.kind}.fields] maps no Salesforce field to '{canonical}' "
                              f"on {self.object}") from None

    def to_canonical(self, raw: dict[str, Any]) -> dict[str, Any]:
        """A raw Salesforce record (REST JSON or Bulk CSV row) as canonical values."""
        raw = flatten(raw)
        out: dict[str, Any] = {}
        folded: dict[str, Any] | None = None
        for canon, api, conv in self.converters:
            value = raw.get(api)
            if value is None and api not in raw:  # a parent's field as the config spelled it (see ``fitted``)
                folded = folded if folded is not None else {k.lower(): v for k, v in raw.items()}
                value = folded.get(api.lower())
            try:
                out[canon] = conv(value)
            except ValueError as exc:
                raise self.bad_value(str(exc), raw.get("Id"), api) from None
        out.update({canon: value for canon, (value, _) in self.fixed.items()})
        if self.status_fields and self.status_map is not None:  # invoices: both always set together
            out["status_raw"], out["status"] = self.status_of([raw.get(f) for f in self.status_fields], raw.get("Id"))
            out["is_credit_note"] = out["status"] == "credit_note"
        return out

    def status_of(self, values: list[Any], record_id: Any) -> tuple[str, str]:
        """(status_raw, canonical status) of a record's raw status field values; ``record_id`` names
        the record when the map knows no status for them."""
        assert self.status_map is not None  # only asked of a map with status fields and a map
        texts = [_text(v) for v in values]
        try:
            return "|".join(v or "" for v in texts), self.status_map.map(*texts)
        except UnknownStatus as exc:
            raise self.bad_value(str(exc), record_id, "|".join(self.status_fields)) from None

    def bad_value(self, message: str, record_id: Any, api: str) -> InputError:
        """The error for a value of record ``record_id``'s field ``api`` that has no canonical form."""
        return InputError(message, file=f"Salesforce {self.object} {record_id}", column=api)


def flatten(raw: dict[str, Any]) -> dict[str, Any]:
    """REST nests parent fields ({"Pricebook2": {"Name": ..}}); Bulk CSV names them "Pricebook2.Name"."""
    if not any(isinstance(v, dict) or v is None for v in raw.values()):
        return raw
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if k == "attributes":
            continue
        if isinstance(v, dict):
            for pk, pv in v.items():
                if pk != "attributes":
                    out[f"{k}.{pk}"] = pv
        else:
            out[k] = v
    return out


_REST_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$")


def as_bulk_text(raw: dict[str, Any], selected: list[str]) -> dict[str, str | None]:
    """A REST record (JSON) in the form Bulk API 2.0 gives the same record, so a record stores the same
    whichever API read it and a re-run does not see a change that is none. Bulk 2.0 results are CSV: every
    value text, an empty cell for null, parents' fields as "Parent.Field" columns, datetimes with a Z (Bulk
    API 2.0 Developer Guide, "Get Results for a Query Job"; "Valid Date Format in Records"); REST nests
    parents (null for none), writes numbers and booleans as JSON and datetimes as ...000+0000 (REST API
    Developer Guide, Execute a SOQL Query). ``selected``: the SELECT list, for the fields of a null parent."""
    flat = flatten(raw)
    out: dict[str, str | None] = {}
    parents = {name.split(".")[0] for name in selected if "." in name}
    for name in selected:
        if "." in name and name.split(".")[0] in flat:
            out[name] = None  # its parent is null (REST: "Parent": null; Bulk: an empty cell per field)
    for k, v in flat.items():
        if k in parents and v is None:
            continue
        if v is None or v == "":
            out[k] = None
        elif isinstance(v, bool):
            out[k] = "true" if v else "false"
        elif isinstance(v, str):
            out[k] = v[:-5] + "Z" if _REST_STAMP.match(v) else v
        else:
            out[k] = str(v)
    return out


def object_maps(side_cfg: dict[str, Any], include: list[str] | None = None) -> list[ObjectMap]:
    """The objects to pull, from the side's ``objects`` tables over the defaults."""
    sf_cfg = side_cfg.get("salesforce", {}) or {}
    objects_cfg = side_cfg.get("objects", {}) or {}
    kinds = include or list(objects_cfg) or list(DEFAULT_OBJECTS)
    maps: list[ObjectMap] = []
    for kind in kinds:
        if kind not in DEFAULT_OBJECTS:
            raise ConfigError(f"[crm.objects.{kind}]: the Salesforce connector reads "
                              f"{', '.join(DEFAULT_OBJECTS)}, not {kind!r}")
        kcfg = objects_cfg.get(kind, {}) or {}
        if kind == "invoices":
            obj = kcfg.get("object") or sf_cfg.get("invoice_object") or DEFAULT_OBJECTS[kind]
            base = STANDARD_INVOICE_FIELDS if obj == "Invoice" else DEFAULT_FIELDS[kind]
        else:
            obj = kcfg.get("object") or DEFAULT_OBJECTS[kind]
            base = DEFAULT_FIELDS[kind]
        fields = {**base, **{k: v for k, v in (kcfg.get("fields") or {}).items() if v}}
        status_fields, status_map = None, None
        if kind == "invoices":
            default_fields, default_system = INVOICE_STATUS.get(obj, (None, None))
            status_fields = kcfg.get("status_fields") or default_fields
            system = kcfg.get("status_system") or default_system
            if not status_fields or not system:
                raise ConfigError(f"[crm.objects.invoices]: object {obj!r} needs 'status_fields' and "
                                  f"'status_system' (or a status_map) to read invoice status")
            try:
                status_map = StatusMap.for_source(system, kcfg.get("status_map"))
            except ValueError as exc:
                raise ConfigError(f"[crm.objects.invoices.status_map]: {exc}") from None
        maps.append(ObjectMap(kind, obj, fields, kcfg.get("where"), status_fields, status_map))
        if kind == "orders" and kcfg.get("include_opportunities", True):
            opp_fields = {**OPPORTUNITY_FIELDS, **(objects_cfg.get("opportunities", {}) or {}).get("fields", {})}
            maps.append(ObjectMap("orders", "Opportunity", opp_fields, OPPORTUNITY_FILTER))
    return maps


def _text(v: Any) -> str | None:
    if v is None:
        return None
    s = str(v)
    return s if s != "" else None


def parse_datetime(v: Any) -> datetime | None:
    """Salesforce datetimes: 2026-10-31T12:00:00.000+0000 (REST) or ...Z (Bulk CSV)."""
    s = _text(v)
    if s is None:
        return None
    s = s.replace("Z", "+00:00")
    if len(s) >= 5 and s[-5] in "+-" and s[-3] != ":":
        s = s[:-2] + ":" + s[-2:]
    try:
        d = datetime.fromisoformat(s)
    except ValueError:
        raise ValueError(f"{v!r} is not a Salesforce datetime") from None
    return (d if d.tzinfo else d.replace(tzinfo=UTC)).astimezone(UTC)


def format_datetime(d: datetime) -> str:
    """The form Salesforce writes and SOQL accepts: 2026-10-31T12:00:00.000+0000."""
    d = d.astimezone(UTC)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}+0000"


def modstamp(v: Any) -> str | None:
    """A record's SystemModstamp in the form Salesforce writes (None when the record has none)."""
    d = parse_datetime(v)
    return format_datetime(d) if d is not None else None


def _decimal(v: Any) -> Decimal | None:
    if v is None or v == "":
        return None
    if isinstance(v, Decimal):
        return v
    if isinstance(v, float):  # only if a caller parsed JSON without parse_float=Decimal
        raise ValueError("amount arrived as a float; read JSON with parse_float=Decimal")
    return parse_decimal(v)


def _date(v: Any) -> date | None:
    s = _text(v)
    if s is None:
        return None
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        raise ValueError(f"{v!r} is not a date (YYYY-MM-DD)") from None


def _bool(v: Any) -> bool | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return v
    return str(v).strip().lower() == "true"


def _id(v: Any) -> str | None:
    s = _text(v)
    if s is None:
        return None
    if len(s) == 18 and s.isalnum() and s.isascii():
        return s  # the API always answers with case-safe 18-character ids
    try:
        return ids.to_18(s)
    except ids.InvalidSalesforceId:
        return s  # custom objects may hold external keys here; keep them verbatim


def _version(v: Any) -> str | None:
    s = _text(v)
    if s is None:
        return None
    if len(s) == 24 and s[19] == "." and s.endswith("Z"):  # Bulk CSV: ...000Z -> REST form ...000+0000
        return s[:-1] + "+0000"
    if len(s) == 28 and s.endswith("+0000"):
        return s
    d = parse_datetime(s)
    return format_datetime(d) if d is not None else None


def _plain(v: Any) -> str | None:
    if isinstance(v, str):
        return v if v != "" else None
    return None if v is None else str(v)


# Shortcuts for a column of texts (salesforce_columns): per converter, the texts for which its answer is
# known without calling it, told apart in Arrow by the converter's own test, and that answer for them
# (Python objects, one per text). Texts = non-empty, as a Bulk CSV reader gives them ("" is missing). An
# answer that raises ValueError (a date that does not exist) leaves every text to the converter.
Shortcut = tuple[Callable[[pa.Array], pa.Array], Callable[[pa.Array], np.ndarray]]


def _as_given(texts: pa.Array) -> np.ndarray:
    out: np.ndarray = texts.to_numpy(zero_copy_only=False)
    return out


def _case_safe_ids(texts: pa.Array) -> pa.Array:
    """``_id``'s first test: 18 characters, ASCII letters and digits only."""
    return pc.and_(pc.equal(pc.utf8_length(texts), 18), pc.ascii_is_alnum(texts))


def _plain_numbers(texts: pa.Array) -> pa.Array:
    """Texts ``parse_decimal`` takes as they are (no sign but "-", no spaces, commas, parentheses or exponent),
    whose Decimal is then Decimal(text)."""
    return pc.match_substring_regex(texts, r"^-?[0-9]+(\.[0-9]+)?$")


def _decimals(texts: pa.Array) -> np.ndarray:
    out: np.ndarray = np.frompyfunc(Decimal, 1, 1)(texts.to_numpy(zero_copy_only=False))
    return out


def _bulk_stamps(texts: pa.Array) -> pa.Array:
    """``_version``'s first test, on ASCII texts (whose characters are their bytes): the Bulk CSV form
    2026-10-31T12:00:00.000Z."""
    return pc.and_(pc.and_(pc.string_is_ascii(texts), pc.equal(pc.binary_length(texts), 24)),
                   pc.and_(pc.ends_with(texts, "Z"), pc.equal(pc.utf8_slice_codeunits(texts, 19, 20), ".")))


def _rest_stamps(texts: pa.Array) -> np.ndarray:
    """``_version``'s answer to a Bulk stamp: the REST form, ...000+0000."""
    return _as_given(pc.binary_join_element_wise(pc.utf8_slice_codeunits(texts, 0, 23), "+0000", ""))


def _bulk_datetimes(texts: pa.Array) -> pa.Array:
    """Datetimes in the Bulk CSV form 2026-10-31T12:00:00.000Z, which ``parse_datetime`` reads as
    ``datetime.fromisoformat`` reads them (UTC; Python 3.11 takes the Z)."""
    return pc.match_substring_regex(texts, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$")


def _datetimes(texts: pa.Array) -> np.ndarray:
    out: np.ndarray = np.frompyfunc(datetime.fromisoformat, 1, 1)(texts.to_numpy(zero_copy_only=False))
    return out


def _non_empty(texts: pa.Array) -> pa.Array:
    return pc.greater(pc.binary_length(texts), 0)


SHORTCUTS: dict[Callable[[Any], Any], Shortcut] = {
    _plain: (_non_empty, _as_given), _id: (_case_safe_ids, _as_given), _decimal: (_plain_numbers, _decimals),
    _version: (_bulk_stamps, _rest_stamps), parse_datetime: (_bulk_datetimes, _datetimes),
}


def converter(kind: str, canon: str) -> Callable[[Any], Any]:
    """The function turning a Salesforce value into the canonical type of ``kind.canon``."""
    if canon in DECIMAL_FIELDS.get(kind, ()):
        return _decimal
    if canon in DATE_FIELDS.get(kind, ()):
        return _date
    if canon in DATETIME_FIELDS:
        return parse_datetime
    if canon in BOOL_FIELDS:
        return _bool
    if canon in ID_FIELDS:
        return _id
    if canon == "version":
        return _version
    return _plain


def convert(kind: str, canon: str, v: Any) -> Any:
    """One Salesforce value as the canonical type of ``kind.canon``."""
    return converter(kind, canon)(v)


def to_api_value(kind: str, canon: str, value: Any) -> Any:
    """A canonical value as JSON for a Salesforce write (Decimal stays exact)."""
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat() if isinstance(value, date) and not isinstance(value, datetime) \
            else format_datetime(value)
    if canon in DECIMAL_FIELDS.get(kind, ()):
        return parse_decimal(value)
    return value
