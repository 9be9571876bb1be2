"""What an exact money column costs: Decimal objects (what the frames hold) against the exact
alternatives in columns, on a million amounts read as text from a CSV.

    .venv/bin/python benchmarks/bench_money_columns.py [--rows 1000000]

Each representation is measured on the same work: parse the text column, compare it with a
second column (the invoice amount check), and sum it (the control totals), plus the memory the
parsed column holds. All three are exact; they differ in speed and in what the engine can use.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def texts(rows: int, seed: int) -> pa.Array:
    rng = np.random.default_rng(seed)
    cents = rng.integers(-10_000_00, 5_000_000_00, rows)
    cents[rng.random(rows) < 0.1] = 0
    return pa.array([f"{c // 100}.{c % 100:02d}" for c in cents.tolist()], type=pa.string())


def decimal_objects(a: pa.Array, b: pa.Array) -> tuple[float, float, float, int, Decimal]:
    """The connector's path (file_parse.decimals): distinct values, Decimal() each, spread back."""
    import pandas as pd

    from workbench.sources import file_parse as fp

    where = fp.Where("bench.csv", "amount")
    t = time.perf_counter()
    x = fp.decimals(pd.Series(a, dtype=pd.ArrowDtype(pa.string())), where)
    parse = time.perf_counter() - t
    del x
    tracemalloc.start()  # a second parse, traced: tracing slows it down, so it is not the one timed
    x = fp.decimals(pd.Series(a, dtype=pd.ArrowDtype(pa.string())), where)
    mem = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    y = fp.decimals(pd.Series(b, dtype=pd.ArrowDtype(pa.string())), where)
    t = time.perf_counter()
    differ = int((x != y).sum())
    compare = time.perf_counter() - t
    t = time.perf_counter()
    total = sum(x.tolist(), Decimal(0))
    add = time.perf_counter() - t
    assert differ >= 0
    return parse, compare, add, mem, total


def scaled_integers(a: pa.Array, b: pa.Array) -> tuple[float, float, float, int, Decimal]:
    """Minor units as int64 (scale 2 here; per currency in general), through Arrow's exact decimal cast."""
    t = time.perf_counter()
    x = pc.cast(pc.multiply(pc.cast(a, pa.decimal128(20, 2)), pa.scalar(Decimal(100), pa.decimal128(5, 0))),
                pa.int64()).to_numpy()
    parse = time.perf_counter() - t
    y = pc.cast(pc.multiply(pc.cast(b, pa.decimal128(20, 2)), pa.scalar(Decimal(100), pa.decimal128(5, 0))),
                pa.int64()).to_numpy()
    t = time.perf_counter()
    differ = int((x != y).sum())
    compare = time.perf_counter() - t
    t = time.perf_counter()
    total = Decimal(int(x.sum())).scaleb(-2)
    add = time.perf_counter() - t
    assert differ >= 0
    return parse, compare, add, x.nbytes, total


def arrow_decimal128(a: pa.Array, b: pa.Array) -> tuple[float, float, float, int, Decimal]:
    """Arrow decimal128 columns (fixed scale), compared and summed by Arrow kernels."""
    t = time.perf_counter()
    x = pc.cast(a, pa.decimal128(20, 2))
    parse = time.perf_counter() - t
    y = pc.cast(b, pa.decimal128(20, 2))
    t = time.perf_counter()
    differ = pc.sum(pc.not_equal(x, y)).as_py()
    compare = time.perf_counter() - t
    t = time.perf_counter()
    total = pc.sum(x).as_py()
    add = time.perf_counter() - t
    assert differ is not None
    return parse, compare, add, x.nbytes, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    a, b = texts(args.rows, 1), texts(args.rows, 2)
    print(f"{'representation':<34} {'parse s':>8} {'compare s':>10} {'sum s':>7} {'column MB':>10}  exact sum")
    totals = set()
    for name, fn in (("Decimal objects (frames today)", decimal_objects),
                     ("int64 minor units", scaled_integers),
                     ("Arrow decimal128(20, 2)", arrow_decimal128)):
        parse, compare, add, mem, total = fn(a, b)
        totals.add(total)
        print(f"{name:<34} {parse:>8.2f} {compare:>10.3f} {add:>7.3f} {mem / 1e6:>10.0f}  {total}")
    print(f"\n{args.rows:,} amounts; the three sums agree: {len(totals) == 1}")


if __name__ == "__main__":
    main()
