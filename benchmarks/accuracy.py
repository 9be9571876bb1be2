"""Engine accuracy against the scenario generator's ground truth.

    .venv/bin/python benchmarks/accuracy.py [--customers 100000] [--xref-error-share 0.2] [--workdir DIR]

Prints customer-link precision/recall (auto links against truth links), the confusion
table per exception kind (true positives, missed, reported but not injected, precision,
recall), and how many decoys were reported. An exception matches a truth entry when type,
CRM id and ERP id are equal and, where the truth gives one, the field.
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

from _engine_data import extracts  # noqa: E402

from workbench.reconcile.engine import reconcile  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--xref-error-share", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "workbench-bench")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
