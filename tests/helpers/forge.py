"""Forging an audit workbook the way its Cover documents: edit, then recompute the manifest by the
published rule and write it back, so the file agrees with itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from workbench.audit.manifest import MARKER, manifest_of_file


def forge(src: Path, dst: Path, edit: Callable[[Any], None]) -> None:
    """Apply ``edit`` to the workbook, save it, then rewrite the Cover's manifest to match the cells."""
    wb = load_workbook(src)
    edit(wb)
    wb.save(dst)
    total, per_sheet = manifest_of_file(dst)
    wb = load_workbook(dst)
    hashes = dict(per_sheet)
    for row in wb["Cover"].iter_rows():
        if row[0].value == MARKER:
            row[1].value = total
        elif row[0].value == "Sheet hash" and row[1].value in hashes:
            row[2].value = hashes[row[1].value]
    wb.save(dst)
