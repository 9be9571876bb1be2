"""python -m benchmarks.corpus OUT_DIR [--customers 2000] [--seed 1] [--erp business_central|odoo]"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from benchmarks.corpus import ERPS, generate


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.corpus", description=__doc__)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--customers", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--erp", choices=ERPS, default="business_central")
    args = ap.parse_args()
    t = time.perf_counter()
    paths = generate(args.out_dir, args.customers, args.seed, args.erp)
    print(f"{args.customers:,} customers ({args.erp}) in {time.perf_counter() - t:.1f} s: {paths['config']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
