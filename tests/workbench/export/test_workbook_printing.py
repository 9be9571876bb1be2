"""How the audit workbook prints, read back with openpyxl: landscape, the header row on every page,
a header and footer naming the run, its period, the sheet and the page (the scale and column strips:
test_workbook_layout.py). A changed printed footer is a change a reader sees: verify names it."""

from __future__ import annotations

from tests.helpers.forge import forge
from tests.workbench.export.test_workbook import exported  # noqa: F401  # the fixture
from openpyxl import load_workbook

from workbench.export.workbook import verify_workbook

TABLES = ["Exceptions", "Corrections", "Customer links", "Unmatched CRM", "Unmatched ERP", "Close", "Audit trail",
          "Parameters"]


def test_every_sheet_prints_landscape_with_run_period_sheet_and_page(exported):  # noqa: F811
    _, rid, path, _ = exported
    wb = load_workbook(path)
    for ws in wb.worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape", ws.title
        header, footer = ws.oddHeader, ws.oddFooter
        assert header.left.text == f"Recon Workbench audit workbook — run {rid}: October close", ws.title
        assert header.right.text == "Period 2026-10", ws.title
        assert footer.left.text == "&A" and footer.right.text == "Page &P of &N", ws.title
    for name in TABLES:
        assert wb[name].print_title_rows == "$1:$1", name  # the header row on every printed page
    assert wb["Cover"].print_title_rows is None


def test_a_changed_printed_footer_is_named_by_verify(exported, tmp_path):  # noqa: F811
    store, _, path, _ = exported
    forged = tmp_path / "forged.xlsx"

    def edit(wb):
        wb["Exceptions"].oddFooter.left.text = "Draft — not for audit"
    forge(path, forged, edit)
    rep = verify_workbook(store, forged)
    text = "\n".join(rep.lines())
    assert not rep.ok and rep.file_edited and not rep.store_changed, text
    assert "sheet 'Exceptions': printed header or footer changed" in text and "Draft" in text
