"""How each sheet of the audit workbook prints: landscape, one page wide, the header row on
every page, and a header and footer naming the run, its period, the sheet and "Page x of y".

An auditor archives the workbook as PDF; without these settings LibreOffice and Excel print a
wide sheet column strip by column strip (the Cover's labels on page 1, their values pages later).
Header and footer codes as ECMA-376 Part 1 §18.3.1.46 (&A sheet name, &P page, &N pages).
"""

from __future__ import annotations

from typing import Any

from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from workbench.export.excel_safe import cell_text

HEADER_MAX = 255  # characters Excel keeps of each header or footer


def _escaped(text: str) -> str:
    # a lone & would start a formatting code; a control character (from a run's name) is no valid XML
    return cell_text(text).replace("&", "&&")


def titles(run: dict[str, Any]) -> tuple[str, str]:
    """(left of the header, right of the header): which workbook and which run."""
    name = str(run.get("name") or "").strip()
    left = f"Recon Workbench audit workbook — run {run['id']}" + (f": {name}" if name else "")
    period = run.get("period")
    right = f"Period {period}" if period else f"As of {run.get('as_of') or '—'}"
    return _escaped(left[:120]), _escaped(str(right)[:60])


def set_up_page(ws: Any, run: dict[str, Any], *, table: bool = False, one_page: bool = False) -> None:
    """Print settings of one sheet; call before its first row is written (write-only sheets
    write their properties first). ``table``: repeat row 1; ``one_page``: fit on one page."""
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    setup = ws.page_setup
    setup.orientation = "landscape"
    setup.fitToWidth = 1
    setup.fitToHeight = 1 if one_page else 0  # 0: as many pages tall as the rows need
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.7, bottom=0.7, header=0.3, footer=0.3)
    if table:
        ws.print_title_rows = "1:1"
    left, right = titles(run)
    hf = ws.HeaderFooter
    hf.oddHeader.left.text = left
    hf.oddHeader.right.text = right
    hf.oddFooter.left.text = "&A"
    hf.oddFooter.right.text = "Page &P of &N"
