"""Named styles of the audit workbook, from the app's one palette.

Every styled cell uses a shared NamedStyle; the style arrays are built once per style
and shared by all cells that use it, so a million styled rows cost no more lookups than
a million plain ones.
"""

from __future__ import annotations

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.workbook import Workbook
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from workbench.model.money import excel_format, extra_places
from workbench.palette import palette

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def amount_format(currency: str | None, extra: int = 0) -> str:
    """Thousands separators, the currency's own decimals (JPY 0, KWD 3) and ``extra`` more, the code after
    the number: the one money presentation of ``workbench.model.money``, as a number format."""
    return excel_format(currency or None, extra)


def amount_style(currency: str | None, value: object) -> str:
    """The style name of an amount cell: its currency's, with the digits the amount has beyond the currency's
    decimals (``money.extra_places``: 96000.4 JPY shows as 96,000.4, a difference of -0.4 JPY not as -0)."""
    extra = extra_places(value, currency)
    return f"amount:{currency or ''}" + (f"+{extra}" if extra else "")


def _fill(hex_colour: str) -> PatternFill:
    c = hex_colour.lstrip("#").upper()
    return PatternFill(fill_type="solid", start_color="FF" + c, end_color="FF" + c)


class Styles:
    """Registers named styles on a workbook and hands out shareable style arrays."""

    def __init__(self, wb: Workbook, mode: str = "light"):
        self.wb = wb
        self.pal = palette(mode)
        self._arrays: dict[str, object] = {}
        self._define("wb header", font=Font(bold=True), fill=_fill(self.pal["header"]),
                     alignment=Alignment(vertical="top"))
        self._define("wb header right", font=Font(bold=True), fill=_fill(self.pal["header"]),
                     alignment=Alignment(horizontal="right", vertical="top"))
        self._define("wb wrap", alignment=Alignment(vertical="top", wrap_text=True))
        self._define("wb title", font=Font(bold=True, size=14))
        self._define("wb section", font=Font(bold=True, size=12))
        self._define("wb label", font=Font(bold=True))
        self._define("wb date", number_format=DATE_FORMAT)
        self._define("wb datetime", number_format=DATETIME_FORMAT)
        self._define("wb int", number_format="#,##0")
        self._define("wb percent", number_format="0.0%")
        self._define("wb score", number_format="0.000")
        self._define("wb link", font=Font(color="FF" + self.pal["accent"].lstrip("#").upper(), underline="single"))
        self._define("wb mono", font=Font(name="Consolas"))

    def _define(self, name: str, *, font: Font | None = None, fill: PatternFill | None = None,
                number_format: str | None = None, alignment: Alignment | None = None) -> None:
        ns = NamedStyle(name=name)
        if font is not None:
            ns.font = font
        if fill is not None:
            ns.fill = fill
        if number_format is not None:
            ns.number_format = number_format
        if alignment is not None:
            ns.alignment = alignment
        self.wb.add_named_style(ns)

    def array(self, name: str, ws: Worksheet | WriteOnlyWorksheet) -> object:
        """The style array of a named style; ``amount:EUR``, ``severity:high``, ``status:open`` are
        defined on first use (as the named styles "wb amount EUR", "wb severity high", ...)."""
        arr = self._arrays.get(name)
        if arr is None:
            style_name = self._define_lazy(name) if ":" in name else name
            probe = WriteOnlyCell(ws)
            probe.style = style_name
            # the cell's private style array is what cells share; openpyxl's stubs do not declare it
            arr = self._arrays[name] = probe._style  # type: ignore[attr-defined]
        return arr

    def _define_lazy(self, name: str) -> str:
        kind, _, key = name.partition(":")
        style_name = f"wb {kind} {key or 'none'}"
        if style_name in self.wb.named_styles:
            return style_name
        if kind == "amount":
            currency, _, extra = key.partition("+")
            self._define(style_name, number_format=amount_format(currency or None, int(extra or 0)))
        elif kind == "severity":
            self._define(style_name, fill=_fill(self.pal["severity"].get(key, self.pal["background"])))
        elif kind == "status":
            self._define(style_name, fill=_fill(self.pal["status"].get(key, self.pal["background"])))
        else:
            raise KeyError(f"no workbook style {name!r}")
        return style_name
