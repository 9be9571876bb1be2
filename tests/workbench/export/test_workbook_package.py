"""The .xlsx package as Excel reads it, part by part: what Excel refuses or "repairs" on opening is
absent. Sheet names (at most 31 characters, none of []:*?/\\, unique in any case, not 'History'),
defined names (only each sheet's own print titles), tables (names valid and unique in the workbook,
column names unique and equal to their header cells, the range inside the sheet), hyperlinks to
sheets that exist, headers and footers within 255 characters, text within 32,767 characters, no
formula anywhere (ECMA-376 Part 1 §18.2.19, §18.2.6, §18.5.1.2, §18.3.1.46; Excel's limits).
Checked on a workbook whose long sheets continue on numbered sheets ('Exceptions (2)')."""

from __future__ import annotations

import re
import zipfile
from xml.etree import ElementTree as ET

import pytest
from openpyxl.utils import get_column_letter, range_boundaries

from tests.workbench.export.test_workbook import make_run
from workbench.export.workbook import write_workbook

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
TABLE_NAME = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.]{0,254}$")
CELL_LIKE = re.compile(r"^([A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*|[RrCc])$")


@pytest.fixture
def package(store, tmp_path, monkeypatch):
    import workbench.export.workbook as wbmod
    monkeypatch.setattr(wbmod, "SHEET_ROWS", 8)  # Exceptions continue on 'Exceptions (2)', '(3)'
    rid = make_run(store, extra=7, monkeypatch=monkeypatch)
    path = tmp_path / "audit.xlsx"
    write_workbook(store, rid, path)
    with zipfile.ZipFile(path) as z:
        yield {n: z.read(n) for n in z.namelist()}


def _rels(parts: dict[str, bytes], part: str) -> dict[str, str]:
    folder, _, name = part.rpartition("/")
    rels = parts.get(f"{folder}/_rels/{name}.rels")
    if rels is None:
        return {}
    out = {}
    for r in ET.fromstring(rels).findall("rel:Relationship", NS):
        target = r.get("Target", "")
        out[r.get("Id", "")] = target.lstrip("/") if target.startswith("/") else \
            f"{folder}/{target}".replace("xl/worksheets/../", "xl/")
    return out


def test_every_part_is_well_formed_xml(package):
    for name, data in package.items():
        if name.endswith((".xml", ".rels")):
            ET.fromstring(data)  # raises on a malformed part


def test_sheet_names_and_defined_names_are_what_excel_accepts(package):
    book = ET.fromstring(package["xl/workbook.xml"])
    names = [s.get("name") or "" for s in book.findall("m:sheets/m:sheet", NS)]
    assert "Exceptions (2)" in names
    for n in names:
        assert 1 <= len(n) <= 31 and not set(n) & set("[]:*?/\\") and n[0] != "'" and n[-1] != "'", n
        assert n.lower() != "history", n
    assert len({n.lower() for n in names}) == len(names)
    for d in book.findall("m:definedNames/m:definedName", NS):
        assert d.get("name") == "_xlnm.Print_Titles", d.get("name")
        sheet = names[int(d.get("localSheetId", "-1"))]
        for ref in (d.text or "").split(","):
            quoted, _, area = ref.rpartition("!")
            assert quoted == f"'{sheet}'" and re.fullmatch(r"\$[A-Z]+:\$[A-Z]+|\$\d+:\$\d+", area), ref


def _cells(sheet_xml: bytes) -> dict[str, str | None]:
    out = {}
    for c in ET.fromstring(sheet_xml).iter(f"{{{NS['m']}}}c"):
        assert c.find("m:f", NS) is None, c.get("r")  # values only: nothing to recompute
        text = "".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t"))
        assert len(text) <= 32_767, c.get("r")
        v = c.find("m:v", NS)
        out[c.get("r", "")] = text if c.get("t") == "inlineStr" else (v.text if v is not None else None)
    return out


def test_tables_hyperlinks_and_printed_headers_are_what_excel_accepts(package):
    book = ET.fromstring(package["xl/workbook.xml"])
    book_rels = _rels(package, "xl/workbook.xml")
    sheets = {s.get("name"): book_rels[s.get(f"{{{NS['r']}}}id", "")] for s in book.findall("m:sheets/m:sheet", NS)}
    table_names: set[str] = set()
    tables = 0
    for name, part in sheets.items():
        ws = ET.fromstring(package[part])
        cells = _cells(package[part])
        rels = _rels(package, part)
        for hf in ws.iter():
            if hf.tag.split("}")[1] in ("oddHeader", "oddFooter", "evenHeader", "evenFooter"):
                assert len(hf.text or "") <= 255, (name, hf.tag)
        for link in ws.findall("m:hyperlinks/m:hyperlink", NS):
            target = (link.get("location") or "").rpartition("!")[0].strip("'")
            assert target in sheets, (name, link.get("location"))
        for tp in ws.findall("m:tableParts/m:tablePart", NS):
            table = ET.fromstring(package[rels[tp.get(f"{{{NS['r']}}}id", "")]])
            tables += 1
            tname = table.get("displayName") or ""
            assert table.get("name") == tname and TABLE_NAME.match(tname) and not CELL_LIKE.match(tname), tname
            assert tname.lower() not in table_names, tname
            table_names.add(tname.lower())
            min_col, min_row, max_col, max_row = range_boundaries(table.get("ref", ""))
            assert (min_col, min_row) == (1, 1) and max_row >= 2 and max_row <= 1_048_576, (name, table.get("ref"))
            columns = [c.get("name") or "" for c in table.findall("m:tableColumns/m:tableColumn", NS)]
            assert len(columns) == max_col and len({c.lower() for c in columns}) == len(columns), (name, columns)
            header = [cells.get(f"{get_column_letter(i)}1") for i in range(1, max_col + 1)]
            assert header == columns, (name, header, columns)
    assert tables == len(sheets) - 2  # every sheet but the Cover and Summary is a table
