"""The sObjects the sandbox serves: fields, types, labels, picklists, what is updateable.

This is what ``sobjects/{Object}/describe`` returns and what the SOQL evaluator and
the write path check names and types against.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

CURRENCIES = ["USD", "EUR", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK", "DKK", "NOK", "PLN", "KWD"]


NOT_NILLABLE = ("Id", "Name", "IsDeleted", "CreatedDate", "LastModifiedDate", "SystemModstamp")


@dataclass(frozen=True)
class FieldDef:
    name: str
    # id, string, textarea, url, phone, currency, double, percent, date, datetime, boolean, picklist, reference
    type: str
    label: str
    updateable: bool = True
    picklist: tuple[str, ...] = ()
    reference_to: str | None = None
    length: int = 0

    @property
    def numeric(self) -> bool:
        return self.type in ("currency", "double", "percent", "int")

    @property
    def createable(self) -> bool:
        # master-detail and lookup ids and the record currency are set on create, never changed after
        return self.updateable or (self.type == "reference" or self.name == "CurrencyIsoCode")

    @property
    def required_on_create(self) -> bool:
        return not self.nillable and self.createable

    @property
    def external_id(self) -> bool:
        return self.name.startswith("ERP_") and self.name.endswith("__c")

    @property
    def nillable(self) -> bool:
        return self.name not in NOT_NILLABLE

    @property
    def precision(self) -> int:
        return 18 if self.numeric else 0

    @property
    def scale(self) -> int:
        return 2 if self.numeric else 0


@dataclass
class ObjectDef:
    name: str
    label: str
    prefix: str
    fields: dict[str, FieldDef] = field(default_factory=dict)
    custom: bool = False

    def field(self, name: str) -> FieldDef | None:
        """Case-insensitive lookup, as SOQL and the REST API resolve field names."""
        return self._lower().get(name.lower())

    def spelled(self, name: str) -> str:
        """The object's own spelling of a field the caller has checked exists."""
        f = self.field(name)
        if f is None:
            raise KeyError(name)
        return f.name

    def without(self, hidden: Iterable[str]) -> ObjectDef:
        """The object as a user who cannot see ``hidden`` (lower-case names) sees it: a field an org lacks
        (CurrencyIsoCode in a single-currency org) or one field-level security hides is absent from
        describe, and SOQL and writes refuse it as an unknown field (Object Reference, CurrencyIsoCode:
        "Available only for organizations with the multicurrency feature enabled"; Salesforce Help,
        Field-Level Security: a hidden field is not returned by the API)."""
        gone = set(hidden)
        if not gone & set(self._lower()):
            return self
        return ObjectDef(self.name, self.label, self.prefix,
                         {k: f for k, f in self.fields.items() if k.lower() not in gone}, self.custom)

    def _lower(self) -> dict[str, FieldDef]:
        cache = self.__dict__.get("_lc")
        if cache is None:
            cache = {k.lower(): v for k, v in self.fields.items()}
            self.__dict__["_lc"] = cache
        return cache


def _f(name: str, type_: str, label: str, updateable: bool = True, picklist: Iterable[str] = (), ref: str | None = None,
       length: int = 0) -> FieldDef:
    if type_ in ("string", "phone", "url", "textarea") and not length:
        length = 255
    return FieldDef(name, type_, label, updateable, tuple(picklist), ref, length)


def _system() -> list[FieldDef]:
    return [
        _f("Id", "id", "Record ID", False, length=18),
        _f("IsDeleted", "boolean", "Deleted", False),
        _f("CreatedDate", "datetime", "Created Date", False),
        _f("LastModifiedDate", "datetime", "Last Modified Date", False),
        _f("SystemModstamp", "datetime", "System Modstamp", False),
    ]


def _obj(name: str, label: str, prefix: str, fields: list[FieldDef], custom: bool = False) -> ObjectDef:
    all_fields = _system() + fields
    return ObjectDef(name, label, prefix, {f.name: f for f in all_fields}, custom)


_CCY = _f("CurrencyIsoCode", "picklist", "Currency ISO Code", True, CURRENCIES, length=3)

OBJECTS: dict[str, ObjectDef] = {o.name: o for o in [
    _obj("Account", "Account", "001", [
        _f("Name", "string", "Account Name"),
        _f("AccountNumber", "string", "Account Number", length=40),
        _f("ERP_Customer_Number__c", "string", "ERP Customer Number", length=40),
        _f("BillingStreet", "textarea", "Billing Street"),
        _f("BillingCity", "string", "Billing City", length=40),
        _f("BillingPostalCode", "string", "Billing Zip/Postal Code", length=20),
        _f("BillingState", "string", "Billing State/Province", length=80),
        _f("BillingCountry", "string", "Billing Country", length=80),
        _f("Tax_ID__c", "string", "Tax ID", length=40),
        _f("Website", "url", "Website"),
        _f("Phone", "phone", "Account Phone", length=40),
        _CCY,
        _f("ParentId", "reference", "Parent Account ID", ref="Account"),
        _f("Type", "picklist", "Account Type", True, ["Customer", "Partner", "Prospect", "Other"]),
    ]),
    _obj("Product2", "Product", "01t", [
        _f("Name", "string", "Product Name"),
        _f("ProductCode", "string", "Product Code"),
        _f("IsActive", "boolean", "Active"),
        _f("Family", "picklist", "Product Family", True, ["Software", "Services", "Hardware"]),
        _CCY,
    ]),
    _obj("Pricebook2", "Price Book", "01s", [
        _f("Name", "string", "Price Book Name"),
        _f("IsActive", "boolean", "Active"),
        _f("IsStandard", "boolean", "Is Standard Price Book", False),
    ]),
    _obj("PricebookEntry", "Price Book Entry", "01u", [
        _f("Name", "string", "Product Name", False),
        _f("Pricebook2Id", "reference", "Price Book ID", False, ref="Pricebook2"),
        _f("Product2Id", "reference", "Product ID", False, ref="Product2"),
        _f("ProductCode", "string", "Product Code", False),
        _f("UnitPrice", "currency", "List Price"),
        _f("IsActive", "boolean", "Active"),
        _f("UseStandardPrice", "boolean", "Use Standard Price"),
        _f("CurrencyIsoCode", "picklist", "Currency ISO Code", False, CURRENCIES, length=3),
    ]),
    _obj("Order", "Order", "801", [
        _f("OrderNumber", "string", "Order Number", False, length=30),
        _f("AccountId", "reference", "Account ID", ref="Account"),
        _f("EffectiveDate", "date", "Order Start Date"),
        _f("Status", "picklist", "Status", True, ["Draft", "Activated"]),
        _f("TotalAmount", "currency", "Order Amount", False),
        _f("Pricebook2Id", "reference", "Price Book ID", ref="Pricebook2"),
        _f("ERP_Order_Number__c", "string", "ERP Order Number", length=40),
        _CCY,
    ]),
    _obj("OrderItem", "Order Product", "802", [
        _f("OrderId", "reference", "Order ID", False, ref="Order"),
        _f("Product2Id", "reference", "Product ID", False, ref="Product2"),
        _f("PricebookEntryId", "reference", "Price Book Entry ID", False, ref="PricebookEntry"),
        _f("Quantity", "double", "Quantity"),
        _f("UnitPrice", "currency", "Unit Price"),
        _f("ListPrice", "currency", "List Price", False),
        _f("TotalPrice", "currency", "Total Price", False),
        _f("CurrencyIsoCode", "picklist", "Currency ISO Code", False, CURRENCIES, length=3),
    ]),
    _obj("Opportunity", "Opportunity", "006", [
        _f("Name", "string", "Name", length=120),
        _f("AccountId", "reference", "Account ID", ref="Account"),
        _f("StageName", "picklist", "Stage", True,
           ["Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review",
            "Closed Won", "Closed Lost"]),
        _f("CloseDate", "date", "Close Date"),
        _f("Amount", "currency", "Amount"),
        _f("IsWon", "boolean", "Won", False),
        _f("IsClosed", "boolean", "Closed", False),
        _CCY,
    ]),
    _obj("blng__Invoice__c", "Invoice", "a0X", [
        _f("Name", "string", "Invoice Number", False, length=80),
        _f("ERP_Invoice_Number__c", "string", "ERP Invoice Number", length=40),
        _f("blng__Account__c", "reference", "Account", ref="Account"),
        _f("blng__Order__c", "reference", "Order", ref="Order"),
        _f("blng__InvoiceDate__c", "date", "Invoice Date"),
        _f("blng__DueDate__c", "date", "Due Date"),
        _f("blng__InvoiceStatus__c", "picklist", "Invoice Status", True,
           ["Draft", "Initiated", "Posted", "Cancelled", "Rebilled", "Error"]),
        _f("blng__PaymentStatus__c", "picklist", "Payment Status", True, ["Unpaid", "Partially Paid", "Paid"]),
        _f("blng__TotalAmount__c", "currency", "Total Amount (With Tax)"),
        _f("blng__Balance__c", "currency", "Balance"),
        _CCY,
    ], custom=True),
    _obj("Invoice", "Invoice", "3tt", [
        _f("DocumentNumber", "string", "Document Number", False),
        _f("BillingAccountId", "reference", "Billing Account ID", False, ref="Account"),
        _f("ReferenceEntityId", "reference", "Reference Entity ID", False, ref="Order"),
        _f("InvoiceDate", "date", "Invoice Date"),
        _f("DueDate", "date", "Due Date"),
        _f("Status", "picklist", "Status", True, ["Draft", "Pending", "Posted", "Canceled"]),
        _f("TotalAmountWithTax", "currency", "Total Amount With Tax", False),
        _f("Balance", "currency", "Balance"),
        _CCY,
    ]),
]}


def find_object(name: str) -> ObjectDef | None:
    lower = name.lower()
    for o in OBJECTS.values():
        if o.name.lower() == lower:
            return o
    return None


def object_named(name: str) -> ObjectDef:
    """The object a caller names knowing the org has it."""
    o = find_object(name)
    if o is None:
        raise KeyError(name)
    return o


def describe(obj: ObjectDef, api_version: str) -> dict[str, Any]:
    """The subset of Salesforce's describe result that clients read."""
    base = f"/services/data/v{api_version}/sobjects/{obj.name}"
    fields = []
    for f in obj.fields.values():
        fields.append({
            "name": f.name, "label": f.label, "type": f.type, "length": f.length,
            "updateable": f.updateable, "createable": f.createable, "externalId": f.external_id,
            "restrictedPicklist": f.type == "picklist",
            "nillable": f.nillable,
            "custom": f.name.endswith("__c"), "calculated": False,
            "precision": f.precision, "scale": f.scale,
            "referenceTo": [f.reference_to] if f.reference_to else [],
            "relationshipName": relationship_name(f) if f.type == "reference" else None,
            "picklistValues": [{"value": v, "label": v, "active": True, "defaultValue": False, "validFor": None}
                               for v in f.picklist],
            "soapType": _SOAP.get(f.type, "xsd:string"),
        })
    return {
        "name": obj.name, "label": obj.label, "labelPlural": obj.label + "s", "keyPrefix": obj.prefix,
        "custom": obj.custom, "queryable": True, "updateable": True, "createable": True,
        "retrieveable": True, "fields": fields,
        "urls": {"sobject": base, "describe": base + "/describe", "rowTemplate": base + "/{ID}"},
    }


def relationship_name(f: FieldDef) -> str:
    """AccountId -> Account, ParentId -> Parent, blng__Account__c -> blng__Account__r."""
    if f.name.endswith("__c"):
        return f.name[:-3] + "__r"
    return f.name[:-2] if f.name.endswith("Id") else f.name


_SOAP = {"id": "tns:ID", "reference": "tns:ID", "currency": "xsd:double", "double": "xsd:double",
         "percent": "xsd:double", "date": "xsd:date", "datetime": "xsd:dateTime", "boolean": "xsd:boolean"}
