"""Independent evaluation corpus: vendor-format extracts of both sides plus exact ground truth.

    from benchmarks.corpus import generate
    paths = generate(out_dir, customers=2000, seed=1, erp="business_central")   # or erp="odoo"

    python -m benchmarks.corpus OUT_DIR --customers 2000 --seed 1 --erp odoo

Writes ``crm/`` (Salesforce Data Loader CSVs), ``erp/`` (Business Central API v2.0 CSVs or Odoo 17
list-view exports), ``truth.json`` and the run config (``run.toml`` for Business Central,
``run-odoo.toml`` for Odoo). See docs/accuracy.md. Built without reference to the engine or the
project's scenario generator, from vendor export formats and published variation classes.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from benchmarks.corpus import configs, master, variants, writers

ERPS = ("business_central", "odoo")


def generate(out_dir: Path | str, customers: int = 2000, seed: int = 1,
             erp: str = "business_central") -> dict[str, Path]:
    if erp not in ERPS:
        raise ValueError(f"erp must be one of {', '.join(ERPS)}, got {erp!r}")
    out = Path(out_dir)
    rng = random.Random(seed)
    truth = variants.Truth()
    custs = master.draw_customers(rng, customers, seed)
    variants.assign_presence(rng, custs)
    variants.same_name_pairs(rng, custs, truth)
    crm_c, erp_c = variants.render_customers(rng, custs, truth)
    products = master.draw_products(rng, max(50, customers // 4), seed)
    crm_p, erp_p = variants.render_prices(rng, products, truth)
    invoices = master.draw_invoices(rng, custs)
    erp_name = {r["c"].i: r["name"] for r in erp_c}
    for inv in invoices:
        inv.attrs["partner"] = erp_name.get(inv.cust.i, "")
    crm_i, erp_i = variants.render_invoices(rng, invoices, truth, erp)

    writers.write_salesforce(out / "crm", crm_c, products, crm_p, crm_i)
    if erp == "odoo":
        writers.write_odoo(out / "erp", erp_c, products, erp_p, erp_i)
        config = out / "run-odoo.toml"
        config.write_text(configs.ODOO, encoding="utf-8")
    else:
        writers.write_business_central(out / "erp", erp_c, products, erp_p, erp_i)
        config = out / "run.toml"
        config.write_text(configs.BUSINESS_CENTRAL, encoding="utf-8")
    doc = {"seed": seed, "customers": customers, "erp": erp, "as_of": master.AS_OF.isoformat(),
           "links": truth.links, "discrepancies": truth.discrepancies, "decoys": truth.decoys}
    (out / "truth.json").write_text(json.dumps(doc, indent=0, sort_keys=True), encoding="utf-8")
    return {"crm": out / "crm", "erp": out / "erp", "truth": out / "truth.json", "config": config}
