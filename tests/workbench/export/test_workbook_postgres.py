"""The same run stored in PostgreSQL gives the very same workbook cells as in SQLite."""

from __future__ import annotations

import pytest

from tests.workbench.export.test_workbook import make_run
from workbench.export.workbook import verify_workbook, write_workbook

pytestmark = pytest.mark.postgres


def test_postgres_and_sqlite_export_identical_cells(pg_store, store, tmp_path, monkeypatch):
    pg_run = make_run(pg_store, monkeypatch=monkeypatch)
    lite_run = make_run(store, monkeypatch=monkeypatch)
    assert pg_run == lite_run
    pg_info = write_workbook(pg_store, pg_run, tmp_path / "pg.xlsx")
    lite_info = write_workbook(store, lite_run, tmp_path / "lite.xlsx")
    assert pg_info.sheet_hashes == lite_info.sheet_hashes
    assert pg_info.manifest == lite_info.manifest
    rep = verify_workbook(pg_store, tmp_path / "pg.xlsx")
    assert rep.ok, rep.lines()
