"""Findings about extract rows themselves: references the files connector could not resolve.

A row whose reference (an invoice's partner by display name, a price rule's product code)
matches no record or several is kept in the run with the reference left unknown; each such
row is one ``data_quality.unresolved_reference`` exception, so it is seen and never guessed.
"""

from __future__ import annotations

from workbench.reconcile.findings import Findings, quoted
from workbench.sources.base import Extract

_KIND_LABEL = {"customers": "Customer", "products": "Product", "prices": "Price", "orders": "Order",
               "order_lines": "Order line", "invoices": "Invoice", "payments": "Payment"}


def unresolved_references(f: Findings, *extracts: Extract) -> None:
    for ex in extracts:
        issues = ex.issues
        if issues is None or issues.empty:
            continue
        side = ex.meta.side
        for r in issues.to_dict("records"):
            matches = int(r["matches"] or 0)
            why = (f"matches {matches} records, so it is left unresolved" if r["problem"] == "ambiguous"
                   else "matches no record")
            message = (f"{_KIND_LABEL.get(r['kind'], r['kind'])} {r['record_id']} (row {r['row']} of {r['file']}): "
                       f"{r['column']} {quoted(r['value'])} {why}; its {r['field']} is unknown in this run.")
            ids = {f"{side}_object": r["kind"], f"{side}_id": r["record_id"], f"{side}_value": r["value"]}
            # the name as the extract wrote it, so the queue's customer filter finds the row
            name = r["value"] if r["field"] in ("customer_id", "parent_id") else None
            f.add("data_quality.unresolved_reference", message, field=r["field"], customer_name=name, **ids)
