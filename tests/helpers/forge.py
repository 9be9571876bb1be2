"""Forging an audit workbook the way its Cover documents: edit, then recompute the manifest by the
published rule and write it back, so the file agrees with itself."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
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


def with_shared_strings(src: Path, dst: Path, write: Callable[[Any], None]) -> None:
    """Copy the package adding a shared-strings part (registered, so readers load it) streamed by ``write``:
    a part of gigabytes can be written while the file on disk stays small (a zip bomb)."""
    sst = ("<Relationship Id=\"rIdSST\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
           "relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>")
    override = ("<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-"
                "officedocument.spreadsheetml.sharedStrings+xml\"/></Types>")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", sst.encode())
            elif item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", override.encode())
            zout.writestr(item, data)
        info = zipfile.ZipInfo("xl/sharedStrings.xml", date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with zout.open(info, "w", force_zip64=True) as out:
            out.write(b'<?xml version="1.0" encoding="UTF-8"?>'
                      b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            write(out)
            out.write(b"</sst>")


def with_member(src: Path, dst: Path, name: str, data: bytes) -> None:
    """Copy the package with the member ``name`` set to ``data`` (added if new), as a zip tool would."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            if item.filename != name:
                zout.writestr(item, zin.read(item.filename))
        zout.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)


def only_the_look_betrays(store: Any, src: Path, dst: Path, part: str, change: Callable[[str], str]) -> str:
    """``src`` with one package part rewritten into ``dst``, verified: the report must say the file was edited
    while every value is as exported (the manifest the same); its text, for the part it must name."""
    from workbench.export.workbook import verify_workbook
    rewrite_part(src, dst, part, change)
    rep = verify_workbook(store, dst)
    text = "\n".join(rep.lines())
    assert not rep.ok and rep.file_edited and not rep.store_changed, text
    assert rep.manifest_file == rep.manifest_recorded  # every value as exported: only the look betrays it
    return text


def exported_workbook(base: Path) -> Iterator[tuple[Any, Path]]:
    """A store in ``base`` with one small run, and its audit workbook as exported by maria: (store, path); the
    store is let go after the caller's last use (yield from it in a fixture)."""
    from tests.workbench.export.test_workbook import make_run
    from workbench.export.workbook import write_workbook
    from workbench.store.db import open_store
    store = open_store(f"sqlite:///{base / 'store.sqlite3'}")
    try:
        path = base / "audit.xlsx"
        write_workbook(store, make_run(store), path, user="maria")
        yield store, path
    finally:
        store.dispose()
