"""Odoo 17 list-view exports (Export, human-readable) of the shipped Business Central example data.

Written the way Odoo writes them (odoo/odoo addons/web/controllers/export.py): field labels as
headers, relations as display names ("[SRV-1001] Implementation Service Day", "EUR Pricelist
(EUR)"), selections as labels ("Posted", "Not Paid"), zero monetary amounts as empty cells,
datetimes as "YYYY-MM-DD HH:MM:SS", file names "<model description> (<model>).csv".
The same records as the BC extracts, so a run on either must report the same differences.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

BC = Path(__file__).resolve().parents[3] / "resources" / "examples" / "data" / "business_central"
COUNTRY_NAMES = {"DE": "Germany", "US": "United States", "CH": "Switzerland", "FR": "France", "GB": "United Kingdom",
                 "JP": "Japan"}


def _rows(name: str, src: Path = BC) -> list[dict[str, str]]:
    with (src / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def _money(v: str) -> str:
    """Odoo writes a zero monetary field as an empty cell."""
    return "" if Decimal(v) == 0 else str(Decimal(v).normalize() if "." not in v else Decimal(v))


def write(out: Path, *, extra_partners: list[str] = (), invoice_partners: dict[str, str] | None = None,
          src: Path = BC) -> Path:
    """Write the four exports of the BC extracts in ``src`` into ``out``, keeping their record ids
    (so findings compare one to one); ``invoice_partners`` overrides an invoice's Partner cell."""
    out.mkdir(parents=True, exist_ok=True)
    customers = _rows("customers.csv", src)
    _write(out / "Contact (res.partner).csv",
           ["ID", "Name", "Reference", "Street", "City", "Zip", "Country", "Country/Country Code", "Tax ID",
            "Website Link", "Pricelist", "Sales Warnings", "Active", "Last Updated on"],
           [[c["id"], c["displayName"], c["number"], c["addressLine1"], c["city"], c["postalCode"],
             COUNTRY_NAMES.get(c["country"], c["country"]), c["country"], c["taxRegistrationNumber"], c["website"],
             f"{c['currencyCode']} Pricelist ({c['currencyCode']})",
             "Blocking Message" if c["blocked"].strip() == "All" else "No Message", "True",
             c["lastModifiedDateTime"][:19].replace("T", " ")] for c in customers]
           + [[900 + n, name, "", "", "", "", "", "", "", "", "EUR Pricelist (EUR)", "No Message", "True",
               "2026-10-01 08:00:00"]
              for n, name in enumerate(extra_partners)])
    items = _rows("items.csv", src)
    names = {i["number"]: i["displayName"] for i in items}
    _write(out / "Product Variant (product.product).csv", ["ID", "Internal Reference", "Name", "Active"],
           [[i["id"], i["number"], i["displayName"], "True"] for i in items])
    prices = _rows("salesPrices.csv", src)
    rules = [[p.get("id") or 300 + n, f"{p['currencyCode']} Pricelist ({p['currencyCode']})", "Product",
              f"[{p['itemNumber']}] {names[p['itemNumber']]}", "", "Fixed Price", p["unitPrice"],
              "0.0", f"{p['startingDate']} 00:00:00", ""] for n, p in enumerate(prices)]
    # rules that set no price of one product: Odoo lists them in the same view
    rules.append([399, "EUR Pricelist (EUR)", "All Products", "", "", "Discount", "0.0", "0.0", "", ""])
    rules.append([398, "USD Pricelist (USD)", "Product Category", "", "", "Formula", "0.0", "0.0", "", ""])
    _write(out / "Pricelist Rule (product.pricelist.item).csv",
           ["ID", "Pricelist", "Apply On", "Product", "Product Variant", "Computation", "Fixed Price",
            "Min. Quantity", "Start Date", "End Date"], rules)
    moves = []
    names_by_id = {c["id"]: c["displayName"] for c in customers}
    for i in _rows("salesInvoices.csv", src):
        total, due = Decimal(i["totalAmountIncludingTax"]), Decimal(i["remainingAmount"])
        state, pay = {"Paid": ("Posted", "Paid"), "Canceled": ("Cancelled", "Not Paid"),
                      "Cancelled": ("Cancelled", "Not Paid")}.get(
            i["status"], ("Posted", "Not Paid" if due == total else "Partially Paid"))
        # a relation: Odoo shows the partner's current display name, not a name copied at posting
        partner = (invoice_partners or {}).get(i["number"], names_by_id.get(i["customerId"], i["customerName"]))
        moves.append([i["id"], i["number"], "Customer Invoice", partner, i["invoiceDate"], i["dueDate"],
                      i["externalDocumentNumber"], "", i["currencyCode"], _money(i["totalAmountIncludingTax"]),
                      _money(i["remainingAmount"]), state, pay])
    _write(out / "Journal Entry (account.move).csv",
           ["ID", "Number", "Type", "Partner", "Invoice/Bill Date", "Due Date", "Reference", "Source Document",
            "Currency", "Total", "Amount Due", "Status", "Payment Status"], moves)
    return out
