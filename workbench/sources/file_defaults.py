"""Default column mappings for file extracts, per source system and canonical kind.

A run config only lists what differs from these. Each canonical field maps to one
column name or a tuple of alternatives (the first present in the file wins). A default
that is absent from the file is simply left empty; a column named in the config must exist.

Pseudo-fields resolved after reading: ``customer_number`` (a customer number where the
extract lacks the customer's record id) and ``parent_number`` (a bill-to/parent number).
"""

from __future__ import annotations

Fields = dict[str, str | tuple[str, ...]]

SALESFORCE: dict[str, dict] = {
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

BUSINESS_CENTRAL: dict[str, dict] = {
    "customers": {"file": "customers.csv", "fields": {
        "record_id": "id", "number": "number", "name": "displayName", "street": "addressLine1", "city": "city",
        "state": "state", "country": "country", "postcode": "postalCode", "phone": "phoneNumber", "email": "email",
        "website": "website", "tax_id": "taxRegistrationNumber", "currency": "currencyCode", "blocked": "blocked",
        "parent_number": "billToCustomerNumber", "last_modified": "lastModifiedDateTime"}},
    "products": {"file": "items.csv", "fields": {
        "record_id": "id", "code": "number", "name": "displayName", "last_modified": "lastModifiedDateTime"}},
    "prices": {"file": "salesPrices.csv", "fields": {
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
        "last_modified": "lastModifiedDateTime"},
        "status_fields": ["status"], "status_system": "business_central"},
    "payments": {"file": "customerPayments.csv", "fields": {
        "record_id": "id", "customer_id": "customerId", "customer_number": "customerNumber", "amount": "amount",
        "currency": "currencyCode", "invoice_number": "appliesToInvoiceNumber", "payment_date": "postingDate",
        "last_modified": "lastModifiedDateTime"}},
}

SYSTEM_DEFAULTS = {"salesforce": SALESFORCE, "business_central": BUSINESS_CENTRAL}

# Salesforce ids are normalised to 18 characters in these canonical fields
SALESFORCE_ID_FIELDS = ("record_id", "customer_id", "order_id", "product_id", "parent_id")

# canonical fields a file may leave out because they are derived after reading
DERIVED = {"customer_id", "currency", "status", "is_credit_note", "booked", "version", "kind"}


def defaults(system: str, kind: str) -> dict:
    return SYSTEM_DEFAULTS.get(system, {}).get(kind, {})
