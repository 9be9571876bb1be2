"""Engine speed: end to end at scale, the invoice comparison against peers, fuzzy linking.

    .venv/bin/python benchmarks/bench_engine.py [--customers 100000] [--prices 50000]
                                                [--fuzzy 20000] [--workdir DIR]

1. reconcile() end to end on a generated scenario (100,000 customers, ~1,000,000 invoices
   per side), its price lists grown to 50,000 entries per side;
2. the invoice comparison step alone (match on the ERP invoice number + compare currency,
   total, open balance, status, due date with 1-minor-unit tolerance) against datacompy's
   PandasCompare (join on the number, abs_tol 0.01) and a plain pandas merge-and-compare;
   the peers get float amounts (their natural input), the engine exact Decimals;
3. fuzzy linking of N CRM against N ERP customers with every key (xref, tax id, website,
   DUNS) blanked, so only name and address evidence remains.
Prints one table: step, size, seconds, peak RSS of the process during the step (the loaded
extracts included; the growth over them is in the notes), and ratios to the peers.
The scenario pull (files connector) is prepared once and cached; it is not timed here.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _engine_data import extracts

from workbench.reconcile import invoices as inv
from workbench.reconcile.engine import reconcile
from workbench.reconcile.findings import Findings
from workbench.reconcile.fx import FxTable
from workbench.reconcile.linking import link_customers
from workbench.reconcile.rules import parse


class Peak:
    """Peak resident memory of this process while a block runs (sampled every 10 ms)."""

    def __enter__(self):
        self.proc = psutil.Process()
        gc.collect()
        self.start = self.peak = self.proc.memory_info().rss
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        self.t0 = time.perf_counter()
        return self

    def _run(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)


def grow_prices(frame: pd.DataFrame, target: int) -> pd.DataFrame:
    """More price entries in the same shape: copies of the list under new product codes."""
    if len(frame) >= target or frame.empty:
        return frame
    parts, k = [frame], 1
    while sum(len(p) for p in parts) < target:
        extra = frame.copy()
        extra["product_code"] = [f"{c}-V{k}" for c in frame["product_code"]]
        extra["record_id"] = [f"{r}-V{k}" for r in frame["record_id"]]
        parts.append(extra)
        k += 1
    return pd.concat(parts, ignore_index=True).iloc[:target].reset_index(drop=True)


def peer_frame(f: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "number": f["number"].to_numpy(dtype=object), "currency": f["currency"].to_numpy(dtype=object),
        "total_amount": np.array([float(x) if x is not None else np.nan for x in f["total_amount"]]),
        "open_balance": np.array([float(x) if x is not None else np.nan for x in f["open_balance"]]),
        "status": f["status"].to_numpy(dtype=object),
        "due_date": [d.isoformat() if d is not None else None for d in f["due_date"]]})


def pandas_compare(a: pd.DataFrame, b: pd.DataFrame) -> int:
    m = a.merge(b, on="number", how="outer", suffixes=("_c", "_e"), indicator=True)
    both = m[m["_merge"] == "both"]
    differs = ((both["currency_c"] != both["currency_e"]) | (both["status_c"] != both["status_e"])
               | (both["due_date_c"] != both["due_date_e"])
               | ((both["total_amount_c"] - both["total_amount_e"]).abs() > 0.01 + 1e-9)
               | ((both["open_balance_c"] - both["open_balance_e"]).abs() > 0.01 + 1e-9))
    return int(differs.sum()) + int((m["_merge"] != "both").sum())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--prices", type=int, default=50_000)
    ap.add_argument("--fuzzy", type=int, default=20_000)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "workbench-bench")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []

    cfg, crm, erp, _ = extracts(args.workdir, args.customers)
    crm.frames["prices"] = grow_prices(crm.frame("prices"), args.prices)
    erp.frames["prices"] = grow_prices(erp.frame("prices"), args.prices)
    n_inv = len(crm.frame("invoices"))
    size = (f"{args.customers:,} cust, {len(crm.frame('prices')):,} prices, "
            f"{n_inv:,}/{len(erp.frame('invoices')):,} inv")
    with Peak() as p:
        res = reconcile(crm, erp, cfg)
    rows.append(("reconcile end to end", size, p.seconds, p.peak,
                 f"{len(res.exceptions):,} exceptions; +{(p.peak - p.start) / 2**30:.2f} GB over the loaded extracts "
                 f"({p.start / 2**30:.2f} GB before the run)"))
    print(f"(end to end: {p.seconds:.1f} s)", flush=True)

    # invoice comparison step
    rules = parse(cfg.rules)
    ci, ei = crm.frame("invoices").reset_index(drop=True), erp.frame("invoices").reset_index(drop=True)
    with Peak() as p:
        f = Findings(cfg, rules, FxTable([]))
        i, j, _ = inv.match(ci, ei, {}, rules)
        inv.compare(f, ci, ei, i, j, {}, erp.frame("payments"))
        inv.missing(f, ci, ei, i, j, {})
    ours = p.seconds
    rows.append(("invoice comparison: engine", f"{n_inv:,} per side", p.seconds, p.peak,
                 f"{len(f.rows):,} differences"))
    a, b = peer_frame(ci), peer_frame(ei)
    a = a.dropna(subset=["number"]).drop_duplicates("number")
    b = b.dropna(subset=["number"]).drop_duplicates("number")
    import datacompy
    with Peak() as p:
        cmp = datacompy.PandasCompare(a, b, join_columns="number", abs_tol=0.01)
        n_dc = len(cmp.all_mismatch()) + len(cmp.df1_unq_rows) + len(cmp.df2_unq_rows)
    dc = p.seconds
    rows.append(("invoice comparison: datacompy", f"{n_inv:,} per side", p.seconds, p.peak,
                 f"{n_dc:,} differences; engine/datacompy = {ours / dc:.2f}"))
    with Peak() as p:
        n_pd = pandas_compare(a, b)
    rows.append(("invoice comparison: pandas merge", f"{n_inv:,} per side", p.seconds, p.peak,
                 f"{n_pd:,} differences; engine/pandas = {ours / p.seconds:.2f}"))
    del res, f, cmp, a, b, crm, erp, ci, ei
    gc.collect()

    # fuzzy linking only
    cfg2, crm2, erp2, d2 = extracts(args.workdir, args.fuzzy, invoices_per_customer=1)
    blank = {"xref": None, "tax_id": None, "website": None, "duns": None}
    cc = crm2.frame("customers").assign(**blank).reset_index(drop=True)
    ec = erp2.frame("customers").assign(**blank).reset_index(drop=True)
    with Peak() as p:
        lk, _, _ = link_customers(cc, ec, parse({}))
    auto_links = lk.links[lk.links["status"] == "auto"]
    auto = len(auto_links)
    truth = {tuple(x) for x in json.loads((d2 / "truth.json").read_text(encoding="utf-8"))["links"]}
    found = set(zip(cc["record_id"].to_numpy(dtype=object)[auto_links["i"].to_numpy(dtype=np.int64)],
                    ec["record_id"].to_numpy(dtype=object)[auto_links["j"].to_numpy(dtype=np.int64)]))
    prec, rec = len(found & truth) / max(1, len(found)), len(found & truth) / max(1, len(truth))
    rows.append(("fuzzy linking (no keys)", f"{len(cc):,} x {len(ec):,}", p.seconds, p.peak,
                 f"{auto:,} auto (precision {prec:.4f}, recall {rec:.4f}), {len(lk.links) - auto:,} suggested, "
                 f"{len(lk.candidates):,} pairs scored"))

    print()
    print(f"Engine benchmark  ({psutil.cpu_count()} CPUs, load average {psutil.getloadavg()[0]:.1f} at the end)")
    print(f"{'Step':<34}{'Size':<46}{'Seconds':>9}{'Peak RSS':>11}  Notes")
    for step, sz, secs, peak, note in rows:
        print(f"{step:<34}{sz:<46}{secs:>9.2f}{peak / 2**30:>9.2f} GB  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
