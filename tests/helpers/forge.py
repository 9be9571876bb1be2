"""Forging an audit workbook the way its Cover documents: edit, then recompute the manifest by the
published rule and write it back, so the file agrees with itself."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from workbench.export.manifest import MARKER, manifest_of_file


def forge(src: Path, dst: Path, edit: Callable[[Any], None]) -> None:
    """Apply ``edit`` to the workbook, save it, then rewrite the Cover's manifest to match the cells."""
    wb = load_workbook(src, rich_text=True)
    edit(wb)
    wb.save(dst)
    total, per_sheet = manifest_of_file(dst)
    wb = load_workbook(dst, rich_text=True)
    hashes = dict(per_sheet)
    for row in wb["Cover"].iter_rows():
        if row[0].value == MARKER:
            row[1].value = total
        elif row[0].value == "Sheet hash" and row[1].value in hashes:
            row[2].value = hashes[row[1].value]
    wb.save(dst)


def rewrite_part(src: Path, dst: Path, part: str, change: Callable[[str], str]) -> None:
    """Copy the .xlsx package with one XML part changed, as a forger with a zip tool would."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                changed = change(data.decode("utf-8"))
                assert changed != data.decode("utf-8"), f"{part}: the forgery changed nothing"
                data = changed.encode("utf-8")
            zout.writestr(item, data)
