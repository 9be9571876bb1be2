"""The presentation fingerprint: what a reader sees besides the values, read from the package."""

from __future__ import annotations

import json

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from workbench.export.presentation import KEEP, differences, fingerprint


def _book(path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Data"
    for r in range(1, 301):
        ws.append([r, f"name {r}", r * 10])
        ws.cell(r, 3).number_format = "#,##0"
    ws.protection.sheet = True
    wb.save(path)


def test_a_resave_that_keeps_the_look_has_no_differences_and_the_fingerprint_is_json(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    _book(a)
    load_workbook(a).save(b)
    fa = fingerprint(a)
    assert json.loads(json.dumps(fa)) == fa  # stored as JSON in the export record
    assert differences(fa, fingerprint(b, fa)) == []


def test_many_hidden_rows_are_counted_in_full_and_named_up_to_a_limit(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    _book(a)
    wb = load_workbook(a)
    for r in range(2, 202):
        wb["Data"].row_dimensions[r].hidden = True
    wb.save(b)
    found = fingerprint(b, fingerprint(a))
    assert found["sheets"]["Data"]["rows"]["n"] == 200 and len(found["sheets"]["Data"]["rows"]["items"]) == KEEP
    lines = differences(fingerprint(a), found)
    assert lines == [("sheet 'Data': hidden or resized rows changed (now: row 2: hidden=1; row 3: hidden=1; "
                      "row 4: hidden=1; row 5: hidden=1; row 6: hidden=1 …)")]


def test_a_cell_reformatted_is_named_with_what_it_now_shows(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    _book(a)
    wb = load_workbook(a)
    wb["Data"]["C7"].number_format = "0.00"
    wb["Data"]["B9"].font = Font(color="FFFFFFFF", sz=1)
    wb.save(b)
    exported = fingerprint(a)
    lines = differences(exported, fingerprint(b, exported))
    assert lines == [
        ("Data!C7: a number cell shown with number format '0.00'; font colour theme 1 size 11 "
         "(the export never shows this column that way)"),
        ("Data!B9: a text cell shown with number format 'General'; font colour FFFFFFFF size 1 "
         "(the export never shows this column that way)")]


def test_the_shared_strings_are_streamed_not_read_whole(tmp_path):
    import tracemalloc

    from tests.helpers.forge import with_shared_strings
    a, big = tmp_path / "a.xlsx", tmp_path / "big.xlsx"
    _book(a)

    def write(out) -> None:  # 16 MiB of distinct strings: packs about 10 to 1, within every limit
        for i in range(0, 600_000, 1_000):
            out.write(b"".join(b"<si><t>text %d</t></si>" % (i + j) for j in range(1_000)))
        out.write(b"<si><r><rPr><color rgb=\"FFFFFFFF\"/></rPr><t>white</t></r></si>")

    with_shared_strings(a, big, write)
    tracemalloc.start()
    try:
        found = fingerprint(big)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, f"fingerprint held {peak:,} bytes"
    assert found["sheets"]["Data"]["cells"] == fingerprint(a)["sheets"]["Data"]["cells"]  # no cell uses them
