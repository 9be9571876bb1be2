"""Default column mappings for file extracts, per source system and canonical kind.

A run config only lists what differs from these. Each canonical field maps to one
column name or a tuple of alternatives (the first present in the file wins). A default
that is absent from the file is simply left empty; a column named in the config must exist.

Pseudo-fields resolved after reading: ``customer_number`` (a customer number where the
extract lacks the customer's record id) and ``parent_number`` (a bill-to/parent number).

Besides columns, a profile may declare value conventions (the same keys a run config takes
per object, see docs/extracts/): ``key`` (columns whose values joined by "|" are the record
id; from a profile, used only when the file lacks the record_id column), ``references`` (a
field naming another record by number, id, name or a code inside its display name), ``patterns``
(canonical field -> regex whose first group is the value), ``empty_as_zero``
(columns where an empty cell means 0), ``date_formats`` (column -> strptime format), ``keep``
(column -> the values a row must hold to be used; other rows are dropped and counted), ``labels``
(canonical field -> {label as exported: value}) and ``fill_empty`` (column -> the value an empty
cell stands for). An export's invoice status labels are a ``status_system`` of EXPORT_STATUS_TABLES.
"""

from __future__ import annotations

from typing import Any

Fields = dict[str, str | tuple[str, ...]]

SALESFORCE: dict[str, dict[str, Any]] = {
    "customers": {"file": "Account.csv", "fields": {
        "record_id": "Id", "name": "Name", "number": "AccountNumber", "xref": "ERP_Customer_Number__c",
        "street": "BillingStreet", "city": "BillingCity", "postcode": "BillingPostalCode",
        "state": "BillingState", "country": "BillingCountry", "tax_id": ("Tax_ID__c", "VAT_Number__c"),
        "website": "Website", "phone": "Phone", "currency": "CurrencyIsoCode", "parent_id": "ParentId",
        "duns": "DunsNumber", "last_modified": ("LastModifiedDate", "SystemModstamp")}},
    "products": {"file": "Product2.csv", "fields": {
        "record_id": "Id", "code": "ProductCode", "name": "Name", "active": "IsActive",
        "last_modified": ("LastModifiedDate", "SystemModstamp")}},
    "prices": {"file": "PricebookEntry.csv", "fields": {
        "record_id": "Id", "product_code": ("ProductCode", "Product2.ProductCode"), "currency": "CurrencyIsoCode",
        "unit_price": "UnitPrice", "pricebook": "Pricebook2.Name", "product_id": "Product2Id",
        "product_name": ("Product2.Name", "Name"), "active": "IsActive",
        "last_modified": ("LastModifiedDate", "SystemModstamp")}},
    "orders": {"file": "Order.csv", "fields": {
        "record_id": "Id", "number": "OrderNumber", "customer_id": "AccountId", "currency": "CurrencyIsoCode",
        "total_amount": "TotalAmount", "order_date": "EffectiveDate", "status": "Status",
        "xref": "ERP_Order_Number__c", "last_modified": ("LastModifiedDate", "SystemModstamp")},
        "booked_values": ["Activated"], "kind_label": "Order"},
    "order_lines": {"file": "OrderItem.csv", "fields": {
        "record_id": "Id", "order_id": "OrderId", "product_code": ("Product2.ProductCode", "ProductCode"),
        "quantity": "Quantity", "unit_price": "UnitPrice", "currency": "CurrencyIsoCode",
        "list_price": "ListPrice", "amount": "TotalPrice", "last_modified": ("LastModifiedDate", "SystemModstamp")}},
    "invoices": {"file": "blng__Invoice__c.csv", "fields": {
        "record_id": "Id", "number": ("ERP_Invoice_Number__c", "Name"), "customer_id": "blng__Account__c",
        "currency": "CurrencyIsoCode", "total_amount": "blng__TotalAmount__c", "open_balance": "blng__Balance__c",
        "invoice_date": "blng__InvoiceDate__c", "due_date": "blng__DueDate__c", "order_ref": "blng__Order__c",
        "last_modified": ("LastModifiedDate", "SystemModstamp")},
        "status_fields": ["blng__InvoiceStatus__c", "blng__PaymentStatus__c"], "status_system": "salesforce_billing"},
    "payments": {"file": "blng__Payment__c.csv", "fields": {
        "record_id": "Id", "customer_id": "blng__Account__c", "amount": "blng__Amount__c",
        "currency": "CurrencyIsoCode", "payment_date": "blng__PaymentDate__c",
        "last_modified": ("LastModifiedDate", "SystemModstamp")}},
}

BUSINESS_CENTRAL: dict[str, dict[str, Any]] = {
    "customers": {"file": "customers.csv", "fields": {
        "record_id": "id", "number": "number", "name": "displayName", "street": "addressLine1", "city": "city",
        "state": "state", "country": "country", "postcode": "postalCode", "phone": "phoneNumber", "email": "email",
        "website": "website", "tax_id": "taxRegistrationNumber", "currency": "currencyCode", "blocked": "blocked",
        "parent_number": "billToCustomerNumber", "last_modified": "lastModifiedDateTime"}},
    "products": {"file": "items.csv", "fields": {
        "record_id": "id", "code": "number", "name": "displayName", "last_modified": "lastModifiedDateTime"}},
    # salesPrice is a custom API page, often without an id: then the key is item, currency and starting date
    "prices": {"file": "salesPrices.csv", "key": ["itemNumber", "currencyCode", "startingDate"], "fields": {
        "record_id": "id", "product_code": "itemNumber", "currency": "currencyCode", "unit_price": "unitPrice",
        "effective_date": "startingDate", "end_date": "endingDate", "min_quantity": "minimumQuantity",
        "last_modified": "lastModifiedDateTime"}},
    "orders": {"file": "salesOrders.csv", "fields": {
        "record_id": "id", "number": "number", "xref": "externalDocumentNumber", "customer_id": "customerId",
        "customer_number": "customerNumber", "currency": "currencyCode", "total_amount": "totalAmountIncludingTax",
        "order_date": "orderDate", "status": "status", "last_modified": "lastModifiedDateTime"},
        "booked_values": ["Open", "Released"], "kind_label": "salesOrder"},
    "order_lines": {"file": "salesOrderLines.csv", "fields": {
        "record_id": "id", "order_id": "documentId", "product_code": "lineObjectNumber", "quantity": "quantity",
        "unit_price": "unitPrice", "currency": "currencyCode", "discount_percent": "discountPercent",
        "amount": "amountIncludingTax"}},
    "invoices": {"file": "salesInvoices.csv", "fields": {
        "record_id": "id", "number": "number", "customer_id": "customerId", "customer_number": "customerNumber",
        "currency": "currencyCode", "total_amount": "totalAmountIncludingTax", "open_balance": "remainingAmount",
        "invoice_date": "invoiceDate", "due_date": "dueDate", "order_ref": "orderNumber",
        "external_ref": "externalDocumentNumber", "last_modified": "lastModifiedDateTime"},
        "status_fields": ["status"], "status_system": "business_central"},
    "payments": {"file": "customerPayments.csv", "fields": {
        "record_id": "id", "customer_id": "customerId", "customer_number": "customerNumber", "amount": "amount",
        "currency": "currencyCode", "invoice_number": "appliesToInvoiceNumber", "payment_date": "postingDate",
        "last_modified": "lastModifiedDateTime"}},
}

# Odoo 16-18 list-view exports (Export, not "import-compatible"): headers are field labels,
# relations are display names, selections are labels and zero monetary amounts are empty cells.
# Labels: odoo/odoo addons/account/models/account_move.py (move_type, state, PAYMENT_STATE_SELECTION),
# addons/product/models/product_pricelist_item.py (applied_on, compute_price), file names:
# addons/web/controllers/export.py ExportFormat.filename -> "<model description> (<model>)".
ODOO_CODE_IN_NAME = r"^\s*\[([^\]]+)\]"  # "[CBL-50204-EU] Cable 50 m" -> CBL-50204-EU
# systems whose CSV export writes a text starting with =, - or + after an apostrophe, so that a spreadsheet opening
# it takes no formula from it ('+49 30 1234567): Odoo, addons/web/controllers/export.py CSVExport.from_data. Its
# numbers are written as numbers, never so; the apostrophe is the export's, not the value's.
FORMULA_GUARDED_CSV = {"odoo"}
ODOO_CURRENCY_IN_NAME = r"\(([A-Z]{3})\)\s*$"  # "EUR Pricelist (EUR)" -> EUR
ODOO_STATUS_LABELS = {  # Type|Status|Payment Status
    "Customer Invoice|Draft|*": "draft",
    "Customer Invoice|Cancelled|*": "void",
    "Customer Invoice|Posted|Not Paid": "open",
    "Customer Invoice|Posted|In Payment": "paid",  # paid, the bank statement not yet reconciled
    "Customer Invoice|Posted|Paid": "paid",
    "Customer Invoice|Posted|Partially Paid": "partially_paid",
    "Customer Invoice|Posted|Reversed": "void",
    "Customer Invoice|Posted|Blocked": "open",
    "Customer Invoice|Posted|Invoicing App Legacy": "paid",
    "Customer Credit Note|*|*": "credit_note",
}
ODOO: dict[str, dict[str, Any]] = {
    "customers": {"file": "Contact (res.partner).csv", "fields": {
        "record_id": "ID", "name": "Name", "number": "Reference", "xref": "Salesforce Account Id",
        "street": "Street", "city": "City", "postcode": "Zip", "state": "State",
        "country": ("Country/Country Code", "Country Code", "Country"), "tax_id": "Tax ID", "email": "Email",
        "phone": "Phone", "website": "Website Link", "currency": ("Pricelist/Currency", "Pricelist"),
        "active": "Active", "blocked": "Sales Warnings", "last_modified": "Last Updated on"},
        # sale module res.partner.sale_warn (WARNING_MESSAGE): only "Blocking Message" stops sales orders
        "labels": {"blocked": {"No Message": "", "Warning": ""}},
        "references": {"parent_id": {"column": "Related Company", "by": "name"}},
        "patterns": {"currency": ODOO_CURRENCY_IN_NAME}},
    "products": {"file": "Product Variant (product.product).csv", "fields": {
        "record_id": "ID", "code": "Internal Reference", "name": "Name", "active": "Active",
        "last_modified": "Last Updated on"}},
    "prices": {"file": "Pricelist Rule (product.pricelist.item).csv", "fields": {
        "record_id": "ID", "currency": ("Currency", "Pricelist/Currency", "Pricelist"), "unit_price": "Fixed Price",
        "pricebook": "Pricelist", "min_quantity": "Min. Quantity", "effective_date": "Start Date",
        "end_date": "End Date", "last_modified": "Last Updated on"},
        "references": {"product_code": {"column": ("Product Variant", "Product"), "by": "code",
                                        "pattern": ODOO_CODE_IN_NAME}},
        "patterns": {"currency": ODOO_CURRENCY_IN_NAME},
        # datetimes: "2026-01-01 00:00:00" in CSV, a date cell in XLSX
        "date_formats": {c: ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d"] for c in ("Start Date", "End Date")},
        "keep": {("Apply On",): ["Product", "Product Variant"],
                 ("Computation", "Compute Price", "Price Type"): ["Fixed Price"]}},
    "invoices": {"file": "Journal Entry (account.move).csv", "fields": {
        "record_id": "ID", "number": "Number", "currency": "Currency", "total_amount": ("Total", "Total Signed"),
        "open_balance": ("Amount Due", "Amount Due Signed"), "invoice_date": "Invoice/Bill Date",
        "due_date": "Due Date", "order_ref": ("Source Document", "Origin"), "external_ref": "Reference",
        "last_modified": "Last Updated on"},
        # the commercial entity where exported: an invoice to a contact shows "Company, Person" as Partner
        "references": {"customer_id": {"column": ("Commercial Entity", "Partner"), "by": "name"}},
        "empty_as_zero": ["Total", "Total Signed", "Amount Due", "Amount Due Signed"],
        "status_fields": ["Type", "Status", "Payment Status"], "status_system": "odoo_export",
        "keep": {("Type",): ["Customer Invoice", "Customer Credit Note"]}},
}

# Business Central list pages opened in Excel ("Open in Excel" / "Edit in Excel"): headers are the
# table field captions (Customer, Item, Sales Price / Price List Line, Sales Invoice Header), no GUIDs,
# and an empty "Currency Code" means the company's local currency, which the run config must name
# (fill_empty), as the export cannot say it. Posted invoices have no status field: it follows from
# Cancelled, Corrective and Closed (BC SetStatusOptionFromSalesInvoiceHeader; see WIRE.md). A
# Corrective invoice is a live posted invoice, so Closed says whether it is paid.
BC_LIST_STATUS = {  # Cancelled|Corrective|Closed, as Excel cells (true/false) or CSV text (Yes/No)
    **{f"{yes}|*|*": "void" for yes in ("true", "Yes")},
    **{f"{no}|{c}|{yes}": "paid" for no, yes in (("false", "true"), ("No", "Yes")) for c in (no, yes)},
    **{f"{no}|{c}|{no}": "open" for no, yes in (("false", "true"), ("No", "Yes")) for c in (no, yes)},
}
BUSINESS_CENTRAL_LIST: dict[str, dict[str, Any]] = {
    "customers": {"file": "Customers.xlsx", "fields": {
        "record_id": "No.", "number": "No.", "name": "Name", "street": "Address", "city": "City",
        "postcode": "Post Code", "state": "County", "country": "Country/Region Code", "phone": "Phone No.",
        "email": ("E-Mail", "Email"), "website": "Home Page", "tax_id": "VAT Registration No.",
        "currency": "Currency Code", "blocked": "Blocked", "parent_number": "Bill-to Customer No."}},
    "products": {"file": "Items.xlsx", "fields": {"record_id": "No.", "code": "No.", "name": "Description"}},
    "prices": {"file": "Sales Prices.xlsx", "key": ["Item No.", "Currency Code", "Starting Date"], "fields": {
        "product_code": ("Item No.", "Product No."), "currency": "Currency Code", "unit_price": "Unit Price",
        "effective_date": "Starting Date", "end_date": "Ending Date", "min_quantity": "Minimum Quantity"}},
    "invoices": {"file": "Posted Sales Invoices.xlsx", "fields": {
        "record_id": "No.", "number": "No.", "customer_number": ("Sell-to Customer No.", "Bill-to Customer No."),
        "currency": "Currency Code", "total_amount": "Amount Including VAT", "open_balance": "Remaining Amount",
        "invoice_date": "Posting Date", "due_date": "Due Date", "order_ref": "Order No.",
        "external_ref": "External Document No."},
        "status_fields": ["Cancelled", "Corrective", "Closed"], "status_system": "business_central_list"},
}

# label status tables of exports, by status_system name (model.status holds the API tables)
EXPORT_STATUS_TABLES = {"odoo_export": ODOO_STATUS_LABELS, "business_central_list": BC_LIST_STATUS}

SYSTEM_DEFAULTS = {"salesforce": SALESFORCE, "business_central": BUSINESS_CENTRAL,
                   "business_central_list": BUSINESS_CENTRAL_LIST, "odoo": ODOO}

# Salesforce ids are normalised to 18 characters in these canonical fields
SALESFORCE_ID_FIELDS = ("record_id", "customer_id", "order_id", "product_id", "parent_id")

# canonical fields a file may leave out because they are derived after reading
DERIVED = {"customer_id", "currency", "status", "is_credit_note", "booked", "version", "kind"}


def defaults(system: str, kind: str) -> dict[str, Any]:
    return SYSTEM_DEFAULTS.get(system, {}).get(kind, {})
