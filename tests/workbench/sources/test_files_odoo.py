"""Odoo list-view exports, configured from docs/extracts/odoo.md alone, run through `workbench run`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from tests.workbench.sources import odoo_exports

ROOT = Path(__file__).resolve().parents[3]
WORKBENCH = str(Path(sys.executable).with_name("workbench"))
EXAMPLE = ROOT / "resources" / "examples" / "salesforce_dataloader_business_central.toml"
ODOO_DOC = ROOT / "docs" / "extracts" / "odoo.md"
COMPARED = ("customer.", "pricing.", "invoice.", "credit.")


def doc_config(doc: Path, name: str) -> str:
    """The TOML block a user copies from the docs (the fence after `<!-- config: name -->`)."""
    m = re.search(rf"<!-- config: {name} -->\s*```toml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    assert m, f"{doc} has no config block {name!r}"
    return m.group(1)


def crm_side() -> str:
    """The shipped example's CRM side (a Salesforce Data Loader export) and its run/rules sections."""
    text = EXAMPLE.read_text(encoding="utf-8")
    crm = text[text.index("[run]"):text.index("[erp]")]
    rules = text[text.index("[rules.tolerances]"):]
    crm = crm.replace('dir = "data/salesforce_dataloader"',
                      f'dir = "{(EXAMPLE.parent / "data" / "salesforce_dataloader").as_posix()}"')
    return crm + "\n" + rules


def odoo_config(tmp: Path) -> Path:
    erp = doc_config(ODOO_DOC, "odoo")
    cfg = tmp / "run.toml"
    cfg.write_text(crm_side() + "\n" + erp, encoding="utf-8")
    return cfg


def bc_config(tmp: Path) -> Path:
    """The example's Business Central extracts of the same four kinds the Odoo exports hold."""
    erp = (f'[erp]\nconnector = "files"\nsystem = "business_central"\n[erp.files]\n'
           f'dir = "{odoo_exports.BC.as_posix()}"\n'
           + "".join(f"[erp.objects.{k}]\n" for k in ("customers", "products", "prices", "invoices")))
    cfg = tmp / "bc.toml"
    cfg.write_text(crm_side() + "\n" + erp, encoding="utf-8")
    return cfg


def wb(*args: str, code: int = 0) -> subprocess.CompletedProcess:
    p = subprocess.run([WORKBENCH, *args], capture_output=True, text=True, timeout=300)
    assert p.returncode == code, p.stderr
    assert "Traceback" not in p.stderr
    return p


def run(cfg: Path, db: str) -> tuple[str, list[dict]]:
    summary = wb("run", "--config", str(cfg), "--db", db, "--user", "ann").stdout
    exc = json.loads(wb("exceptions", "--format", "json", "--db", db).stdout)["exceptions"]
    return summary, exc


def comparable(exc: list[dict]) -> set[tuple]:
    """What a user checks; status and block values are shown as each system spells them."""
    return {(e["type"], e["customer_name"], e["field"], e["crm_value"],
             None if e["field"] in ("status", "blocked") else e["erp_value"]) for e in exc if e["type"].startswith(COMPARED)}


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    d = tmp_path_factory.mktemp("odoo")
    odoo_exports.write(d / "exports" / "odoo")
    odoo = run(odoo_config(d), f"sqlite:///{d / 'odoo.sqlite3'}")
    bc = run(bc_config(d), f"sqlite:///{d / 'bc.sqlite3'}")
    return d, odoo, bc


def test_odoo_exports_report_the_same_differences_as_business_central_extracts(both):
    _, (_, odoo), (_, bc) = both
    assert comparable(bc), "the BC baseline reports differences"
    assert comparable(odoo) == comparable(bc)
    assert not [e for e in odoo if e["type"] == "data_quality.unresolved_reference"]


def test_summary_counts_rows_read_used_and_dropped_per_file(both):
    _, (summary, _), _ = both
    assert re.search(r"ERP prices: Pricelist Rule \(product\.pricelist\.item\)\.csv\s+22\s+20\s+2\s+0", summary)
    assert "1 dropped: Apply On is 'All Products' (used: Product, Product Variant)" in summary
    assert "1 dropped: Apply On is 'Product Category' (used: Product, Product Variant)" in summary
    assert re.search(r"ERP invoices: Journal Entry \(account\.move\)\.csv\s+14\s+14\s+0\s+0", summary)
