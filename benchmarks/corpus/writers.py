"""The files as each tool writes them.

- Salesforce Data Loader export: every value quoted, headers are the SOQL field names in upper case,
  relationship fields as ``PRICEBOOK2.NAME``, booleans ``true``/``false``, dates ``YYYY-MM-DD``,
  datetimes ``YYYY-MM-DDThh:mm:ss.000Z`` (Salesforce Data Loader Guide, "Export data"; the upper-case
  header is noted in workbench/sources/files.py too).
- Business Central API v2.0 entities written to CSV with the JSON property names as headers
  (Microsoft Learn api-reference/v2.0 resources customer, item, salesInvoice; salesPrice is the
  custom API page the project documents: docs/extracts/business_central.md). JSON numbers keep their
  shortest form (1200.5), blocked is " " when not blocked.
- Odoo 17 list-view export, "I want to update data" off: headers are field labels, relations are
  display names ("[CODE] Name" for products), selections are labels, monetary zero is an EMPTY cell
  and floats print like Python (1200.0) (odoo/odoo addons/web/controllers/export.py; issue 56351;
  labels from addons/account/models/account_move.py and addons/product/models/product_pricelist_item.py,
  as listed in docs/extracts/odoo.md). File names "<model description> (<model>).csv".
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from benchmarks.corpus.master import AS_OF

STAMP = f"{AS_OF.isoformat()}T18:00:00.000Z"


def _write(path: Path, header: list[str], rows, quote_all: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
        w.writerow(header)
        w.writerows(rows)
    return path


def json_number(d: Decimal) -> str:
    """A JSON number as BC writes it: no trailing zeros (1200.5, 1200)."""
    s = f"{d:f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


def odoo_float(d: Decimal) -> str:
    """Odoo writes a monetary field as a Python float: 1200.0, 1200.5; zero as an empty cell."""
    if d == 0:
        return ""
    s = f"{d:f}"
    if "." not in s:
        return s + ".0"
    s = s.rstrip("0")
    return s + "0" if s.endswith(".") else s


# ---------------------------------------------------------------- Salesforce
SF_BILLING = {"open": ("Posted", "Unpaid"), "partial": ("Posted", "Partially Paid"), "paid": ("Posted", "Paid"),
              "void": ("Cancelled", "Unpaid")}


def write_salesforce(d: Path, customers: list[dict], products, prices: list[dict], invoices: list[dict]) -> list[Path]:
    acc = [[r["c"].crm_id, r["name"], f"A-{r['c'].i + 1:07d}", r["xref"] or "", "Customer", r["street"], r["city"],
            "", r["postcode"], r["country"], r["tax_id"] or "", r["website"] or "", r["phone"], r["currency"], STAMP]
           for r in customers]
    out = [_write(d / "Account.csv", ["ID", "NAME", "ACCOUNTNUMBER", "ERP_CUSTOMER_NUMBER__C", "TYPE",
                                      "BILLINGSTREET", "BILLINGCITY", "BILLINGSTATE", "BILLINGPOSTALCODE",
                                      "BILLINGCOUNTRY", "TAX_ID__C", "WEBSITE", "PHONE", "CURRENCYISOCODE",
                                      "LASTMODIFIEDDATE"], acc, True)]
    out.append(_write(d / "Product2.csv", ["ID", "NAME", "PRODUCTCODE", "FAMILY", "ISACTIVE", "LASTMODIFIEDDATE"],
                      [[p.crm_id, p.name, p.code, p.code.split("-")[0], "true", STAMP] for p in products], True))
    pbe = []
    for k, r in enumerate(prices):
        p = r["p"]
        pbe.append([_pbe_id(k), p.crm_id, p.code, p.name, r["book"], r["currency"], r["text"],
                    "true" if r["active"] else "false", "false", STAMP])
    out.append(_write(d / "PricebookEntry.csv", ["ID", "PRODUCT2ID", "PRODUCTCODE", "PRODUCT2.NAME", "PRICEBOOK2.NAME",
                                                 "CURRENCYISOCODE", "UNITPRICE", "ISACTIVE", "USESTANDARDPRICE",
                                                 "LASTMODIFIEDDATE"], pbe, True))
    inv = []
    for r in invoices:
        i = r["inv"]
        st, pay = SF_BILLING[r["state"]]
        inv.append([i.crm_id, i.crm_number, i.cust.crm_id, i.invoice_date.isoformat(), r["due"].isoformat(), st, pay,
                    f"{r['total']:f}", r["balance"], i.cust.currency, STAMP])
    out.append(_write(d / "blng__Invoice__c.csv", ["ID", "NAME", "BLNG__ACCOUNT__C", "BLNG__INVOICEDATE__C",
                                                    "BLNG__DUEDATE__C", "BLNG__INVOICESTATUS__C",
                                                    "BLNG__PAYMENTSTATUS__C", "BLNG__TOTALAMOUNT__C",
                                                    "BLNG__BALANCE__C", "CURRENCYISOCODE", "LASTMODIFIEDDATE"], inv, True))
    return out


def _pbe_id(k: int) -> str:
    from benchmarks.corpus.master import sf_id
    return sf_id("01u", 1000 + k)


# ---------------------------------------------------------------- Business Central
BC_STATUS = {"open": "Open", "partial": "Open", "paid": "Paid", "void": "Canceled"}


def write_business_central(d: Path, customers: list[dict], products, prices: list[dict],
                           invoices: list[dict]) -> list[Path]:
    cust = [[r["c"].erp_guid, r["c"].erp_number, r["name"], "Company", r["street"], "", r["city"], "", r["country"],
             r["postcode"], r["phone"], "", r["website"] or "", r["tax_id"] or "", r["currency"], " ", STAMP,
             r["backref"] or ""] for r in customers]
    # salesforceAccountId: the Salesforce Account Id a custom field on the Customer card holds, exposed
    # on the customers API page by the integration's extension (the standard v2.0 page has none)
    out = [_write(d / "customers.csv", ["id", "number", "displayName", "type", "addressLine1", "addressLine2", "city",
                                        "state", "country", "postalCode", "phoneNumber", "email", "website",
                                        "taxRegistrationNumber", "currencyCode", "blocked", "lastModifiedDateTime",
                                        "salesforceAccountId"], cust)]
    out.append(_write(d / "items.csv", ["id", "number", "displayName", "type", "blocked", "baseUnitOfMeasureCode",
                                        "unitPrice", "lastModifiedDateTime"],
                      [[p.erp_guid, p.code, p.name, "Inventory", "false", "PCS", json_number(p.base), STAMP]
                       for p in products]))
    out.append(_write(d / "salesPrices.csv", ["itemNumber", "currencyCode", "startingDate", "endingDate",
                                              "unitPrice", "minimumQuantity"],
                      [[r["p"].code, r["currency"], r["start"], r["end"], json_number(r["price"]), "0"]
                       for r in prices]))
    rows = []
    for r in invoices:
        i = r["inv"]
        status = "Corrective" if r["corrective"] else BC_STATUS[r["state"]]
        rows.append([i.erp_guid, r["number"], r["external_ref"], i.invoice_date.isoformat(), i.invoice_date.isoformat(),
                     r["due"].isoformat(), i.cust.erp_guid, i.cust.erp_number, _partner_name(i), i.cust.currency,
                     json_number(r["total"]), json_number(r["balance"]), status, STAMP])
    out.append(_write(d / "salesInvoices.csv", ["id", "number", "externalDocumentNumber", "invoiceDate", "postingDate",
                                                "dueDate", "customerId", "customerNumber", "customerName",
                                                "currencyCode", "totalAmountIncludingTax", "remainingAmount", "status",
                                                "lastModifiedDateTime"], rows))
    return out


# ---------------------------------------------------------------- Odoo
COUNTRY_LABEL = {"US": "United States", "GB": "United Kingdom", "DE": "Germany", "FR": "France", "ES": "Spain",
                 "IT": "Italy", "NL": "Netherlands", "SE": "Sweden", "JP": "Japan"}
ODOO_STATE = {"open": ("Posted", "Not Paid"), "partial": ("Posted", "Partially Paid"), "paid": ("Posted", "Paid"),
              "void": ("Cancelled", "Not Paid")}
ODOO_STAMP = f"{AS_OF.isoformat()} 18:00:00"


def pricelist(ccy: str) -> str:
    return f"{ccy} Pricelist ({ccy})"


def write_odoo(d: Path, customers: list[dict], products, prices: list[dict], invoices: list[dict]) -> list[Path]:
    cust = [[r["c"].odoo_id, r["name"], r["c"].erp_number, "True", r["street"], r["city"], r["postcode"],
             COUNTRY_LABEL.get(r["country"], r["country"]), r["tax_id"] or "", "", r["phone"], r["website"] or "",
             pricelist(r["currency"]), "True", r["backref"] or "", ODOO_STAMP] for r in customers]
    out = [_write(d / "Contact (res.partner).csv", ["ID", "Name", "Reference", "Is a Company", "Street", "City", "Zip",
                                                    "Country", "Tax ID", "Email", "Phone", "Website Link", "Pricelist",
                                                    "Active", "Salesforce Account Id", "Last Updated on"], cust)]
    out.append(_write(d / "Product Variant (product.product).csv", ["ID", "Internal Reference", "Name", "Active",
                                                                    "Sales Price", "Last Updated on"],
                      [[p.odoo_id, p.code, p.name, "True", odoo_float(p.base), ODOO_STAMP] for p in products]))
    rules = []
    for k, r in enumerate(prices):
        label = f"[{r['p'].code}] {r['p'].name}"
        start = f"{r['start']} 00:00:00" if r["start"] else ""
        end = f"{r['end']} 23:59:59" if r["end"] else ""
        rules.append([3000 + k, pricelist(r["currency"]), "Product Variant", label, label, "Fixed Price",
                      odoo_float(r["price"]), "0.0", start, end, ODOO_STAMP])
    # company-wide rules every price list carries; the profile drops them (not a product's price)
    for k, ccy in enumerate(("EUR", "USD")):
        rules.append([2000 + k, pricelist(ccy), "All Products", "", "", "Discount", "", "0.0", "", "", ODOO_STAMP])
    out.append(_write(d / "Pricelist Rule (product.pricelist.item).csv",
                      ["ID", "Pricelist", "Apply On", "Product", "Product Variant", "Computation", "Fixed Price",
                       "Min. Quantity", "Start Date", "End Date", "Last Updated on"], rules))
    rows = []
    for r in invoices:
        i = r["inv"]
        st, pay = ODOO_STATE[r["state"]]
        if r["state"] == "paid" and i.n % 5 == 0:
            pay = "In Payment"  # paid, the bank statement not reconciled yet
        if r["state"] == "void" and i.n % 2 == 0:
            st, pay = "Posted", "Reversed"  # cancelled by a credit note instead of reset to draft
        rows.append([i.odoo_id, r["number"], "Customer Invoice", _partner_name(i), i.invoice_date.isoformat(),
                     r["due"].isoformat(), r["external_ref"], "", i.cust.currency, odoo_float(r["total"]),
                     odoo_float(r["balance"]), st, pay, ODOO_STAMP])
    out.append(_write(d / "Journal Entry (account.move).csv",
                      ["ID", "Number", "Type", "Partner", "Invoice/Bill Date", "Due Date", "Reference",
                       "Source Document", "Currency", "Total", "Amount Due", "Status", "Payment Status",
                       "Last Updated on"], rows))
    return out


def _partner_name(inv) -> str:
    return inv.attrs.get("partner") or ""
