"""The DocType metadata the ERPNext sandbox validates writes and queries against.

Field types, labels, lengths, Select options, Link targets, ``reqd``, ``read_only`` and
``allow_on_submit`` follow the doctype JSON files of ERPNext (v15):
``erpnext/selling/doctype/customer/customer.json``, ``erpnext/stock/doctype/item/item.json``,
``erpnext/stock/doctype/item_price/item_price.json``,
``erpnext/selling/doctype/sales_order/sales_order.json``,
``erpnext/accounts/doctype/sales_invoice/sales_invoice.json``,
``erpnext/accounts/doctype/payment_entry/payment_entry.json``. Only the fields the sandbox
serves are listed; ``custom_salesforce_id`` is a Custom Field (Data) a site adds.
Data, Link and Select columns are ``varchar(140)`` unless the field sets a length
(``frappe/database/mariadb/database.py`` type map).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.model.currency import MINOR_UNITS

DEFAULT_LENGTH = 140
TEXT_TYPES = ("Data", "Link", "Select", "Read Only", "Small Text", "Text")
NUMERIC_TYPES = ("Currency", "Float", "Int", "Check", "Percent")


@dataclass(frozen=True)
class DocField:
    fieldname: str
    fieldtype: str
    label: str
    options: str = ""  # Link: the target doctype; Select: the newline-separated choices
    length: int = 0
    reqd: bool = False
    read_only: bool = False
    allow_on_submit: bool = False
    # ERPNext's controller sets it on every save (set_status, calculate_taxes_and_totals),
    # so a value written into a draft does not stick
    computed: bool = False

    @property
    def max_length(self) -> int:
        return (self.length or DEFAULT_LENGTH) if self.fieldtype in ("Data", "Link", "Select") else 0

    @property
    def choices(self) -> list[str]:
        return self.options.split("\n") if self.fieldtype == "Select" else []


@dataclass(frozen=True)
class DocType:
    name: str
    fields: dict[str, DocField]
    is_submittable: bool = False
    sort_field: str = "modified"
    sort_order: str = "desc"


# frappe/model/__init__.py default_fields: every document has them; none can be set through a save
STANDARD = {f.fieldname: f for f in (
    DocField("name", "Data", "ID", read_only=True), DocField("owner", "Data", "Created By", read_only=True),
    DocField("creation", "Datetime", "Created On", read_only=True),
    DocField("modified", "Datetime", "Last Updated On", read_only=True),
    DocField("modified_by", "Data", "Last Updated By", read_only=True),
    DocField("docstatus", "Int", "Document Status", read_only=True), DocField("idx", "Int", "Index", read_only=True))}


def _doctype(name: str, *fields: DocField, submittable: bool = False) -> DocType:
    return DocType(name, {**STANDARD, **{f.fieldname: f for f in fields}}, is_submittable=submittable)


_INVOICE_STATUS = ("\nDraft\nReturn\nCredit Note Issued\nSubmitted\nPaid\nPartly Paid\nUnpaid\nUnpaid and Discounted\n"
                   "Partly Paid and Discounted\nOverdue and Discounted\nOverdue\nCancelled\nInternal Transfer")
_ORDER_STATUS = ("\nDraft\nOn Hold\nTo Pay\nTo Deliver and Bill\nTo Bill\nTo Deliver\nCompleted\nCancelled\nClosed")

DOCTYPES: dict[str, DocType] = {d.name: d for d in (
    _doctype("Customer",
             DocField("customer_name", "Data", "Customer Name", reqd=True),
             DocField("customer_type", "Select", "Customer Type", "Company\nIndividual\nPartnership", reqd=True),
             DocField("customer_group", "Link", "Customer Group", "Customer Group"),
             DocField("tax_id", "Data", "Tax ID"),
             DocField("default_currency", "Link", "Billing Currency", "Currency"),
             DocField("disabled", "Check", "Disabled"),
             DocField("website", "Data", "Website"),
             # fetched from the primary Contact (fetch_from customer_primary_contact.email_id)
             DocField("email_id", "Read Only", "Email Id", read_only=True),
             DocField("mobile_no", "Read Only", "Mobile No", read_only=True),
             DocField("custom_salesforce_id", "Data", "Salesforce ID")),
    _doctype("Item",
             DocField("item_code", "Data", "Item Code", reqd=True),
             DocField("item_name", "Data", "Item Name", reqd=True),
             DocField("disabled", "Check", "Disabled")),
    _doctype("Item Price",
             DocField("item_code", "Link", "Item Code", "Item", reqd=True),
             DocField("item_name", "Data", "Item Name", read_only=True),
             DocField("price_list", "Link", "Price List", "Price List", reqd=True),
             DocField("price_list_rate", "Currency", "Rate", reqd=True),
             DocField("currency", "Link", "Currency", "Currency", read_only=True),
             DocField("valid_from", "Date", "Valid From"),
             DocField("valid_upto", "Date", "Valid Upto")),
    _doctype("Sales Order",
             DocField("customer", "Link", "Customer", "Customer", reqd=True),
             DocField("currency", "Link", "Currency", "Currency", reqd=True),
             DocField("grand_total", "Currency", "Grand Total", read_only=True, computed=True),
             DocField("transaction_date", "Date", "Date", reqd=True),
             DocField("status", "Select", "Status", _ORDER_STATUS, reqd=True, read_only=True, computed=True),
             DocField("po_no", "Data", "Customer's Purchase Order", allow_on_submit=True),
             submittable=True),
    _doctype("Sales Invoice",
             DocField("customer", "Link", "Customer", "Customer"),
             DocField("currency", "Link", "Currency", "Currency", reqd=True),
             DocField("grand_total", "Currency", "Grand Total", read_only=True, computed=True),
             DocField("outstanding_amount", "Currency", "Outstanding Amount", read_only=True, computed=True),
             DocField("status", "Select", "Status", _INVOICE_STATUS, read_only=True, computed=True),
             DocField("posting_date", "Date", "Date", reqd=True),
             DocField("due_date", "Date", "Payment Due Date"),
             DocField("is_return", "Check", "Is Return (Credit Note)"),
             DocField("po_no", "Data", "Customer's Purchase Order", allow_on_submit=True),
             submittable=True),
    _doctype("Payment Entry",
             DocField("payment_type", "Select", "Payment Type", "Receive\nPay\nInternal Transfer", reqd=True),
             DocField("party_type", "Link", "Party Type", "DocType"),
             DocField("party", "Link", "Party", "Customer"),  # a Dynamic Link on party_type; always Customer here
             DocField("paid_amount", "Currency", "Paid Amount", reqd=True),
             DocField("paid_from_account_currency", "Link", "Account Currency (From)", "Currency", read_only=True),
             DocField("posting_date", "Date", "Posting Date", reqd=True),
             DocField("reference_no", "Data", "Cheque/Reference No", allow_on_submit=True),
             submittable=True),
)}

# Link targets that are set-up masters on a site rather than documents this sandbox serves:
# ERPNext installs every ISO 4217 currency (erpnext/setup/setup_wizard/data/currency_info.json),
# the default customer groups and the two standard price lists (erpnext/setup/setup_wizard/operations).
MASTERS: dict[str, set[str]] = {
    "Currency": set(MINOR_UNITS),
    "Customer Group": {"All Customer Groups", "Commercial", "Individual", "Government", "Non Profit"},
    "Price List": {"Standard Selling", "Standard Buying"},
    "DocType": {"Customer", "Supplier", "Employee", "Shareholder"},
}


@dataclass
class Masters:
    """Link targets: the set-up masters plus names added as the sandbox is seeded."""
    extra: dict[str, set[str]] = field(default_factory=dict)

    def exists(self, doctype: str, name: str) -> bool | None:
        """True/False when the sandbox knows the doctype's names; None when it is served from the store."""
        if doctype in MASTERS or doctype in self.extra:
            return name in MASTERS.get(doctype, set()) or name in self.extra.get(doctype, set())
        return None
