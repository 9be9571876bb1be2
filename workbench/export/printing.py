"""How each sheet of the audit workbook prints: landscape at a scale a person can read, the header
row on every page, the first column on every page when a sheet is wider than one page, and a header
and footer naming the run, its period, the sheet and "Page x of y".

An auditor archives the workbook as PDF. Fitting a wide sheet to one page wide printed the
Exceptions and Corrections sheets at 20-30% (2-3 point text); forcing the Cover onto one page did
the same to its hundred rows. Instead each sheet prints at a fixed scale, no less than
``MIN_SCALE`` per cent, chosen as large as the fewest page widths allow; a wider sheet prints in
column strips, page order across then down, so a row's continuation is on the next page, its first
column (the id or label) repeated on each. Header and footer codes as ECMA-376 Part 1 §18.3.1.46
(&A sheet name, &P page, &N pages); column widths in units of the default font's digit, 7 pixels at
96 dpi (§18.3.1.13), i.e. 5.25 points.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from workbench.export.excel_safe import cell_text

HEADER_MAX = 255  # characters Excel keeps of each header or footer
MIN_SCALE = 70  # per cent: 11-point text prints at 7.7 points, still readable
SIDE_MARGIN = 0.4  # inches
# US Letter landscape (narrower than A4) between the side margins, in points, less 2% for rounding
PRINTABLE_WIDTH = (11 - 2 * SIDE_MARGIN) * 72 * 0.98
POINTS_PER_WIDTH = 5.25


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


def strips(widths: Sequence[float], scale: int) -> int:
    """How many pages wide a sheet of these column widths prints at ``scale`` per cent: columns
    fill a page left to right, each page after the first starting with the repeated first column."""
    room = PRINTABLE_WIDTH * 100 / scale
    pts = [w * POINTS_PER_WIDTH for w in widths if w > 0]
    if not pts:
        return 1
    repeat = pts[0]
    pages, used = 1, 0.0
    for p in pts:
        if used and used + p > room:
            pages, used = pages + 1, repeat
        used += p
    return pages


def print_scale(widths: Sequence[float]) -> tuple[int, int]:
    """(scale in per cent, pages wide): the largest scale from 100 down to ``MIN_SCALE`` that prints
    the sheet on as few page widths as ``MIN_SCALE`` does. Hidden columns have width 0."""
    fewest = strips(widths, MIN_SCALE)
    for scale in range(100, MIN_SCALE - 1, -1):
        if strips(widths, scale) == fewest:
            return scale, fewest
    return MIN_SCALE, fewest  # (not reached: MIN_SCALE itself qualifies)


def set_up_page(ws: Any, run: dict[str, Any], widths: Sequence[float], *, table: bool = False) -> None:
    """Print settings of one sheet; call before its first row is written (write-only sheets
    write their properties first). ``widths``: the printed column widths (0 for a hidden
    column); ``table``: repeat row 1 on every page."""
    scale, wide = print_scale(widths)
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    setup = ws.page_setup
    setup.orientation = "landscape"
    setup.scale = scale
    setup.pageOrder = "overThenDown"  # a row's continuation prints on the next page
    m = SIDE_MARGIN
    ws.page_margins = PageMargins(left=m, right=m, top=0.7, bottom=0.7, header=0.3, footer=0.3)
    if table:
        ws.print_title_rows = "1:1"
    if wide > 1:
        ws.print_title_cols = "A:A"  # the id (or the Cover's label) beside every column strip
    left, right = titles(run)
    hf = ws.HeaderFooter
    hf.oddHeader.left.text = left
    hf.oddHeader.right.text = right
    hf.oddFooter.left.text = "&A"
    hf.oddFooter.right.text = "Page &P of &N"
