"""Engine accuracy against ground truth: the scenario generator and the independent corpus.

    .venv/bin/python benchmarks/accuracy.py [--corpus scenario|independent|both]
        [--erp business_central|odoo|both] [--customers 2000,20000,100000] [--seed 7] [--workdir DIR]

scenario (the project's own generator, which the engine was developed against): customer-link
precision/recall and the confusion table per exception kind; an exception matches a truth entry
when type, CRM id and ERP id are equal and, where the truth gives one, the field.

independent (benchmarks/corpus, see docs/accuracy.md): the corpus is written as vendor files,
read with the project's files connector from its run config exactly as `workbench run` does, and
reconciled; record-level precision/recall per family and per truth kind, link precision/recall,
and how many instances of each decoy class were reported.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _engine_data import extracts

from benchmarks.corpus import generate
from benchmarks.corpus.evaluate import run, table
from workbench.reconcile.engine import reconcile


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", choices=("scenario", "independent", "both"), default="both")
    ap.add_argument("--erp", choices=("business_central", "odoo", "both"), default="both",
                    help="ERP flavour of the independent corpus")
    ap.add_argument("--customers", default="2000", help="comma-separated sizes, e.g. 2000,20000,100000")
    ap.add_argument("--xref-error-share", type=float, default=0.2, help="scenario corpus only")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "workbench-bench")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    sizes = [int(x.replace("_", "")) for x in args.customers.split(",")]
    erps = ("business_central", "odoo") if args.erp == "both" else (args.erp,)
    for n in sizes:
        if args.corpus in ("scenario", "both"):
            scenario(args, n)
            print()
        if args.corpus in ("independent", "both"):
            for erp in erps:
                d = args.workdir / f"independent-{erp}-{n}-{args.seed}"
                t = time.perf_counter()
                paths = generate(d, n, args.seed, erp)
                gen = time.perf_counter() - t
                t = time.perf_counter()
                sc, _ = run(d, paths["config"].name)
                print(table(sc))
                print(f"(generated in {gen:.1f} s; read and reconciled in {time.perf_counter() - t:.1f} s)")
                print()
    return 0


def scenario(args: argparse.Namespace, customers: int) -> None:
    args.customers = customers
    cfg, crm, erp, d = extracts(args.workdir, args.customers, args.seed, args.xref_error_share)
    truth = json.loads((d / "truth.json").read_text(encoding="utf-8"))
    t = time.perf_counter()
    res = reconcile(crm, erp, cfg)
    secs = time.perf_counter() - t

    links = res.links
    auto = links[links["status"] == "auto"]
    got_links = set(zip(auto["crm_id"], auto["erp_id"]))
    want_links = {tuple(x) for x in truth["links"]}
    tp_l = len(got_links & want_links)
    print(f"Accuracy: {args.customers:,} customers, {len(crm.frame('invoices')):,} CRM invoices, "
          f"xref error share {args.xref_error_share:.0%}, reconciled in {secs:.1f} s")
    print()
    print(f"Customer links: {len(got_links):,} auto, {len(want_links):,} in truth, "
          f"{int((links['status'] == 'suggested').sum()):,} suggested")
    print(f"  precision {tp_l / max(1, len(got_links)):.4f}   recall {tp_l / max(1, len(want_links)):.4f}")
    print()

    got: dict[tuple, set] = {}
    for typ, c, e, fld in zip(res.exceptions["type"], res.exceptions["crm_id"], res.exceptions["erp_id"],
                              res.exceptions["field"]):
        got.setdefault((typ, c, e), set()).add(fld)
    want = {(t["type"], t["crm_id"], t["erp_id"]): t["field"] for t in truth["exceptions"]}
    tp, fn, fp = Counter(), Counter(), Counter()
    for k, fld in want.items():
        if k in got and (fld is None or fld in got[k]):
            tp[k[0]] += 1
        else:
            fn[k[0]] += 1
    for k in got:
        if k not in want:
            fp[k[0]] += 1
    kinds = sorted(set(tp) | set(fn) | set(fp))
    print(f"{'Exception kind':<40}{'TP':>8}{'missed':>8}{'extra':>8}{'precision':>11}{'recall':>9}")
    for k in kinds:
        p = tp[k] / max(1, tp[k] + fp[k])
        r = tp[k] / max(1, tp[k] + fn[k])
        print(f"{k:<40}{tp[k]:>8,}{fn[k]:>8,}{fp[k]:>8,}{p:>11.4f}{r:>9.4f}")
    T, N, P = sum(tp.values()), sum(fn.values()), sum(fp.values())
    print(f"{'all':<40}{T:>8,}{N:>8,}{P:>8,}{T / max(1, T + P):>11.4f}{T / max(1, T + N):>9.4f}")
    decoys = {(x["crm_id"], x["erp_id"]) for x in truth["decoys"]}
    hit = [k for k in got if (k[1], k[2]) in decoys and k not in want]
    print()
    print(f"Decoys: {len(truth['decoys']):,} in truth, {len(hit):,} reported")


if __name__ == "__main__":
    sys.exit(main())
