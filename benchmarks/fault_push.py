"""Fault injection: push N corrections while the sandboxes misbehave, and account for every one.

- transient: a share of the sandbox's API requests (default 10%) is answered with a passing
  failure — Business Central: HTTP 503 or 429 with Retry-After; Salesforce: 500
  UNKNOWN_EXCEPTION or UNABLE_TO_LOCK_ROW for the whole call — through each sandbox's own fault
  switch, drawn at random per request (seeded). The connectors are set to try each call only
  once or twice, so the outbox's own backoff does the retrying.
- permanent: a share of the corrections (default 2%) meets a refusal the system really gives —
  Business Central: a write to the read-only customer number; Salesforce: the Account was
  deleted before the push.
- conflict: 1% of the records are edited by "someone else" after approval.

Every correction must end applied, conflict or dead_letter, each non-applied one with its reason;
duplicates (records written more than once, from Business Central's per-record write counter)
and lost (not applied, or applied without the value arriving) must be 0.

    .venv/bin/python benchmarks/fault_push.py                    # 5,000 corrections per system
    .venv/bin/python benchmarks/fault_push.py --n 500 --systems business_central --json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_push import add_corrections, outcome, start_target  # noqa: E402

SYSTEMS = ("business_central", "salesforce")


def _inject(t, rate: float, rng: random.Random) -> dict[str, int]:
    """Arm the sandbox's fault switch at a random ``rate`` per API request; returns live counters."""
    fired = {"requests_faulted": 0}
    if t.system == "salesforce":
        faults = t.handle.faults
        original = faults.take

        def take(name: str) -> bool:
            if name in ("server_errors", "unable_to_lock_row") and rng.random() < rate / 2:
                fired["requests_faulted"] += 1
                return True
            return original(name)
        faults.take = take
    else:
        from workbench.sandbox.erp.faults import Shot
        faults = t.handle.faults
        original = faults.next_shot

        def next_shot():
            if rng.random() < rate:
                fired["requests_faulted"] += 1
                return Shot("rate_limit", 429, retry_after=0) if rng.random() < 0.3 else Shot("server_error", 503)
            return original()
        faults.next_shot = next_shot
    return fired


def _reason_kind(reason: Any) -> str:
    """The reason without its record-specific parts, to count reasons by kind."""
    import re
    text = str(reason or "(none)")
    text = re.sub(r"\b[0-9A-Za-z]{15,18}\b", "<id>", text)
    return re.sub(r"approved over .*", "approved over <value>, now holds <other value>", text)[:110]


def fault_run(system: str, n: int, *, transient: float = 0.10, permanent: float = 0.02, conflicts: float = 0.01,
              seed: int = 1, workdir: Path | None = None) -> dict[str, Any]:
    from workbench.corrections import service
    from workbench.corrections.outbox.push import Backoff
    from workbench.store.db import open_store
    rng = random.Random(seed)
    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="fault-push-")
        workdir = Path(tmp.name)
    opts = {"max_attempts": 1, "retry_wait_seconds": 0.05} if system == "salesforce" else {"retries": 1,
                                                                                          "backoff": 0.01}
    t = start_target(system, n, workdir, **opts)
    try:
        n = len(t.records)
        idx = list(range(n))
        rng.shuffle(idx)
        perm = set(idx[:round(n * permanent)])
        conf = set(idx[round(n * permanent):round(n * permanent) + round(n * conflicts)])
        store = open_store(f"sqlite:///{workdir / 'store.sqlite3'}")
        if system == "business_central":
            add_corrections(store, t, fields_for=lambda i: "number" if i in perm else "city",
                              to=lambda i: f"N{i:06d}" if i in perm else f"Newtown {i}",
                              from_for=lambda i, f: t.handle.store.get("customers", t.records[i][0])[0][f])
        else:
            add_corrections(store, t)
        before = {rid: t.writes(rid) for rid, _ in t.records} if t.writes else None
        for i in perm if system == "salesforce" else ():
            t.handle.delete("Account", t.records[i][0])
        for i in conf:
            rid = t.records[i][0]
            if system == "salesforce":
                t.handle.edit("Account", rid, {"BillingCity": "Edited by a rep"})
            else:
                t.handle.store.update("customers", rid, lambda d, v: {**d, "city": "Edited by a rep"})
        if before is not None:
            before = {rid: t.writes(rid) for rid, _ in t.records}
        fired = _inject(t, transient, rng)
        t0 = time.perf_counter()
        rep = service.push(store, "ann", backoff=Backoff(base=0.05, cap=1.0), max_attempts=8)
        secs = time.perf_counter() - t0
        expected = {i: (f"Newtown {i}" if i not in conf else "Edited by a rep") for i in range(n)}
        res = outcome(store, t, before, lambda i: expected[i])
        df = service.list_corrections(store)
        retried = int((df["attempts"] > 1).sum())
        kinds = df[df["state"].isin(["conflict", "dead_letter"])]["state_reason"].map(_reason_kind)
        reasons = kinds.value_counts().head(6)
        store.dispose()
    finally:
        t.stop()
        if tmp is not None:
            tmp.cleanup()
    return {"system": system, "n": n, "requests_faulted": fired["requests_faulted"],
            "corrections_retried": retried, "retries": rep.counts["retried"], "expected_permanent": len(perm),
            "expected_conflicts": len(conf), "seconds": round(secs, 1), "verified": rep.verified,
            "top_reasons": {k[:120]: int(v) for k, v in reasons.items()}, **res}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--transient", type=float, default=0.10)
    ap.add_argument("--permanent", type=float, default=0.02)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = [fault_run(s, args.n, transient=args.transient, permanent=args.permanent, seed=args.seed)
            for s in args.systems.split(",")]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{'system':<17} {'corrections':>11} {'faulted req.':>12} {'retried':>8} {'applied':>8} "
              f"{'conflict':>9} {'dead_letter':>11} {'no reason':>9} {'duplicates':>10} {'lost':>5} {'chain':>6} "
              f"{'seconds':>8}")
        for r in rows:
            st = r["states"]
            dup = "n/a" if r["duplicates"] is None else r["duplicates"]
            print(f"{r['system']:<17} {r['n']:>11,} {r['requests_faulted']:>12,} {r['corrections_retried']:>8,} "
                  f"{st.get('applied', 0):>8,} {st.get('conflict', 0):>9,} {st.get('dead_letter', 0):>11,} "
                  f"{r['without_reason']:>9} {dup:>10} {r['lost']:>5} {'ok' if r['chain_ok'] else 'BROKEN':>6} "
                  f"{r['seconds']:>8}")
        for r in rows:
            print(f"\n{r['system']}: most common reasons")
            for k, v in r["top_reasons"].items():
                print(f"  {v:>6}  {k}")
    ok = all(r["lost"] == 0 and not r["duplicates"] and r["without_reason"] == 0 and r["chain_ok"] for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
