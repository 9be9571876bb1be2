"""python -m benchmarks.variations [CLASS ...] [--out DIR] [--details] [--jobs N]

Run the variation probe (all classes, or the ones named) through the workbench CLI and print one row
per set (class x mode) with its score and a total row. A measurement, not a gate: exit 0 whatever the
scores; 1 when a run itself fails, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from benchmarks.variations import harness
from benchmarks.variations.harness import SCORE_FIELDS, SIZE_FIELDS, SetResult

COLUMNS = (*SIZE_FIELDS, *SCORE_FIELDS)


def table(results: list[SetResult]) -> str:
    """One row per set, the score fields as columns, and the total of every column."""
    head = f"{'class':<12}{'mode':<7}" + "".join(f"{c:>{len(c) + 2}}" for c in COLUMNS)
    lines = [head]
    for r in results:
        lines.append(f"{r.cls:<12}{r.mode:<7}" + "".join(f"{r.score[c]:>{len(c) + 2}}" for c in COLUMNS))
    lines.append(f"{'total':<19}" + "".join(f"{sum(r.score[c] for r in results):>{len(c) + 2}}" for c in COLUMNS))
    return "\n".join(lines)


def _cell(v: Any) -> str:
    return "-" if v is None else str(v)


def details(results: list[SetResult]) -> str:
    """Each set's listed cases: wrong, missed and suggested-only links, false and missed differences."""
    lines = []
    for r in results:
        lines.append(f"{r.name}: {len(r.details)} listed")
        lines.extend(f"  {d[0]:<16}{' | '.join(_cell(v) for v in d[1:])}" for d in r.details)
    return "\n".join(lines)


def measured_code() -> str:
    """Which code was measured: the checkout's HEAD and the last commit that changed workbench/."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(harness.ROOT), *args], capture_output=True, text=True,
                              check=True).stdout.strip()
    try:
        head = git("rev-parse", "--short", "HEAD")
        engine = git("log", "-1", "--format=%h", "--", "workbench")
        dirty = git("status", "--porcelain", "--", "workbench")
    except (OSError, subprocess.CalledProcessError):
        return "code: not a git checkout"
    return (f"code: HEAD {head}, workbench/ last changed in {engine}"
            + (" (with uncommitted changes)" if dirty else ""))


def main(argv: list[str] | None = None) -> int:
    try:
        from benchmarks.variations import cases
    except ModuleNotFoundError as exc:
        if exc.name != "faker":
            raise
        print("variations: error: Faker is not installed (it is in the test extras: "
              ".venv/bin/pip install -e '.[test]')", file=sys.stderr)
        return 2
    ap = argparse.ArgumentParser(prog="python -m benchmarks.variations",
                                 description=__doc__.strip().split("\n\n")[1])
    ap.add_argument("classes", nargs="*", metavar="CLASS",
                    help=f"variation classes to run (default: all): {', '.join(cases.PLAN)}")
    ap.add_argument("--out", type=Path, metavar="DIR",
                    help="keep each set's files, store, links, exceptions and score in DIR/<class>_<mode> "
                         "(default: a temporary directory, removed afterwards)")
    ap.add_argument("--details", action="store_true",
                    help="after the table, list each set's wrong, missed and suggested-only links and its false "
                         "and missed differences")
    ap.add_argument("--jobs", type=int, default=1, metavar="N",
                    help="run N sets side by side (default 1; each set is its own workbench processes and store)")
    args = ap.parse_args(argv)
    unknown = [c for c in args.classes if c not in cases.PLAN]
    if unknown:
        ap.error(f"unknown class {', '.join(unknown)} (choose from {', '.join(cases.PLAN)})")
    classes = list(dict.fromkeys(args.classes)) or list(cases.PLAN)

    t = time.perf_counter()
    built = {cls: cases.cases(cls) for cls in classes}  # here, not in the workers: Faker's state is shared
    sets = [(cls, mode) for cls in classes for mode in cases.PLAN[cls]]
    try:
        where = nullcontext(str(args.out)) if args.out else tempfile.TemporaryDirectory(prefix="variations-")
        with where as out, ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            def one(cls: str, mode: str) -> SetResult:
                r = harness.run_set(Path(out), cls, mode, built[cls])
                print(f"{r.name:<20}{r.seconds:6.1f} s", file=sys.stderr, flush=True)
                return r
            results = list(pool.map(lambda s: one(*s), sets))
    except (harness.ProbeError, OSError) as exc:  # the run itself failed: no measurement
        print(f"variations: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("variations: interrupted", file=sys.stderr)
        return 130

    print(f"Variation probe: {len(results)} sets, {measured_code()}")
    print()
    print(table(results))
    if args.details:
        print()
        print(details(results))
    if args.out:
        print(f"\n(files, stores and score.json per set in {args.out})")
    print(f"({time.perf_counter() - t:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
