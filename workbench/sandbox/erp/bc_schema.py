"""What the Business Central sandbox's ``$metadata`` promises about each property, and the
check every write goes through before it is stored.

Business Central's API pages publish AL fields: strings carry the table field's length as
``MaxLength``, option/enum fields are ``EnumType``s, and decimals, dates, booleans and GUIDs
can never hold null (AL has no null; a blank date is ``0001-01-01``, a blank GUID is all
zeros). A write is refused with the code and message the real service gives, per
"Troubleshooting OData/API calls" (MicrosoftDocs dynamics365smb-devitpro-pb,
dev-itpro/webservices/dynamics-error-codes.md) and the OData library Business Central runs on.
Field lengths follow the base application tables (Customer, Item, Sales Header, Gen. Journal
Line) behind the APIV2 pages in microsoft/ALAppExtensions Apps/W1/APIV2/app/src/pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# A tenant's own API pages are published under their own route, api/<APIPublisher>/<APIGroup>/<APIVersion>, with the
# companies segment as API v2.0 has it ("Developing a custom API", dev-itpro/developer/devenv-develop-custom-api.md:
# .../api/<publisher>/<group>/<version>/companies(<id>)/<EntitySetName>). API v2.0 publishes no price list page
# (microsoft/ALAppExtensions Apps/W1/APIV2/app/src/pages): the sandbox tenant's is its own.
API_V2 = "v2.0"
ROUTES: dict[str, str] = {"salesPrices": "workbench/pricing/v1.0"}  # entity set -> the route it is published under
# Properties an entity set has only under a tenant's own route: page 30009 "APIV2 - Customers" publishes no bill-to
# customer, so the sandbox tenant serves it on a customers page of its own (route -> entity set -> properties)
ROUTE_PROPERTIES: dict[str, dict[str, frozenset[str]]] = {
    "workbench/sales/v1.0": {"customers": frozenset({"billToCustomerNumber"})}}

BLANK_GUID = "00000000-0000-0000-0000-000000000000"
BLANK_DATE = "0001-01-01"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")

# (entity set, property) -> the AL field length published as MaxLength
MAX_LENGTH: dict[str, dict[str, int]] = {
    "customers": {"number": 20, "displayName": 100, "type": 30, "addressLine1": 100, "addressLine2": 50,
                  "city": 30, "state": 30, "country": 10, "postalCode": 20, "phoneNumber": 30, "email": 80,
                  "website": 80, "salespersonCode": 20, "taxRegistrationNumber": 20, "currencyCode": 10,
                  "billToCustomerNumber": 20},
    "items": {"number": 20, "displayName": 100, "type": 30, "itemCategoryCode": 20, "gtin": 14,
              "baseUnitOfMeasureCode": 10},
    "salesPrices": {"itemNumber": 20, "itemDescription": 100, "priceListCode": 20, "currencyCode": 10,
                    "status": 30},
    "salesOrders": {"number": 20, "externalDocumentNumber": 35, "customerNumber": 20, "customerName": 100,
                    "currencyCode": 10, "status": 30},
    "salesOrderLines": {"lineType": 30, "lineObjectNumber": 20, "description": 100},
    "salesInvoices": {"number": 20, "externalDocumentNumber": 35, "customerPurchaseOrderReference": 35,
                      "customerNumber": 20, "customerName": 100, "currencyCode": 10, "orderNumber": 20,
                      "status": 30},
    # Gen. Journal Batch: Name Code[10], Description Text[100], "Bal. Account No." Code[20]
    "customerPaymentJournals": {"code": 10, "displayName": 100, "balancingAccountNumber": 20},
    "customerPayments": {"journalDisplayName": 10, "customerNumber": 20, "documentNumber": 20,
                         "externalDocumentNumber": 35, "appliesToInvoiceNumber": 20,
                         "description": 100, "comment": 250},
}

# (entity set, property) -> (EnumType name, members by name, as $metadata publishes them and JSON carries them: API
# v2.0 sends an enum value as its member's name, a character a name cannot hold written _xHHHH_, so the blank member
# " " travels as "_x0020_"; transition-to-api-v2.0.md, Enums; api-reference/v2.0/api/dynamics_itemledgerentry_get.md
# "sourceType": "_x0020_")
ENUMS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    # enum 139 "Customer Blocked": " ", Ship, Invoice, All (BCApps base application)
    "customers": {"blocked": ("customerBlocked", ("_x0020_", "Ship", "Invoice", "All"))},
}


def member_name(text: str) -> str:
    """An enum member's text as its name in JSON and $metadata: a space is ``_x0020_`` ("In Review" is
    "In_x0020_Review")."""
    return text.replace(" ", "_x0020_")


@dataclass(frozen=True)
class WriteRefused(Exception):
    status: int
    code: str
    message: str


def _literal(value: Any, edm: str) -> WriteRefused:
    # ODataLib's wording when a JSON value cannot be read as the property's type
    return WriteRefused(400, "BadRequest", f"Cannot convert the literal '{value}' to the expected type '{edm}'.")


def check_value(entity: str, type_name: str, prop: str, edm: str, value: Any) -> Any:
    """The value to store for ``prop`` or WriteRefused, the way Business Central answers."""
    enum = ENUMS.get(entity, {}).get(prop)
    if value is None:
        if edm == "Edm.String" and enum is None:
            return ""  # AL text has no null: the OData layer stores an empty string
        shown = f"Microsoft.NAV.{enum[0]}" if enum else edm
        raise WriteRefused(400, "BadRequest",
                           f"A null value was found for the property named '{prop}', which has the expected type "
                           f"'{shown}[Nullable=False]'. The expected type '{shown}[Nullable=False]' does not "
                           f"allow null values.")
    if enum is not None:
        if not isinstance(value, str) or value not in enum[1]:
            raise WriteRefused(400, "Application_EvaluateException",
                               f"The value \"{value}\" can't be evaluated into type {enum[0]}.")
        return value
    if edm == "Edm.String":
        if not isinstance(value, str):
            raise _literal(value, edm)
        limit = MAX_LENGTH.get(entity, {}).get(prop)
        if limit is not None and len(value) > limit:
            raise WriteRefused(400, "Application_StringExceededLength",
                               f"The length of the string is {len(value)}, but it must be less than or equal to "
                               f"{limit} characters. Value: {value}")
        return value
    if edm == "Edm.Decimal":
        if isinstance(value, str):
            # IEEE754Compatible is not offered by Business Central: decimals travel as JSON numbers
            raise WriteRefused(400, "BadRequest",
                               "Cannot convert a value to target type 'Edm.Decimal' because of conflict between "
                               "input format string/number and parameter 'IEEE754Compatible' false/true.")
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            raise _literal(value, edm)
        return Decimal(value)
    if edm == "Edm.Int32":
        if isinstance(value, bool) or not isinstance(value, int) or not -2**31 <= value < 2**31:
            raise _literal(value, edm)
        return value
    if edm == "Edm.Boolean":
        if not isinstance(value, bool):
            raise _literal(value, edm)
        return value
    if edm == "Edm.Date":
        try:
            if not isinstance(value, str) or not _DATE.match(value):
                raise ValueError
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise WriteRefused(400, "BadRequest", f"Unable to convert value '{value}' to Date.") from None
    if edm == "Edm.DateTimeOffset":
        try:
            if not isinstance(value, str) or not _DATETIME.match(value):
                raise ValueError
            datetime.fromisoformat(value.replace("Z", "+00:00"))
            return value
        except ValueError:
            raise _literal(value, edm) from None
    if edm == "Edm.Guid":
        if not isinstance(value, str) or not _GUID.match(value):
            raise WriteRefused(400, "Application_InvalidGUID",
                               "Invalid format of GUID string. The correct format of the GUID string is: "
                               "CDEF7890-ABCD-0123-1234-567890ABCDEF where 0-9, A-F symbolizes hexadecimal digits.")
        return value.lower()
    return value
