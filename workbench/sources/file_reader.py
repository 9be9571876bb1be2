"""Read one CSV or XLSX extract into a frame of text cells, refusing what isn't one.

Everything comes back as ``str`` (never float) so amounts stay exact; blank cells are "".
Before parsing, the first bytes are sniffed so binary junk, a workbook saved as .csv or
a file in an unexpected encoding is refused at once with a one-line reason, instead
of being parsed row by row.

A first line ``sep=;`` (Excel's delimiter line, see ``sep_line``) names the delimiter: the line is
skipped and still counted, so every row named is the file's own line; so is DATEV's format line
(``"EXTF";700;...``), which describes the batch above the header.

CSV is read strictly (RFC 4180): a row with fewer or more cells than the header, a quoted
cell that never closes or a quote inside an unquoted cell is refused naming its row, never
read as empty cells or kept as part of a value. An .xlsx formula whose result Excel did
not save is refused rather than read as an empty cell.
"""

from __future__ import annotations

import codecs
import csv
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.errors import InputError
from workbench.sources import sep_line

SNIFF_BYTES = 64 * 1024
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls
_SCAN_BLOCK = 1 << 23
_QUOTE = ord('"')
_EQUALS = ord("=")
# Excel's text formula: ="00123", a quote inside written twice
_TEXT_FORMULA = re.compile(r'^="(?:[^"]|"")*"$')
_BAD_QUOTE = ("a quote that does not open or close a cell",
              ("cells holding a delimiter, quote or line break written in quotes, with a quote inside a cell "
               "written twice (\"\")"))
_FORMULA = re.compile(rb"<f[ >/]")
_XLSX, _ZIP = "an Excel workbook", "a zip archive"
_SAVE_AS = "a CSV file or an .xlsx workbook (save it as \"Excel Workbook (*.xlsx)\", or unzip an archive)"
_RECALCULATE = re.compile(rb'<calcPr\b[^>]*\bfullCalcOnLoad="(?:1|true)"')
# DATEV's format: row 1 describes the file ("EXTF" from other programs, "DTVF" from DATEV's own; its version,
# category, the batch's fiscal year ...), row 2 holds the column names
_DATEV_LINE = re.compile(r'"?(?:EXTF|DTVF)"?;')
# Excel 2003's XML spreadsheet, which web exports (NetSuite's "Export - Excel") save as .xls
_XML_SHEET = "an Excel 2003 XML spreadsheet"
# a line of dashes (with the list's | or + at its ends), as an SAP list printout writes between its rows
_RULE_LINE = re.compile(r"[|+]?-{5,}[-|+]*")
# lines looked at above the header for such a line
_TITLE_LINES = 20
# what an XLSX cell held, beside its text (Table.cells)
NUMBER, DATETIME, DATE = 1, 2, 3


@dataclass
class Table:
    """An extract read: its text cells, and what the text alone does not tell."""

    frame: pd.DataFrame
    # the file row (first line = 1, as a spreadsheet counts) of each data row, when blank lines or rows
    # were skipped; None: row = index + header_row + 1
    rows: np.ndarray | None = None
    # XLSX: per column, what each cell held where it was no text: NUMBER (Excel stored a number,
    # written here as its shortest exact text, never subject to decimal_comma), DATETIME (a date
    # with a time of day) or DATE; columns without such cells are left out
    cells: dict[str, np.ndarray] = field(default_factory=dict)
    sheet: str | None = None  # XLSX: the sheet read
    sheets: list[str] = field(default_factory=list)  # XLSX: every sheet of the workbook, in order
    hidden: list[str] = field(default_factory=list)  # XLSX: the sheets Excel does not show
    # the file row of the header: 1, or below the blank lines, empty rows or Excel's delimiter line above it
    header_row: int = 1
    # XLSX: the first value right of the header, refused once the columns are known to be the header's (a report's
    # title read as the header is named as such first)
    beyond: InputError | None = None

    def file_rows(self) -> np.ndarray:
        """The file row of each data row."""
        if self.rows is not None:
            return self.rows
        return np.arange(len(self.frame), dtype=np.int64) + self.header_row + 1


def read_table(path: Path, *, sheet: str | None = None, delimiter: str | None = None,
               encoding: str | None = None, date_format: str = "%Y-%m-%d",
               header_only: bool = False) -> pd.DataFrame:
    """The extract as text cells with its header row as columns (file rows: ``read_extract``)."""
    return read_extract(path, sheet=sheet, delimiter=delimiter, encoding=encoding, date_format=date_format,
                        header_only=header_only).frame


def read_extract(path: Path, *, sheet: str | None = None, delimiter: str | None = None,
                 encoding: str | None = None, date_format: str = "%Y-%m-%d",
                 date_formats: Mapping[str, str | list[str]] | None = None, header_only: bool = False) -> Table:
    """The extract as text cells with its header row as columns, and each data row's file row.

    ``date_format``, ``date_formats`` (per column, the first of a list): how a workbook's date cells are written,
    so the column's own format reads them back."""
    if not path.exists():
        raise InputError("file not found", file=str(path), expected="an extract exported from the source system")
    if path.is_dir():
        raise InputError("is a folder, not a file", file=str(path))
    if not path.is_file():  # a device (/dev/zero, /dev/random) never ends; a pipe blocks until someone writes
        raise InputError("is a device, pipe or socket, not a file", file=str(path),
                         expected="an extract saved as a file")
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if not head.strip():
        raise InputError("the file is empty", file=str(path), expected="a header row followed by data rows")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _no_repeated_header(path, _read_xlsx(path, head, sheet, date_format, date_formats or {}, header_only))
    if head.startswith(_ZIP_MAGIC):
        package = _package(path)
        raise InputError(f"is {package}, not CSV text", file=str(path),
                         expected="a .csv file, or name the workbook .xlsx in the config" if package == _XLSX
                         else _SAVE_AS)
    if head.startswith(_OLE_MAGIC):
        raise InputError("is a legacy Excel .xls or other binary file", file=str(path),
                         expected="CSV text or an .xlsx workbook")
    enc = _check_text(path, head, encoding)
    text = head.decode(enc, errors="replace")
    _not_a_list(path, text)
    named = sep_line.named_delimiter(text, str(path))
    if named is not None and delimiter is not None and delimiter != named:
        raise InputError(f"the file's first line {sep_line.first_line(text)!r} names the delimiter {named!r}, the "
                         f"config's delimiter = {delimiter!r}", file=str(path), row=1,
                         expected="one delimiter: leave delimiter out of the config (the file's line names it), or "
                                  "correct the file's first line")
    # Excel's delimiter line or DATEV's format line, above the header: skipped, but counted as row 1
    skip = 0 if named is None and not _DATEV_LINE.match(text.removeprefix("\ufeff")) else 1
    sep = delimiter or named or _sniff_delimiter(head, enc)
    lead = _leading_blank_lines(text, skip)
    header_row = skip + lead + 1
    header = _read_pandas(path, sep, enc, nrows=0, skip=skip)
    header.columns = [str(c).strip() for c in header.columns]
    if named is not None and len(header.columns) == 1:
        # the header's line with its quoted cells left out: a delimiter there splits it ("Amount, EUR" in quotes does
        # not)
        bare = re.sub(r'"[^"]*"', "", text.removeprefix("\ufeff").splitlines()[skip + lead] if text else "")
        other = next((d for d in ";\t|," if d != named and d in bare), None)
        if other is not None:
            # an export tool writing a fixed "sep=," above rows its locale delimits with ";"
            raise InputError(f"Excel's delimiter line {sep_line.first_line(text)!r} names the delimiter {named!r}, "
                             f"but the header is delimited by {other!r}", file=str(path), row=1,
                             expected=f"the line naming the header's delimiter (sep={other}), or no such line")
    _check_header(path, list(header.columns), header_row)
    if header_only:
        return Table(header, header_row=header_row)
    width = len(header.columns)
    bytewise = _bytewise(enc) and sep.isascii()
    # a line ends with LF (or CRLF); a classic Mac's file (Excel for Mac's "CSV (Macintosh)") with CR alone
    # (a line break inside a quoted cell of such a file is an LF, as Excel writes it: the ending used most decides)
    crlf = head.count(b"\r\n")
    newline = 13 if head.count(b"\r") - crlf > head.count(b"\n") - crlf else 10
    blank_rows: list[int] = []
    # The quote scan reads the file while Arrow parses it: numpy lets go of the GIL over each block,
    # so on a second core it costs the read next to nothing (a million quoted rows: ~0.3 s otherwise).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="quote-scan") as pool:
        scan = pool.submit(_scan, path, sep, newline) if bytewise else None
        try:
            frame = _read_arrow(path, sep, enc, list(header.columns), skip + lead)
        except Exception:
            blank_rows = _check_rows(path, sep, enc, width, skip)
            # Arrow refused something the strict reader accepts: the slower parser reads it
            frame = _read_pandas(path, sep, enc, skip=skip).astype("str")
            frame.columns = list(header.columns)
        scanned = scan.result() if scan is not None else None
    if scanned is not None:
        bad, lines = scanned
        if bad is not None:
            at, unclosed = bad
            raise InputError("unbalanced quote (a quoted cell never closes)" if unclosed
                             else f"malformed quote ({_BAD_QUOTE[0]})", file=str(path),
                             row=_record_at(path, at, newline), expected=_BAD_QUOTE[1])
        if lines > skip + 1 + len(frame) and not blank_rows:
            # more lines than the delimiter line, the header and the rows read: blank lines, or line breaks
            # inside quoted cells; only then is the file read again for the blank lines' rows
            blanks = _blank_lines(path, newline)
            blank_rows = _records_at(path, blanks, newline) if blanks else []
    if not bytewise:
        blank_rows = _check_rows(path, sep, enc, width, skip)
    unwrap_text_formulas(frame)
    return _no_repeated_header(path, Table(frame, _data_rows(len(frame), blank_rows, skip) if blank_rows else None,
                                           header_row=header_row))


def unwrap_text_formulas(frame: pd.DataFrame) -> None:
    """Each cell written as Excel's text formula, ="00123", becomes the text it stands for, 00123 (a quote inside
    written twice, as in any formula's text). Exports meant for Excel write codes so to keep their leading zeros
    (Excel shows the formula's result, and would read a plain 00123 as the number 123); the value is exact."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for c in frame.columns:
        cells = pa.array(frame[c], from_pandas=True)
        if not pc.any(pc.starts_with(cells, '="')).as_py():
            continue  # the usual column: one pass in C
        hit = pc.match_substring_regex(cells, _TEXT_FORMULA.pattern).fill_null(False).to_numpy(zero_copy_only=False)
        if hit.any():
            values = frame[c].to_numpy(dtype=object, copy=True)
            values[hit] = [v[2:-1].replace('""', '"') for v in values[hit]]
            frame[c] = pd.Series(values, index=frame.index, dtype=frame[c].dtype)


def _no_repeated_header(path: Path, table: Table) -> Table:
    """Refuses a data row that repeats the header: a page header, as SAP's list exports and printed reports
    saved as files repeat it on every page. Read as a record, it would stop the run at a puzzling value
    ("unknown currency code: got 'Currency'") or, in a file of text columns, pass as one."""
    import pyarrow as pa
    import pyarrow.compute as pc

    frame = table.frame
    named = [c for c in frame.columns if not c.startswith("Unnamed:")]
    if not len(frame) or not named:
        return table
    hit = np.ones(len(frame), dtype=bool)
    for c in named:  # the first column rules nearly every row out; the others are compared only while rows remain
        cells = pa.array(frame[c], from_pandas=True)  # Arrow's kernels: a million rows in a few tens of ms
        hit &= np.asarray(pc.equal(pc.utf8_lower(pc.utf8_trim_whitespace(cells)), c.lower()), dtype=bool)
        if not hit.any():
            return table
    raise InputError("the row repeats the header (a page header of a report)", file=str(path),
                     row=int(table.file_rows()[int(np.argmax(hit))]),
                     expected="one header row: export the list without page headers, or delete the row")


def _data_rows(n: int, blank_rows: list[int], skip: int = 0) -> np.ndarray:
    """The file row of each of ``n`` data rows read, given the rows (first line = 1) that were blank lines
    and the ``skip`` lines read before the header (Excel's delimiter line, the file's first)."""
    every = np.arange(1, skip + n + len(blank_rows) + 2, dtype=np.int64)
    kept = every[~np.isin(every, np.asarray(blank_rows, dtype=np.int64))]
    return kept[skip + 1:skip + n + 1]  # the first line that is not blank (and not skipped) is the header


def _leading_blank_lines(text: str, skip: int = 0) -> int:
    """Blank lines above the header, below the ``skip`` lines before them (Arrow's skip_rows counts them,
    the header's reader does not)."""
    n = 0
    for line in text.removeprefix("\ufeff").splitlines(keepends=True)[skip:]:
        if line.strip("\r\n"):
            break
        n += 1
    return n


def _check_rows(path: Path, sep: str, enc: str, width: int, skip: int = 0) -> list[int]:
    """Reads the file as strict CSV and raises on the first row that is not one record of ``width`` cells;
    returns the rows (first line = 1) that are blank lines, which the readers skip. The first ``skip``
    rows (Excel's delimiter line) are counted, not checked."""
    row = 0
    header_seen = False
    blanks: list[int] = []
    try:
        with path.open(encoding=enc, newline="") as fh:
            for cells in csv.reader(fh, delimiter=sep, strict=True):
                row += 1
                if row <= skip:
                    continue
                if not cells:
                    blanks.append(row)  # a blank line: skipped, but a row as a spreadsheet counts them
                    continue
                if len(cells) != width and header_seen:
                    what = "a truncated or broken row" if len(cells) < width else "check quoting and the delimiter"
                    if len(cells) == 1 and _RULE_LINE.fullmatch(cells[0].strip()):
                        what = "a line of dashes, as an SAP list printout separates its rows: delete such lines"
                    if width == 1 and len(cells) > 1:
                        what += "; is the first line a report title above the header row? export without it"
                    raise InputError(f"has {len(cells)} cells where the header has {width} ({what})",
                                     file=str(path), row=row, expected="one cell per header column")
                header_seen = True
    except csv.Error as exc:
        unclosed = "end of data" in str(exc) or "EOF" in str(exc)
        raise InputError("unbalanced quote (a quoted cell never closes)" if unclosed
                         else f"unbalanced quote ({_BAD_QUOTE[0]})", file=str(path), row=row + 1,
                         expected=_BAD_QUOTE[1]) from None
    except UnicodeDecodeError as exc:
        raise _encoding_error(path, enc, None if enc == "utf-8-sig" else enc, None, exc) from None
    return blanks


def _bytewise(enc: str) -> bool:
    """True when quotes, delimiters and line breaks are single bytes that never occur inside a character."""
    if enc.lower().replace("_", "-") in ("utf-8-sig", "utf-8", "utf8"):
        return True
    try:
        return len(bytes(range(256)).decode(enc, errors="replace")) == 256 and b'"' == '"'.encode(enc)
    except LookupError:
        return False


def _scan(path: Path, sep: str, newline: int = 10) -> tuple[tuple[int, bool] | None, int]:
    """(the first quote strict CSV does not allow as (byte offset, never closed), or None; the number
    of lines, which tells the reader whether any were blank lines it skipped).

    Counting quotes from the start of the file tells each one's role: an even-numbered quote
    opens a cell, so it follows a delimiter, a line break or another quote (the second of a
    doubled pair); an odd-numbered one closes it, so a delimiter, a line break or another
    quote follows. An opening quote may also follow an equals sign that starts a cell: Excel's
    text formula ="00123", which exports meant for Excel write to keep a code's leading zeros
    (``unwrap_text_formulas`` reads the value). Scanned in numpy blocks, so a million-row file
    costs a fraction of a second.
    """
    edge = np.zeros(256, dtype=bool)
    edge[list((sep + '\r\n"').encode("ascii"))] = True
    starts = np.zeros(256, dtype=bool)  # what comes before a cell
    starts[list((sep + "\r\n").encode("ascii"))] = True
    # two bytes of context before each block: an opening quote's equals sign and what precedes it
    before, offset, seen, last_open, breaks = bytes([newline, newline]), 0, 0, 0, 0
    with path.open("rb") as fh:
        block = fh.read(_SCAN_BLOCK)
        if block.startswith(codecs.BOM_UTF8):
            block, offset = block[len(codecs.BOM_UTF8):], len(codecs.BOM_UTF8)
        while block:
            following = fh.read(_SCAN_BLOCK)
            # context on each side, so quotes at the block's edges see their neighbours
            buf = np.frombuffer(before + block + (following[:1] or b"\n"), dtype=np.uint8)
            q = np.flatnonzero(buf[2:-1] == _QUOTE) + 2
            if len(q):
                opens, closes = q[seen % 2::2], q[1 - seen % 2::2]
                formula = (buf[opens - 1] == _EQUALS) & starts[buf[opens - 2]]
                bad_open, bad_close = ~edge[buf[opens - 1]] & ~formula, ~edge[buf[closes + 1]]
                if bad_open.any() or bad_close.any():
                    first = min(int(opens[np.argmax(bad_open)]) if bad_open.any() else len(buf),
                                int(closes[np.argmax(bad_close)]) if bad_close.any() else len(buf))
                    return (offset + first - 2, False), 0
                last_open = offset + int(opens[-1]) - 2 if len(opens) else last_open
                seen += len(q)
            breaks += int(np.count_nonzero(buf[2:-1] == newline))
            before, offset, block = (before + block)[-2:], offset + len(block), following
    lines = breaks + (before[-1] != newline)  # a last line without a line break is a line too
    return ((last_open, True) if seen % 2 else None), lines


def _blank_lines(path: Path, newline: int = 10) -> list[int]:
    """Byte offsets of the line breaks that end blank lines outside quoted cells; read in blocks, only
    for a file whose lines outnumber its rows (blank lines, or line breaks inside quoted cells)."""
    tail = bytes([newline, newline])  # the bytes before the block: the file starts as if after a line break
    blanks: list[int] = []
    offset, quotes = 0, 0
    with path.open("rb") as fh:
        # a byte order mark (Excel's "CSV UTF-8") comes before the first line: a line break right after it
        # ends a blank first line
        if fh.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8:
            offset = len(codecs.BOM_UTF8)
        else:
            fh.seek(0)
        while block := fh.read(_SCAN_BLOCK):
            w = np.frombuffer(tail + block, dtype=np.uint8)
            # a line break right after another one (or after "\r" right after one) ends a blank line
            at = np.flatnonzero((w[2:] == newline) & ((w[1:-1] == newline)
                                                      | ((w[1:-1] == 13) & (w[:-2] == 10) & (newline == 10))))
            q = np.flatnonzero(w[2:] == _QUOTE)
            # outside quoted cells: an even number of quotes before it
            outside = (quotes + np.searchsorted(q, at)) % 2 == 0
            blanks += (offset + at[outside]).tolist()
            quotes, offset, tail = quotes + len(q), offset + len(block), (tail + block)[-2:]
    return blanks


def _records_at(path: Path, offsets: list[int], newline: int = 10) -> list[int]:
    """The row (first line = 1) of each byte offset: line breaks outside quotes end a row. Read in blocks,
    only for a file with blank lines."""
    targets = np.asarray(sorted(offsets), dtype=np.int64)
    out: list[int] = []
    breaks, quotes, start = 0, 0, 0
    with path.open("rb") as fh:
        while len(out) < len(targets):
            block = fh.read(_SCAN_BLOCK)
            if not block:
                break
            arr = np.frombuffer(block, dtype=np.uint8)
            nl = np.flatnonzero(arr == newline)
            q = np.flatnonzero(arr == _QUOTE)
            nl = nl[(quotes + np.searchsorted(q, nl)) % 2 == 0] + start
            mine = targets[(targets >= start) & (targets < start + len(block))]
            out += (breaks + np.searchsorted(nl, mine) + 1).tolist()
            breaks, quotes, start = breaks + len(nl), quotes + len(q), start + len(block)
    return out


def _record_at(path: Path, offset: int, newline: int = 10) -> int:
    """The row (first line = 1) holding byte ``offset``: line breaks outside quotes end a row."""
    data = np.fromfile(path, dtype=np.uint8, count=offset)
    breaks = np.flatnonzero(data == newline)
    quotes = np.flatnonzero(data == _QUOTE)
    outside = np.searchsorted(quotes, breaks) % 2 == 0
    return int(outside.sum()) + 1


def _read_pandas(path: Path, sep: str, enc: str, nrows: int | None = None, skip: int = 0) -> pd.DataFrame:
    """``skip``: lines above the header to pass over (Excel's delimiter line); the lines its errors
    name still count them."""
    try:
        return pd.read_csv(path, dtype=object, keep_default_na=False, na_filter=False, sep=sep, encoding=enc,
                           engine="c", nrows=nrows, skiprows=skip)
    except UnicodeDecodeError as exc:
        raise _encoding_error(path, enc, None if enc == "utf-8-sig" else enc, None, exc) from None
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty", file=str(path), expected="a header row followed by data rows") from None
    except pd.errors.ParserError as exc:
        m = re.search(r"line (\d+), saw (\d+)", str(exc))
        if m:
            raise InputError(f"has {m.group(2)} cells where the header has fewer", file=str(path),
                             row=int(m.group(1)), expected="one cell per header column (check quoting and the "
                             f"delimiter {sep!r})") from None
        raise InputError(f"is not readable CSV ({exc})", file=str(path)) from None


def _read_arrow(path: Path, sep: str, enc: str, columns: list[str], lead: int = 0) -> pd.DataFrame:
    """Arrow's multi-threaded CSV reader, all columns as text (2-3x faster than pandas' C parser).
    ``lead``: lines above the header (Excel's delimiter line, blank lines), which Arrow counts among the
    rows to skip."""
    import pyarrow as pa
    import pyarrow.csv as pc

    # the lines above the header hold no quotes and are skipped as lines; the header itself as a record, which
    # skip_rows_after_names reads as the parser does (a header cell written over two lines is one record)
    ro = pc.ReadOptions(column_names=columns, skip_rows=lead, skip_rows_after_names=1, block_size=1 << 24,
                        encoding="utf8" if enc == "utf-8-sig" else enc)
    po = pc.ParseOptions(delimiter=sep, newlines_in_values=True)
    co = pc.ConvertOptions(column_types={c: pa.string() for c in columns}, strings_can_be_null=False,
                           quoted_strings_can_be_null=False)
    table = pc.read_csv(path, read_options=ro, parse_options=po, convert_options=co)
    # Arrow-backed text columns: trimming, matching and comparing then run in C
    frame: pd.DataFrame = table.to_pandas()
    frame.columns = columns
    return frame


def _check_text(path: Path, head: bytes, declared: str | None) -> str:
    """The encoding to read with; refuses binary content and undecodable text early."""
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if utf16 and declared is not None and not declared.lower().replace("_", "-").startswith("utf-16"):
        raise InputError(f"is UTF-16 text (it starts with UTF-16's byte order mark), not {declared} as the config says",
                         file=str(path), expected='encoding = "utf-16" in the config (or leave encoding out)')
    # Excel's "Unicode Text" (.txt, tab-delimited) and SAP's unicode exports: the byte order mark tells UTF-16, and
    # which byte order, without doubt
    enc = declared or ("utf-16" if utf16 else "utf-8")
    if enc.lower().replace("_", "-") in ("utf-8", "utf8"):
        enc = "utf-8-sig"  # accepts the BOM Excel writes and plain UTF-8 alike
    if not enc.lower().startswith("utf-16"):
        nul = head.find(b"\x00")
        if nul >= 0:
            codec = _utf16_without_mark(head)
            if codec is not None:
                order = "little-endian" if codec.endswith("le") else "big-endian"
                raise InputError(f"is UTF-16 text ({order}) without its byte order mark", file=str(path),
                                 expected=f'encoding = "{codec}" in the config')
            raise InputError(f"is binary, not CSV text (a NUL byte at byte {nul})", file=str(path),
                             expected="a CSV text export")
    try:
        sample = head
        # a multi-byte character may be cut at the end of the sample
        codecs.getincrementaldecoder(enc)().decode(sample, final=False)
    except (UnicodeDecodeError, LookupError) as exc:
        if isinstance(exc, LookupError):
            raise InputError(f"unknown encoding {declared!r} in the config", file=str(path),
                             expected="a Python codec name such as utf-8, cp1252, latin-1") from None
        raise _encoding_error(path, enc, declared, head, exc) from None
    if declared and not enc.lower().startswith("utf") and _bytewise(enc) and _is_utf8(head):
        raise _not_declared(path, head, enc)
    if len(head) == SNIFF_BYTES and b"\n" not in head and b"\r" not in head:
        raise InputError("is not CSV text (no line break in the first 64 KB, so no header row)", file=str(path),
                         row=1, expected="a CSV export with a header row")
    if _looks_like_junk(head, enc):
        raise InputError("is not CSV text (mostly control or unprintable characters)", file=str(path),
                         expected="a CSV text export")
    return enc


def _not_a_list(path: Path, text: str) -> None:
    """Refuses text that is no delimited list: an HTML page or Excel 2003's XML spreadsheet, which web exports and
    SAP's ALV save under an .xls name for Excel to open, and an SAP list printout, whose rows lie between lines of
    dashes (read as CSV, the first of those would be the header)."""
    start = text.removeprefix("\ufeff").lstrip()[:2048].lower()
    markup = next((what for tag, what in (("<?mso-application", _XML_SHEET), ("<workbook", _XML_SHEET),
                                          ("<html", "an HTML page"), ("<!doctype html", "an HTML page"),
                                          ("<table", "an HTML table"))
                   if tag in start), None)
    if markup is None and start.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in start:
        markup = _XML_SHEET
    if markup is not None:
        raise InputError(f"is {markup}, not CSV text (a web or SAP export saved for Excel to open)", file=str(path),
                         expected='a CSV file or an .xlsx workbook (open it in Excel and save it as "Excel Workbook '
                                  '(*.xlsx)", or export the list as CSV)')
    for row, line in enumerate(text.removeprefix("\ufeff").splitlines()[:_TITLE_LINES], start=1):
        if _RULE_LINE.fullmatch(line.strip()):
            raise InputError("a line of dashes, as an SAP list printout separates its rows",
                             file=str(path), row=row,
                             expected="a list exported as a spreadsheet or as unconverted text with a header row "
                                      "and no separator lines (or delete those lines)")
        if line.strip():
            break


def _utf16_without_mark(head: bytes) -> str | None:
    """The codec of UTF-16 text without its byte order mark (SAP writes it so: code page 4103 unless told to
    write the mark), told by the NUL bytes of its Latin letters, digits and delimiters: every second byte of
    little-endian text, every first of big-endian."""
    sample = np.frombuffer(head[:4096 - 4096 % 2], dtype=np.uint8)
    if len(sample) < 8:
        return None
    first, second = sample[0::2] == 0, sample[1::2] == 0
    if second.mean() > 0.9 and first.mean() < 0.1:
        return "utf-16-le"
    if first.mean() > 0.9 and second.mean() < 0.1:
        return "utf-16-be"
    return None


def _is_utf8(head: bytes) -> bool:
    """Whether the sample is UTF-8 beyond ASCII: its byte order mark, or multi-byte sequences that all decode
    (text in a single-byte code page such as cp1252 almost never does: "ü" there is one byte, 0xFC)."""
    if head.startswith(codecs.BOM_UTF8):
        return True
    if head.isascii():
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _not_declared(path: Path, head: bytes, enc: str) -> InputError:
    """A UTF-8 file under a declared single-byte encoding: read so, "Müller" would become "MÃ¼ller"."""
    text = head.decode("utf-8", errors="ignore").removeprefix("\ufeff")
    sample = next((ch for ch in text if not ch.isascii()), None)
    shown = (f" ({sample!r} would read as {sample.encode().decode(enc, errors='replace')!r})"
             if sample is not None else " (it starts with UTF-8's byte order mark)")
    return InputError(f"is UTF-8 text, not {enc} as the config says{shown}", file=str(path),
                      expected='encoding = "utf-8" in the config (or leave encoding out)')


def _looks_like_junk(head: bytes, enc: str) -> bool:
    text = head.decode(enc, errors="replace")
    if not text:
        return False
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\r\n\t") or ch == "\ufffd")
    return bad > len(text) * 0.02


def _encoding_error(path: Path, enc: str, declared: str | None, head: bytes | None,
                    exc: UnicodeDecodeError) -> InputError:
    row = None
    if head is not None:
        row = head[:exc.start].count(b"\n") + 1
    else:  # the parser only knows its chunk offset: find the line (error path only)
        with path.open("rb") as fh:
            for n, line in enumerate(fh, start=1):
                try:
                    line.decode(enc)
                except UnicodeDecodeError:
                    row = n
                    break
    want = declared or "UTF-8"
    hint = "" if declared else " (or set encoding = \"cp1252\" / the file's encoding in the config)"
    return InputError(f"is not {want} text (undecodable byte {exc.object[exc.start:exc.start + 1]!r})",
                      file=str(path), row=row, expected=f"{want}{hint}")


def _sniff_delimiter(head: bytes, enc: str) -> str:
    """The delimiter the header uses most: the first line that is not blank (SAP's spreadsheet export and others
    leave a blank line above it)."""
    first = next((line for line in head.decode(enc, errors="replace").splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _check_header(path: Path, cols: list[str], row: int = 1, renamed: bool = True) -> None:
    """``row``: the header's row in the file. ``renamed``: the CSV reader renamed a repeated name (Total.1), so
    two names alike after their spaces were cut differed only by those; a workbook's names come as written."""
    if not cols or all(not c or c.startswith("Unnamed:") for c in cols):
        raise InputError("has no header row", file=str(path), row=row, expected="column names in the first row")
    seen: set[str] = set()
    for c in cols:
        base = re.sub(r"\.\d+$", "", c)
        if c in seen:
            why = " (once with spaces around its name)" if renamed else ""
            raise InputError(f"the header repeats a column{why}", file=str(path), row=row, column=c,
                             expected="each column name once")
        if base in seen and base != c:
            raise InputError("the header repeats a column", file=str(path), row=row, column=base,
                             expected="each column name once")
        seen.add(c)


def _read_xlsx(path: Path, head: bytes, sheet: str | None, date_format: str,
               date_formats: Mapping[str, str | list[str]], header_only: bool) -> Table:
    if not head.startswith(_ZIP_MAGIC):
        raise InputError("is not an Excel workbook (an .xlsx file is a zip package; this one is not)",
                         file=str(path), expected="a workbook saved from Excel as .xlsx, or a CSV file")
    import openpyxl
    from openpyxl.utils import get_column_letter
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        package = _package(path)
        if package not in (_XLSX, _ZIP):
            raise InputError(f"is {package}, not an .xlsx workbook", file=str(path), expected=_SAVE_AS) from None
        why = {"BadZipFile": "a damaged or truncated package", "KeyError": "a zip package without a workbook"}
        raise InputError(f"is not a readable Excel workbook ({why.get(type(exc).__name__, 'unreadable')})",
                         file=str(path),
                         expected="a workbook saved from Excel as .xlsx") from None
    formulas = None
    has_formulas, placeholders = _formulas(path)
    if has_formulas:
        # a second, formula view of the same sheet tells a formula without a saved result from an empty cell
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise InputError(f"has no sheet {sheet!r}", file=str(path),
                             expected=f"one of {', '.join(wb.sheetnames)}")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        names = list(wb.sheetnames)
        hidden = [w.title for w in wb.worksheets if getattr(w, "sheet_state", "visible") != "visible"]
        rows = _all_rows(ws)
        shown = _all_rows(formulas[ws.title]) if formulas else None
        # empty rows above the header are skipped; rows are counted as Excel numbers them
        at, header = 0, None
        for header in rows:
            at += 1
            if shown is not None:
                next(shown, None)
            if header is not None and any(v is not None and str(v).strip() for v in header):
                break
        if header is None or all(v is None or not str(v).strip() for v in header):
            raise InputError("the sheet is empty", file=str(path), row=1,
                             expected=f"a header row followed by data rows (sheet {ws.title!r} was read"
                                      + (f"; the workbook also has {_quoted(n for n in names if n != ws.title)}"
                                         if len(names) > 1 else "") + ")")
        width = len(header)
        while width and header[width - 1] is None:
            width -= 1
        # a column without a name (a report's spacer column) is named as the CSV reader names one: "Unnamed: 3"
        cols = [str(v).strip() if v is not None and str(v).strip() else f"Unnamed: {i}"
                for i, v in enumerate(header[:width])]
        if len(cols) == 1 and sep_line.looks_like(cols[0]):
            # a CSV's delimiter line kept as a row by a spreadsheet that read the file (LibreOffice) and saved it
            raise InputError(f"the sheet's first row holds Excel's delimiter line {cols[0]!r}, above the header",
                             file=str(path), row=at, expected="the header in the sheet's first row: delete that row")
        _check_header(path, cols, at, renamed=False)
        # a date cell is written in its column's format: a column declared "%d/%m/%Y" reads 31/10/2026 back
        formats = [_first(date_formats.get(c, date_format)) for c in cols]
        data: list[list[str]] = []
        file_rows: list[int] = []
        kinds: list[list[int]] = []
        typed = False
        beyond: InputError | None = None
        if not header_only:
            for n, r in enumerate(rows, start=at + 1):
                if shown is not None:
                    _check_results(path, n, r[:width], next(shown, ()), cols, placeholders)
                if width == 1 and any(v is not None and str(v).strip() for v in r[1:]):
                    # read as the header, a report's title would leave every other column of the sheet out
                    raise InputError(f"the header row holds one cell, {cols[0]!r}, but row {n} has more",
                                     file=str(path), row=at, expected="the header in the sheet's first row: "
                                     "delete the rows above it (a report's title or filters)")
                j = next((j for j in range(width, len(r)) if r[j] is not None and str(r[j]).strip()), None)
                if j is not None and beyond is None:
                    # a CSV row with more cells than the header is refused; a sheet's would lose the value unseen
                    beyond = InputError(f"a value in column {get_column_letter(j + 1)}, right of the header (its "
                                        f"last column is {get_column_letter(width)}, {cols[-1]!r})", file=str(path),
                                        row=n, got=str(r[j]),
                                        expected="every value under a named column: name the column in the header, "
                                                 "or delete the cells right of the table")
                values = r[:width]
                cells = [_cell_text(v, f) for v, f in zip(values, formats)]
                if len(cells) < width:
                    cells += [""] * (width - len(cells))
                if any(cells):
                    data.append(cells)
                    file_rows.append(n)
                    kind = [_cell_kind(v) for v in values]
                    kind += [0] * (width - len(kind))
                    typed = typed or any(kind)
                    kinds.append(kind)
    finally:
        wb.close()
        if formulas is not None:
            formulas.close()
    frame = pd.DataFrame(data, columns=cols, dtype=object) if data else pd.DataFrame(columns=cols, dtype=object)
    typed_cells: dict[str, np.ndarray] = {}
    if typed:
        grid = np.asarray(kinds, dtype=np.int8)
        typed_cells = {c: grid[:, i] for i, c in enumerate(cols) if grid[:, i].any()}
    return Table(frame.astype("str"), np.asarray(file_rows, dtype=np.int64), typed_cells, ws.title, names, hidden,
                 header_row=at, beyond=beyond)


def _all_rows(ws: Any) -> Iterator[tuple[object, ...]]:
    """Every row of a sheet, whatever range its dimension claims. The reader trusts a sheet's stated dimension
    (<dimension ref="A1:H2"/>), and writers other than Excel often state a wrong one (A1, or the range before
    the rows were added): read by it, columns and rows beyond it would be left out without a word (openpyxl's
    documentation, "Read-only mode": reset the dimensions)."""
    ws.reset_dimensions()
    rows: Iterator[tuple[object, ...]] = ws.iter_rows(values_only=True)
    return rows


def _first(fmt: str | list[str]) -> str:
    return fmt if isinstance(fmt, str) else fmt[0]


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(repr(n) for n in names)


def _package(path: Path) -> str:
    """What a zip package is, told by the parts that name its format (error path only)."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "xl/workbook.xml" in names:
                return _XLSX
            if "xl/workbook.bin" in names:
                return "an Excel binary workbook (.xlsb)"
            if "mimetype" in names and b"opendocument.spreadsheet" in zf.read("mimetype"):
                return "an OpenDocument spreadsheet (.ods)"
    except (zipfile.BadZipFile, OSError):
        pass
    return _ZIP


def _formulas(path: Path) -> tuple[bool, bool]:
    """(whether a sheet holds formulas, whether their saved results are placeholders: the workbook asks for every
    formula to be recalculated on opening, <calcPr fullCalcOnLoad="1"/>, as writers that do not calculate save
    it; XlsxWriter stores 0 as each result, openpyxl none. Excel drops the flag when it saves the workbook.)"""
    try:
        with zipfile.ZipFile(path) as zf:
            found = any(_FORMULA.search(zf.read(n)) for n in zf.namelist()
                        if n.startswith("xl/worksheets/") and n.endswith(".xml"))
            book = zf.read("xl/workbook.xml") if found and "xl/workbook.xml" in zf.namelist() else b""
    except (zipfile.BadZipFile, OSError):
        return False, False  # the workbook reader reports the damage
    return found, _RECALCULATE.search(book) is not None


def _check_results(path: Path, row: int, values: tuple[object, ...], shown: tuple[object, ...],
                   cols: list[str], placeholders: bool) -> None:
    for i, v in enumerate(values):
        f = shown[i] if i < len(shown) else None
        if (v is None or placeholders) and isinstance(f, str) and f.startswith("="):
            why = ("a formula without a saved result" if v is None else
                   "a formula whose saved result is a placeholder (the workbook asks for its formulas to be "
                   "calculated when opened: a program that does not calculate them wrote it)")
            raise InputError(why, file=str(path), row=row, column=cols[i] if i < len(cols) else None, got=f,
                             expected="the value: open and save the workbook in Excel (which stores each "
                                      "formula's result), or paste the cells as values")


def _cell_text(v: object, date_format: str) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        # Excel holds numbers as doubles and shows them to 15 significant digits; it saves a computed one with all
        # 17 (=B2*3 of 1234.56 as 3703.6800000000003), whose last digits are the double's noise, not the amount
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else f"{v:.15g}"
    if isinstance(v, datetime):
        # a time of day is kept, written as the same export's CSV writes it (Odoo: "2025-12-31 23:59:59")
        return v.strftime(date_format) if v.time() == time(0) else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.strftime(date_format)
    return str(v)


def _cell_kind(v: object) -> int:
    """NUMBER for a cell Excel stored as a number, DATETIME for a date with a time of day, DATE for a date, else 0."""
    if isinstance(v, bool):
        return 0
    if isinstance(v, (int, float)):
        return NUMBER
    if isinstance(v, datetime) and v.time() != time(0):
        return DATETIME
    if isinstance(v, date):
        return DATE
    return 0
