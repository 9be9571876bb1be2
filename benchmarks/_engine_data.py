"""Scenario extracts for the engine benchmarks, generated once and cached as a pickle.

Pulling a million-invoice scenario through the files connector takes minutes and is the
connector's cost, not the engine's, so the benchmarks time only what follows the pull.
"""

from __future__ import annotations

import pickle
import time
from pathlib import Path

from workbench import config as config_mod
from workbench.config import RunConfig, from_dict
from workbench.sandbox import scenario
from workbench.sources import files


def extracts(workdir: Path, customers: int, seed: int = 7, xref_error_share: float = 0.2,
             invoices_per_customer: int = 10):
    """(config, crm Extract, erp Extract, scenario dir), generating and pulling on first use."""
    d = workdir / f"scenario-{seed}-{customers}-{invoices_per_customer}-{xref_error_share}"
    cache = d.parent / f"{d.name}.pkl"
    if cache.exists():
        raw, path, crm, erp = pickle.loads(cache.read_bytes())
        return from_dict(raw, path=Path(path)), crm, erp, d
    t = time.perf_counter()
    if not (d / "truth.json").exists():
        scenario.generate(seed, customers, d, invoices_per_customer=invoices_per_customer,
                          xref_error_share=xref_error_share)
    cfg: RunConfig = config_mod.load(d / "run.toml")
    crm = files.create("crm", cfg).pull(None)
    erp = files.create("erp", cfg).pull(None)
    # the raw snapshots are for the store, not the engine: keep the cache small
    crm.snapshots = crm.snapshots.iloc[0:0]
    erp.snapshots = erp.snapshots.iloc[0:0]
    cache.write_bytes(pickle.dumps((cfg.raw, str(cfg.path), crm, erp), protocol=5))
    print(f"(prepared {customers:,} customers in {time.perf_counter() - t:.0f} s, cached in {cache})")
    return cfg, crm, erp, d
