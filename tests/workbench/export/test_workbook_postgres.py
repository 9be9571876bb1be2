"""The same run stored in PostgreSQL gives the very same workbook cells as in SQLite."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.workbench.export.test_workbook import make_run
from workbench.export.manifest import MARKER
from workbench.export.workbook import verify_workbook, write_workbook

pytestmark = pytest.mark.postgres


def test_postgres_and_sqlite_export_identical_cells(pg_store, store, tmp_path, monkeypatch):
    pg_run = make_run(pg_store, monkeypatch=monkeypatch)
    lite_run = make_run(store, monkeypatch=monkeypatch)
    assert pg_run == lite_run
    pg_info = write_workbook(pg_store, pg_run, tmp_path / "pg.xlsx")
    lite_info = write_workbook(store, lite_run, tmp_path / "lite.xlsx")
    # every sheet alike; the Cover differs only in what identifies each export
    assert pg_info.sheet_hashes[1:] == lite_info.sheet_hashes[1:]
    anchor = {"Export id", "Exported (UTC)", "Exported by", "Events at export", "Head hash at export", MARKER,
              "Sheet hash"}
    covers = [[r for r in load_workbook(tmp_path / f"{n}.xlsx", read_only=True)["Cover"].iter_rows(values_only=True)
               if not (r and r[0] in anchor)] for n in ("pg", "lite")]
    assert covers[0] == covers[1]
    rep = verify_workbook(pg_store, tmp_path / "pg.xlsx")
    assert rep.ok, rep.lines()
