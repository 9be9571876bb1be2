"""Ledger probe: does the engine's invoice, payment, order and price comparison tie out on records as real
extracts carry them?

    PYTHONPATH=. python -m benchmarks.ledger_probe [-v]

Prints per case class how many cases meet the controller's expectation, then each miss: expected vs got.
"""

from __future__ import annotations

import sys
from collections import defaultdict

from .cases import ALL
from .harness import norm, run


def main() -> int:
    verbose = "-v" in sys.argv
    per: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for build in ALL:
        for case in build():
            try:
                got, problems, _ = run(case)
            except Exception as e:  # a probe reports a crash as a miss
                got, problems = [], [f"crash: {type(e).__name__}: {e}"]
            want = norm(case.expect)
            ok = got == want and not problems
            per[case.cls][0] += int(ok)
            per[case.cls][1] += 1
            if not ok or verbose:
                misses.append((case, want, got, problems, ok))
    print(f"{'class':34} {'ok':>4} {'cases':>6}")
    for cls, (good, n) in per.items():
        print(f"{cls:34} {good:>4} {n:>6}")
    tot_ok, tot = sum(v[0] for v in per.values()), sum(v[1] for v in per.values())
    print(f"{'all':34} {tot_ok:>4} {tot:>6}\n")
    for case, want, got, problems, passed in misses:
        print(f"[{'ok' if passed else 'MISS'}] {case.cls} / {case.name}")
        print(f"    expected {want}\n    got      {got}")
        for p in problems:
            print(f"    {p}")
        if case.why:
            print(f"    why: {case.why}")
    return 0 if tot_ok == tot else 1


if __name__ == "__main__":
    raise SystemExit(main())
