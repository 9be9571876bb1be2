"""benchmarks/bench_run.py at a tiny size: every step runs and the table has the issue's rows.

Only the table's shape is checked (never timings: the machine is shared)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STEPS = ["pyarrow read of the 8 CSV extracts", "files connector: pull both sides",
         "engine alone on the pulled extracts", "workbench run end to end, SQLite",
         "workbench run end to end, PostgreSQL", "app opens the run", "re-run, 1% of ERP invoices changed",
         "sandboxes, 300 customers: forced full re-run", "sandboxes: incremental re-run, 1% of records changed"]
ROW = re.compile(r"(?P<step>.+?) +(?P<seconds>\d+\.\d|-) +(?P<cpu>\d+\.\d|-) +(?P<peak>[\d,]+|-) +(?P<store>-?[\d,]+|-)"
                 r"(?:  (?P<target>.*))?")
MEASURED = {"pyarrow read", "files connector", "engine alone", "workbench run end to end, SQLite",
            "app opens the run", "re-run, 1%"}  # the sandboxes' rows give seconds, not CPU


def test_bench_run_prints_every_step_with_numbers(tmp_path):
    skip_pg = os.environ.get("WORKBENCH_SKIP_PG", "").strip() not in ("", "0", "false", "no")
    cmd = [sys.executable, str(ROOT / "benchmarks" / "bench_run.py"), "--size", "120", "--data", str(tmp_path / "d"),
           "--incremental-size", "300"]
    res = subprocess.run(cmd + (["--skip-pg"] if skip_pg else []), capture_output=True, text=True, cwd=ROOT,
                         timeout=900)
    assert res.returncode == 0, res.stderr[-2000:]
    lines = res.stdout.splitlines()
    assert lines[0].split()[:1] == ["step"] and "seconds" in lines[0] and "peak MiB" in lines[0]
    table = lines[1:1 + len(STEPS)]
    assert [next((s for s in STEPS if ln.startswith(s)), None) for ln in table] == STEPS
    rows = {}
    for ln in table:
        m = ROW.fullmatch(ln)
        assert m, ln
        rows[next(s for s in STEPS if ln.startswith(s))] = m
        if any(ln.startswith(s) for s in MEASURED):
            assert m["seconds"] != "-" and m["cpu"] != "-", ln
    assert rows["workbench run end to end, SQLite"]["peak"] != "-"
    if sys.platform.startswith("linux"):  # read from /proc: the pull's peak and what the extracts hold
        pull = rows["files connector: pull both sides"]
        assert pull["peak"] != "-" and re.fullmatch(r"[\d,]+ MiB held after the pull", pull["target"] or "")
    assert rows["workbench run end to end, SQLite"]["store"] != "-"  # the store's growth
    assert re.fullmatch(r"[\d,]+ API calls", rows["sandboxes, 300 customers: forced full re-run"]["target"] or "")
    inc = rows["sandboxes: incremental re-run, 1% of records changed"]
    assert inc["seconds"] != "-" and re.fullmatch(
        r"[\d,]+ API calls; \d+% of the time and \d+% of the calls \(target ≤ 10%\); counting each \$batch as "
        r"its inner requests [\d,]+ operations, \d+%; same exceptions as the full re-run: yes",
        inc["target"] or ""), inc.group(0)
    pg = rows["workbench run end to end, PostgreSQL"]
    assert (pg["seconds"] == "-") == skip_pg
    assert any(ln.startswith("ratio: workbench run (SQLite) / (pyarrow read + engine)") for ln in lines)
    # the corpus is kept and reused at the same size
    assert (tmp_path / "d" / "run.toml").exists()
