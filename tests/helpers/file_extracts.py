"""Extracts for the files connector: the CSV files a test writes and the run config that reads them,
so each test states only what it varies (the files, a side's system, its objects).

``write_run(tmp_path, {"erp/salesInvoices.csv": text}, erp=files_side("erp", "business_central", objects))``
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

AS_OF = "2026-10-31"


def files_side(name: str, system: str | None = None, objects: str = "", folder: str | None = None) -> str:
    """One side of a run config on the files connector, reading ``system``'s extracts of the kinds
    ``objects`` declares from ``folder`` (the side's own name by default). Without a system the side
    is only named, for a test about the other side."""
    head = f'[{name}]\nconnector = "files"\n'
    if system is None:
        return head
    return f'{head}system = "{system}"\n[{name}.files]\ndir = "{folder or name}"\n{objects}'


# A Salesforce Data Loader export against a Business Central export, by their default file names
SALESFORCE = files_side("crm", "salesforce", '[crm.objects.customers]\nfile = "Account.csv"\n'
                                             '[crm.objects.invoices]\nfile = "blng__Invoice__c.csv"\n')
BUSINESS_CENTRAL = files_side("erp", "business_central", '[erp.objects.customers]\nfile = "customers.csv"\n'
                                                         '[erp.objects.invoices]\nfile = "salesInvoices.csv"\n')


def write_file(path: Path, content: str | bytes, encoding: str = "utf-8") -> Path:
    """``content`` at ``path`` (text in ``encoding``, bytes as they are), its folders made as needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return path


def write_run(root: Path, files: Mapping[str, str | bytes] | None = None, crm: str = files_side("crm"),
              erp: str = files_side("erp"), as_of: str | None = AS_OF) -> Path:
    """``files`` (paths relative to ``root``) and ``root/run.toml`` with the two sides; returns the
    config's path. ``as_of=None`` leaves the [run] table out."""
    for rel, content in (files or {}).items():
        write_file(root / rel, content)
    run = f'[run]\nas_of = "{as_of}"\n' if as_of else ""
    return write_file(root / "run.toml", "\n".join(part.rstrip("\n") for part in (run, crm, erp) if part) + "\n")


def edit_package(path: Path, part: str, pattern: bytes, replacement: bytes) -> None:
    """Rewrites a part of a workbook's package, as another writer than openpyxl (or Excel itself) would have
    written it."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts[part] = re.sub(pattern, replacement, parts[part])
    with zipfile.ZipFile(path, "w") as zf:
        for n, b in parts.items():
            zf.writestr(n, b)
