"""Run configs written the way a new user writes them from the docs alone
(docs/guide/files.md, docs/extracts/odoo.md, docs/extracts/business_central.md,
resources/examples/salesforce_dataloader_business_central.toml)."""

_CRM = '''[run]
name = "Independent corpus ({erp})"
as_of = "2026-10-31"
period = "2026-10"

[crm]
connector = "files"
system = "salesforce"
[crm.files]
dir = "crm"

[crm.objects.customers]
file = "Account.csv"
[crm.objects.customers.fields]
xref = "ERP_Customer_Number__c"
tax_id = "Tax_ID__c"

[crm.objects.products]
file = "Product2.csv"

[crm.objects.prices]
file = "PricebookEntry.csv"

[crm.objects.invoices]
file = "blng__Invoice__c.csv"   # Name is the Billing invoice number; the ERP holds it as its reference
status_fields = ["blng__InvoiceStatus__c", "blng__PaymentStatus__c"]
status_system = "salesforce_billing"
'''

_RULES = '''
[rules.tolerances]
price = {abs_minor = 0, rel = "0"}   # list prices must agree to the cent
invoice_amount = {abs_minor = 1}
invoice_balance = {abs_minor = 1}
'''

BUSINESS_CENTRAL = _CRM.format(erp="Business Central") + '''
[erp]
connector = "files"
system = "business_central"
[erp.files]
dir = "erp"

[erp.objects.customers]
file = "customers.csv"
[erp.objects.customers.fields]
xref = "salesforceAccountId"    # custom field of our integration extension: the Salesforce Account Id

[erp.objects.products]
file = "items.csv"

[erp.objects.prices]
file = "salesPrices.csv"        # no id column: itemNumber + currencyCode + startingDate is the key

[erp.objects.invoices]
file = "salesInvoices.csv"      # externalDocumentNumber holds the Salesforce Billing invoice number
''' + _RULES

ODOO = _CRM.format(erp="Odoo") + '''
[erp]
connector = "files"
system = "odoo"                 # Odoo list-view export profile
[erp.files]
dir = "erp"
''' + _RULES

# the same side exported as XLSX: each object names its .xlsx file (docs/extracts/odoo.md)
ODOO_XLSX = ODOO.replace('dir = "erp"\n', '''dir = "erp"

[erp.objects.customers]
file = "Contact (res.partner).xlsx"
[erp.objects.products]
file = "Product Variant (product.product).xlsx"
[erp.objects.prices]
file = "Pricelist Rule (product.pricelist.item).xlsx"
[erp.objects.invoices]
file = "Journal Entry (account.move).xlsx"
''', 1)
