"""Excel's delimiter line: a first line ``sep=;`` above a CSV file's header, naming the file's delimiter.

Tools that export CSV for Excel (ERP reports, web exports, scripts) write it so Excel splits the
columns whatever the list separator of the user's Windows region; Excel reads it, hides it and
takes the next line as the first row. Every reader of a CSV file a user gives honours it the
same way: the delimiter it names is the file's, the line is skipped, and rows keep the file's own
line numbers (the line is line 1, the header line 2).

What Excel and LibreOffice do with it. Microsoft documents no such line; what is known comes from
the tools that write and read it:

- Excel honours ``sep=`` and the one character after it, on the file's first line only, nothing
  else on the line ("It's just sep= followed by the separator", tspence/csharp-csv-reader#28), in
  any case (``SEP=,``; python/cpython#109644).
- Excel never writes it: none of its CSV save formats adds the line (PowerShell/PowerShell#7776).
- After a UTF-8 byte order mark Excel still honours the line, but then reads the text in the
  Windows code page instead of UTF-8 (Belphemur/vue-json-csv#43, alexcaza/export-to-csv#119): the
  BOM-and-line pair exists in exported files, and this reader takes both (the BOM decides UTF-8).
- LibreOffice Calc does not read it (its CSV filter options, help.libreoffice.org "CSV Filter
  Options", have no such line; roofstock/ember-cli-data-export#8): Calc shows ``sep=`` as a cell
  of a first data row. Saving such a sheet as CSV again writes that row out like any other, padded
  with empty cells to the sheet's width (``sep=;;;;``), and a CSV writer given the line as a cell
  quotes it for the delimiter inside (``"sep=;"``): inferred from how those tools write rows, not
  found documented.

Accepted, then: ``sep=`` in any case, one delimiter character (tab or ASCII punctuation other than
the quote), optionally the whole ``sep=X`` in double quotes, followed by nothing or only more of
that same delimiter (the empty cells of a re-saved row), after an optional UTF-8 BOM, ended by LF,
CRLF or CR. Whether Excel reads the quoted or padded forms is not known; they are taken because
their delimiter is unambiguous and the trailing cells are written with that very delimiter. A first line
that starts like the line but is none of these (``sep=``, ``sep=;;x``, ``sep = ;``, a letter or a
space as delimiter) is refused naming line 1, never read as a header.
"""

from __future__ import annotations

import re
import string

from workbench.errors import InputError

# a first line that is, or was meant to be, Excel's delimiter line
_LOOKS_LIKE = re.compile(r'\s*"?\s*sep\s*=', re.IGNORECASE)
_LINE = re.compile(r'(?P<quote>"?)sep=(?P<delimiter>.)(?P=quote)(?P<rest>.*)', re.IGNORECASE | re.DOTALL)
_DELIMITERS = "\t" + string.punctuation.replace('"', "")
_FIRST_LINE = re.compile(r"[^\r\n]*")
_EXPECTED = 'the first line "sep=" and the delimiter alone, such as sep=; (or delete the line)'


def looks_like(line: str) -> bool:
    """Whether ``line`` is, or was meant to be, Excel's delimiter line."""
    return _LOOKS_LIKE.match(line) is not None


def first_line(text: str) -> str:
    """The first line of decoded text, without a byte order mark and the line break."""
    m = _FIRST_LINE.match(text.removeprefix("\ufeff"))
    return m[0] if m else ""


def named_delimiter(text: str, file: str) -> str | None:
    """The delimiter that Excel's delimiter line at the start of ``text`` (a file's first bytes, decoded)
    names, or None when the file does not start with one. Raises InputError naming ``file`` and row 1
    when the first line starts like one but is not one, or row N when it comes after blank lines."""
    line = first_line(text)
    if not line.strip():
        # blank lines, then the delimiter line: Excel reads it only as the very first line
        lines = text.removeprefix("\ufeff").splitlines()
        at = next((i for i, s in enumerate(lines) if s.strip()), None)
        if at is not None and _LOOKS_LIKE.match(lines[at]):
            raise InputError(f"Excel's delimiter line {_shown(lines[at])} comes after {at} blank line"
                             f"{'s' if at > 1 else ''}", file=file, row=at + 1,
                             expected="it as the file's first line (delete the blank lines above it)")
        return None
    if not _LOOKS_LIKE.match(line):
        return None
    m = _LINE.fullmatch(line)
    if m is None:
        if re.fullmatch(r'"?sep="?', line, re.IGNORECASE):
            why = "names no delimiter"
        else:
            why = "is not one (Excel reads sep= directly followed by the delimiter, at the start of the line)"
        raise InputError(f"the first line {_shown(line)} looks like Excel's delimiter line but {why}", file=file,
                         row=1, expected=_EXPECTED)
    delimiter, rest = m["delimiter"], m["rest"]
    if delimiter not in _DELIMITERS:
        raise InputError(f"Excel's delimiter line {_shown(line)} names {delimiter!r}, which is no delimiter",
                         file=file, row=1, expected=f"{_EXPECTED}; the delimiter is a tab or a punctuation "
                                                    f"character such as , ; |")
    if delimiter == "\\" and rest == "t":
        # a tab typed as the two characters a program would write for it
        raise InputError(f"Excel's delimiter line {_shown(line)} names a backslash and a t, not a tab", file=file,
                         row=1, expected="sep= followed by a tab character itself (or delete the line)")
    if rest.strip(delimiter):
        raise InputError(f"Excel's delimiter line {_shown(line)} holds more than its delimiter {delimiter!r}",
                         file=file, row=1, expected=_EXPECTED)
    return delimiter


def _shown(line: str) -> str:
    return repr(line if len(line) <= 40 else line[:40] + "…")
