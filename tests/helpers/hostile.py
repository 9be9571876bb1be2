"""Builders for hostile input: a copy of a shipped example, mutated one way, run through the CLI.

Each builder edits the copy in place the way a broken export or a mistyped config would
(truncated rows, unbalanced quotes, blank cells, formula cells, case-twin headers, typos).
``run_cli`` runs ``workbench run --config`` in-process and reports the exit code, the error
line and what the store kept, so a test can say "refused clearly" or "accepted correctly".
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shutil
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
BC_CONFIG = "salesforce_dataloader_business_central.toml"
ERP_INVOICES = Path("data/business_central/salesInvoices.csv")
CRM_INVOICES = Path("data/salesforce_dataloader/blng__Invoice__c.csv")


def example_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped Business Central example; returns its run config."""
    dst = tmp_path / "example"
    shutil.copytree(EXAMPLES, dst)
    return dst / BC_CONFIG


# ---- CSV files ------------------------------------------------------------------------------------

def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(path: Path, rows: list[list[str]], quote_all: bool = False) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\n").writerows(rows)


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Row as a spreadsheet counts it (header = 1)."""
    rows = read_rows(path)
    rows[row - 1][rows[0].index(column)] = value
    write_rows(path, rows, quote_all=path.read_text(encoding="utf-8-sig").startswith('"'))


def rename_header(path: Path, old: str, new: str) -> None:
    rows = read_rows(path)
    rows[0][rows[0].index(old)] = new
    write_rows(path, rows)


def drop_column(path: Path, column: str) -> None:
    rows = read_rows(path)
    i = rows[0].index(column)
    write_rows(path, [r[:i] + r[i + 1:] for r in rows])


def truncate_last_row(path: Path, keep_cells: int) -> None:
    """The last row cut after ``keep_cells`` cells, as an interrupted export leaves it."""
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    lines[-1] = ",".join(lines[-1].split(",")[:keep_cells])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def edit_line(path: Path, row: int, old: str, new: str) -> None:
    """Replace text on one physical line (header = 1): unbalanced or stray quotes."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert old in lines[row - 1], f"{old!r} not on line {row} of {path.name}"
    lines[row - 1] = lines[row - 1].replace(old, new, 1)
    path.write_text("\n".join(lines), encoding="utf-8")


def to_bytes(path: Path, encoding: str, bom: bytes = b"", newline: str = "\n") -> None:
    text = path.read_text(encoding="utf-8")
    path.write_bytes(bom + text.replace("\n", newline).encode(encoding))


# ---- xlsx -----------------------------------------------------------------------------------------

def csv_to_xlsx(path: Path, formulas: dict[tuple[int, str], str | None] | None = None) -> Path:
    """The CSV as a one-sheet workbook beside it; ``formulas`` puts a formula (or nothing) in (row, column) cells.

    openpyxl writes formulas without a saved result, as a script or a web export does.
    """
    import openpyxl

    rows = read_rows(path)
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    for (row, column), formula in (formulas or {}).items():
        ws.cell(row=row, column=rows[0].index(column) + 1).value = formula
    out = path.with_suffix(".xlsx")
    wb.save(out)
    return out


def save_formula_results(xlsx: Path, results: dict[str, str]) -> None:
    """Store a result for each formula cell ("B2" -> "11900"), as Excel does when it saves (dropping the
    workbook's request to calculate every formula on opening, which openpyxl writes)."""
    with zipfile.ZipFile(xlsx) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = parts[sheet].decode("utf-8")
    for ref, value in results.items():
        xml, hits = re.subn(rf'(<c r="{ref}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?', rf"\1\2<v>{value}</v>", xml)
        assert hits == 1, f"no formula cell {ref}"
    parts[sheet] = xml.encode("utf-8")
    parts["xl/workbook.xml"] = re.sub(rb'\s*fullCalcOnLoad="1"', b"", parts["xl/workbook.xml"])
    with zipfile.ZipFile(xlsx, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)


# ---- the run config -------------------------------------------------------------------------------

def replace_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def add_line_after(path: Path, anchor: str, line: str) -> None:
    replace_text(path, anchor, f"{anchor}\n{line}")


# ---- running it -----------------------------------------------------------------------------------

@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    runs: list[tuple[int, str, str | None]]  # (id, status, error) of every stored run
    latest: int | None  # the latest completed run
    exceptions: Counter[str]  # exception types of the latest completed run

    @property
    def error(self) -> str:
        return self.stderr.strip()


def run_cli(config: Path | str, tmp_path: Path) -> Outcome:
    """``workbench run --config`` in this process, against a fresh SQLite store."""
    from workbench.cli import main
    from workbench.store import repo
    from workbench.store.db import open_store
    from workbench.store.schema import ExceptionRow, Run

    db = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", "--config", str(config), "--db", db])
    store = open_store(db)
    try:
        latest = repo.latest_run_id(store)
        with store.session() as s:
            runs = [(r.id, r.status, r.error) for r in s.execute(select(Run).order_by(Run.id)).scalars()]
            types = Counter(s.execute(select(ExceptionRow.type).where(ExceptionRow.run_id == latest)).scalars()) \
                if latest else Counter()
    finally:
        store.dispose()
    return Outcome(code, out.getvalue(), err.getvalue(), runs, latest, types)
