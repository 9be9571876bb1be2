"""What a reader of a workbook sees besides the values: its presentation fingerprint.

The data manifest hashes cell values; a forger can leave every value alone and still
change what an auditor reads: a ``0.00`` format on a JPY amount, a ``;;;`` format, a
white font on a white fill, a hidden row or column, a row of height 0, ``showZeros="0"``,
a comment or hyperlink, a picture over the cells, a formula with a cached value, rich text
runs inside a cell, a changed theme colour, removed sheet protection, a hidden sheet.

``fingerprint`` reads an .xlsx package directly (zip + expat, streaming, so a million-row
sheet costs one pass and no workbook in memory; ``check_package`` first refuses parts larger
than an export's, parts no export has, and a DOCTYPE) and returns a JSON-able description of all
of that: per sheet a hash over every cell's type and resolved style (number format, font,
fill, alignment, protection, quote prefix, formula, rich text) plus, for naming what
changed, the styles used per column and lists of rows, columns, merges, comments,
hyperlinks, conditional formats, validations, drawings, tables, views and protection;
per workbook the sheet states, structure protection, defined names, theme colours and
differential/table styles. ``differences`` compares two fingerprints and names each change
(sheet, cell, row or column, and what it is now).

Package layout as specified by ECMA-376 Part 1 (SpreadsheetML §18.3 worksheet, §18.8
styles, §18.2 workbook; Part 2 OPC relationships).
"""

from __future__ import annotations

import hashlib
import json
import math
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS

VERSION = 1
KEEP = 50  # items kept per list for naming; the hash covers all of them

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# attributes that say nothing about what is shown, and that tools rewrite on every save
_NOISE_ATTRS = {"spans", "dyDescent", "uid", "tabSelected", "topLeftCell", "workbookViewId", "activeTab",
                "firstSheet", "tabRatio", "windowWidth", "windowHeight", "xWindow", "yWindow", "id",
                "autoFilterDateGrouping"}
# Page set-up (orientation, fit, margins) changes how a sheet is laid on paper, not what it says;
# the printed header and footer (which run, which period) are words a reader sees, so they count.
_NOISE_TAGS = {"selection", "extLst", "pageMargins", "pageSetup", "printOptions", "pane", "pageSetUpPr",
               "outlinePr"}
_TEXT_TYPES = {"s": "text", "inlineStr": "text", "str": "text"}
# A cell's attributes the export writes; any other (``ph`` shows a phonetic guide above the text,
# ``cm``/``vm`` attach cell or value metadata) changes what is shown while the value stays the same.
_CELL_ATTRS = {"r", "t", "s"}
# Phonetic text (furigana) inside a string: shown above the cell's own text, which it never changes.
_PHONETIC = {"rPh", "phoneticPr"}


# ---- package limits (zip bombs) ----------------------------------------------------------------------
# A workbook is a zip; a small file can declare a part of gigabytes (a shared-strings table of 3 GB
# deflates to a few MB) and any reader that holds that part in memory dies. Every part's declared size
# and compression ratio is checked before anything is parsed. The limits come from the largest
# workbook the product writes: exports are streamed, and a million exceptions give a 103 MB file
# (docs/benchmarks.md) whose Exceptions sheet part is about 1.2 KB per row uncompressed, about
# 1.3 GB for a full sheet of Excel's 1,048,576 rows (longer tables continue on another sheet).
# The limits below leave three times that or more.
MAX_SHEET_PART = 4 << 30       # a worksheet part: read streaming, row by row (a full sheet ~1.3 GB)
MAX_SHARED_STRINGS = 512 << 20  # the export writes none (inline strings); a tool that re-saves moves every
                                # text there, and readers hold the table in memory: 512 MiB is the text of
                                # a full million-row sheet with room to spare
MAX_WHOLE_PART = 64 << 20      # any other part (styles, workbook, theme, relationships, tables,
                               # comments) is read whole; the export's are all under 100 KB
MAX_TOTAL = 32 << 30           # all parts together: a dozen full sheets
MAX_RATIO = 200                # uncompressed / compressed of a part over 1 MiB; the export's sheets
                               # deflate about 5-15 to 1, deflate's ceiling is about 1,030 to 1
RATIO_FROM = 1 << 20
MAX_PARTS = 10_000             # the export writes about three parts per sheet


class NotAnExport(ValueError):
    """The package has something no export has: ``member`` names the part, ``why`` says what."""

    def __init__(self, member: str, why: str):
        self.member, self.why = member, why
        super().__init__(f"its part {member} {why}")


class PackageTooLarge(NotAnExport):
    """A part of the package exceeds the limits above."""


def _limit(name: str) -> int:
    if name.startswith("xl/worksheets/") and name.endswith(".xml") and "/_rels/" not in name:
        return MAX_SHEET_PART
    if name.rsplit("/", 1)[-1].lower() == "sharedstrings.xml":
        return MAX_SHARED_STRINGS
    return MAX_WHOLE_PART


def check_package(z: zipfile.ZipFile) -> None:
    """Refuse a package whose parts declare sizes or compression ratios no export has (see above), or
    that holds a member, a name or a DOCTYPE no export has (see below)."""
    infos = z.infolist()
    if len(infos) > MAX_PARTS:
        raise PackageTooLarge(infos[MAX_PARTS].filename, f"is one of {len(infos):,} parts (an export has at most "
                                                         f"{MAX_PARTS:,})")
    total = 0
    for info in infos:
        size, limit = info.file_size, _limit(info.filename)
        if size > limit:
            raise PackageTooLarge(info.filename, f"unpacks to {size:,} bytes (at most {limit:,} in an export)")
        if size > RATIO_FROM and size > MAX_RATIO * max(info.compress_size, 1):
            raise PackageTooLarge(info.filename, f"unpacks {size // max(info.compress_size, 1):,} times its packed "
                                                 f"size ({size:,} bytes; an export's parts at most {MAX_RATIO} times)")
        total += size
        if total > MAX_TOTAL:
            raise PackageTooLarge(info.filename, f"takes the unpacked parts past {MAX_TOTAL:,} bytes (an export's "
                                                 "are far smaller)")
    _check_names([info.filename for info in infos])
    for info in infos:  # before any part is parsed, the relationships below included
        _check_prolog(z, info.filename)
    _check_reached(z)


# ---- package contents (forged parts) -----------------------------------------------------------------
# An export holds only the parts openpyxl writes for it, each reached from the package's relationships
# (_rels/.rels -> workbook -> sheets -> tables), and no part has a DOCTYPE. A file re-saved by openpyxl or
# LibreOffice keeps that shape, so it is still compared and its edits named; what is refused here
# is what no spreadsheet program writes: a member nothing refers to (a script riding along, `../evil.sh`),
# a name that leaves the package or aliases another part, and a DOCTYPE (entities that expand on reading).
PROLOG_BYTES = 64 << 10  # an export's parts start their root element within a few hundred bytes
_XML_NAMES = (".xml", ".rels", ".vml")


class _Doctype(ValueError):
    """Raised by the parsers' DOCTYPE handler: no entity is ever declared, so none is ever expanded."""


class _Root(Exception):
    """Raised at a part's first element: its prolog, where a DOCTYPE would be, has been read."""


def _refuse_doctype(*_: Any) -> None:
    raise _Doctype("a DOCTYPE declaration, which no export has")


def _parser() -> Any:
    p = expat.ParserCreate(namespace_separator="}")
    p.StartDoctypeDeclHandler = _refuse_doctype  # called before the internal subset (entities) is read
    return p


def _check_names(names: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name.endswith("/"):
            name = name[:-1]  # a folder entry (a package zipped again by a zip tool): checked as its path
        if "\\" in name or any(seg in ("", ".", "..") for seg in name.split("/")):
            raise NotAnExport(name, "is not a plain path inside the package (absolute, with '..', '.', an empty "
                                    "segment or a backslash), which no export has")
        if name.lower() in seen:  # part names ignore case (ECMA-376 Part 2): two members, one part
            raise NotAnExport(name, "is in the package twice, which no export is")
        seen.add(name.lower())


def _check_prolog(z: zipfile.ZipFile, name: str) -> None:
    """Refuse a DOCTYPE in any member, whatever its name: expat reads the prolog (any encoding, the
    declaration, comments) and stops at the root element. A member that is not XML (a picture) fails at
    once and is left alone, unless its name says XML: a bare ``<!ENTITY`` before the root is refused too."""
    p = _parser()
    p.StartElementHandler = _stop_at_root
    with z.open(name) as stream:
        head = stream.read(PROLOG_BYTES)
    try:
        p.Parse(head, len(head) < PROLOG_BYTES)
    except _Root:
        return
    except _Doctype as exc:
        raise NotAnExport(name, f"contains {exc}") from None
    except expat.ExpatError as exc:
        if name.lower().endswith(_XML_NAMES):
            raise NotAnExport(name, f"is not well-formed XML ({exc}), which no export is") from None
        return  # not XML (a picture): nothing in it is ever parsed
    raise NotAnExport(name, f"does not start its XML within {PROLOG_BYTES:,} bytes, which no export does")


def _stop_at_root(*_: Any) -> None:
    raise _Root


def _rels_part(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _check_reached(z: zipfile.ZipFile) -> None:
    """Refuse a member that no internal relationship reaches from the package's own (``_rels/.rels``)."""
    pkg = _Package(z)
    reached, todo = {"[Content_Types].xml"}, [""]  # "": the package itself, whose relationships are _rels/.rels
    while todo:
        part = todo.pop()
        reached.add(_rels_part(part))
        for _, target, mode in pkg.rels(part).values():
            if mode != "External" and target in pkg.names and target not in reached:
                reached.add(target)
                todo.append(target)
    for name in z.namelist():
        if name not in reached and not name.endswith("/"):  # a folder entry holds nothing
            raise NotAnExport(name, "is referred to by nothing in the package, which no export has")


_LOCAL: dict[str, str] = {}


def _local(name: str) -> str:
    local = _LOCAL.get(name)
    if local is None:
        local = _LOCAL[name] = name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
    return local


def _num(v: str) -> str:
    try:
        f = float(v)
    except ValueError:
        return v
    return v if math.isnan(f) else repr(f).removesuffix(".0")


def _attrs(attrs: dict[str, str]) -> str:
    items = sorted((_local(k), _num(v)) for k, v in attrs.items() if _local(k) not in _NOISE_ATTRS)
    return ",".join(f"{k}={v}" for k, v in items)


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    children: list[_Node] = field(default_factory=list)
    text: str = ""

    def canon(self) -> str:
        if self.tag in _NOISE_TAGS:
            return ""
        inner = "".join(c.canon() for c in self.children)
        text = self.text.strip()
        return f"<{self.tag} {_attrs(self.attrs)}{'|' + text if text else ''}>{inner}</>"

    def find(self, tag: str) -> _Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> Iterator[_Node]:
        for c in self.children:
            if c.tag == tag:
                yield c
            yield from c.all(tag)

    def text_all(self) -> str:
        return self.text + "".join(c.text_all() for c in self.children)


def _tree(data: bytes) -> _Node:
    root = _Node("#", {})
    stack = [root]
    p = _parser()

    def start(name: str, attrs: dict[str, str]) -> None:
        node = _Node(_local(name), {(f"r:{_local(k)}" if k.startswith(REL_NS) else _local(k)): v
                                    for k, v in attrs.items()})
        stack[-1].children.append(node)
        stack.append(node)

    def end(_: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        stack[-1].text += text

    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars
    p.Parse(data, True)
    return root.children[0] if root.children else root


class _Bag:
    """A list of described items: the first KEEP kept for naming, all of them hashed."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.n = 0
        self._h = hashlib.sha256()

    def add(self, item: str) -> None:
        self.n += 1
        self._h.update(item.encode() + b"\n")
        if len(self.items) < KEEP:
            self.items.append(item)

    def out(self) -> dict[str, Any]:
        return {"n": self.n, "hash": self._h.hexdigest()[:32], "items": self.items}


def _column(ref: str) -> str:
    return ref.rstrip("0123456789$").lstrip("$")


def _col_letter(i: int) -> str:
    s = ""
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


class _Package:
    def __init__(self, z: zipfile.ZipFile):
        self.z = z
        self.names = set(z.namelist())
        self.current = ""  # the part last read or opened: the one a parse error is about

    def open(self, name: str) -> IO[bytes]:
        self.current = name
        return self.z.open(name)

    def read(self, name: str) -> bytes | None:
        if name not in self.names:
            return None
        self.current = name
        size = self.z.getinfo(name).file_size
        if size > MAX_WHOLE_PART:  # (check_package refused it already; never hold a huge part whole)
            raise PackageTooLarge(name, f"unpacks to {size:,} bytes (at most {MAX_WHOLE_PART:,} in an export)")
        return self.z.read(name)

    def rels(self, part: str) -> dict[str, tuple[str, str, str]]:
        """Relationship id -> (type, resolved target, target mode) of a part."""
        folder = posixpath.dirname(part)
        data = self.read(_rels_part(part))
        out: dict[str, tuple[str, str, str]] = {}
        if data is None:
            return out
        for r in _tree(data).all("Relationship"):
            target, mode = r.attrs.get("Target", ""), r.attrs.get("TargetMode", "Internal")
            if mode != "External":
                target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(folder, target))
            out[r.attrs.get("Id", "")] = (r.attrs.get("Type", "").rsplit("/", 1)[-1], target, mode)
        return out


class _Styles:
    """Each cellXfs entry resolved to what it shows, and a short id for that."""

    def __init__(self, data: bytes | None):
        self.ids: list[str] = []
        self.summaries: dict[str, str] = {}
        self.dxfs = self.table_styles = ""
        if data is None:
            return
        root = _tree(data)
        fmts = {n.attrs.get("numFmtId", ""): n.attrs.get("formatCode", "")
                for n in (root.find("numFmts") or _Node("", {})).children}
        fonts = list((root.find("fonts") or _Node("", {})).children)
        fills = list((root.find("fills") or _Node("", {})).children)
        for n in (root.find("dxfs") or _Node("", {})).children:
            self.dxfs += n.canon()
        self.table_styles = (root.find("tableStyles") or _Node("", {})).canon()
        for xf in (root.find("cellXfs") or _Node("", {})).children:
            fid = xf.attrs.get("numFmtId", "0")
            code = fmts.get(fid) or BUILTIN_FORMATS.get(int(fid) if fid.isdigit() else -1, f"#{fid}")
            font = _pick(fonts, xf.attrs.get("fontId", "0"))
            fill = _pick(fills, xf.attrs.get("fillId", "0"))
            extra = "".join(c.canon() for c in xf.children)  # alignment, protection
            quote = xf.attrs.get("quotePrefix", "0") in ("1", "true")
            full = f"{code}\x1f{font.canon() if font else ''}\x1f{fill.canon() if fill else ''}\x1f{extra}\x1f{quote}"
            sid = hashlib.sha256(full.encode()).hexdigest()[:10]
            self.ids.append(sid)
            self.summaries.setdefault(sid, _summary(code, font, fill, xf))

    def sid(self, index: str | None) -> str:
        i = int(index) if index and index.isdigit() else 0
        return self.ids[i] if i < len(self.ids) else f"missing-{i}"


def _pick(nodes: list[_Node], index: str) -> _Node | None:
    i = int(index) if index.isdigit() else 0
    return nodes[i] if i < len(nodes) else None


def _summary(code: str, font: _Node | None, fill: _Node | None, xf: _Node) -> str:
    parts = [f"number format {code!r}"]
    if font is not None:
        colour = font.find("color")
        size = font.find("sz")
        bits = [f"colour {_colour(colour)}"] if colour is not None else []
        if size is not None:
            bits.append(f"size {size.attrs.get('val')}")
        bits += [t for t in ("b", "i", "strike", "u") if font.find(t) is not None]
        if bits:
            parts.append("font " + " ".join(bits))
    if fill is not None:
        pattern = fill.find("patternFill")
        if pattern is not None and pattern.attrs.get("patternType", "none") != "none":
            fg = pattern.find("fgColor")
            parts.append(f"fill {pattern.attrs.get('patternType')} {_colour(fg) if fg is not None else ''}".rstrip())
    extra = "".join(c.canon() for c in xf.children)
    if extra:
        parts.append(extra)
    if xf.attrs.get("quotePrefix") in ("1", "true"):
        parts.append("quote prefix")
    return "; ".join(parts)


def _colour(node: _Node) -> str:
    a = node.attrs
    if "rgb" in a:
        return a["rgb"].upper()
    if "theme" in a:
        return f"theme {a['theme']}" + (f" tint {a['tint']}" if "tint" in a else "")
    if "indexed" in a:
        return f"indexed {a['indexed']}"
    return "auto"


def _rich(pkg: _Package, name: str) -> list[str]:
    """Per shared string: '' for plain text, else a hash of its formatted runs.

    Streamed: only the run properties (``rPr``) of one string at a time are kept as a tree."""
    if name not in pkg.names:
        return []
    out: list[str] = []
    depth = 0
    runs: list[str] = []
    props: list[_Node] = []  # the rPr being read and its children

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        local = _local(tag)
        if depth == 2 and local == "si":
            runs.clear()
        elif depth == 3 and local in _PHONETIC:
            runs.append(f"<{local} {_attrs(attrs)}>")  # phonetic text no export writes: the string is marked
        elif props or (depth == 4 and local == "rPr"):
            node = _Node(local, {(f"r:{_local(k)}" if k.startswith(REL_NS) else _local(k)): v
                                 for k, v in attrs.items()})
            if props:
                props[-1].children.append(node)
            props.append(node)

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        if props:
            node = props.pop()
            if not props:
                runs.append(node.canon())
        elif depth == 1 and _local(tag) == "si":
            canon = "".join(runs)
            out.append(hashlib.sha256(canon.encode()).hexdigest()[:10] if canon else "")

    def chars(text: str) -> None:
        if props:
            props[-1].text += text

    p = _parser()
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars
    with pkg.open(name) as stream:
        p.ParseFile(stream)
    return out


class _SheetReader:
    """One streaming pass over a worksheet part; small elements outside sheetData kept as trees."""

    def __init__(self, styles: _Styles, rich: list[str], allowed: dict[str, list[str]] | None = None):
        self.styles, self.rich = styles, rich
        self.allowed = {k: set(v) for k, v in allowed.items()} if allowed is not None else None
        self.odd: list[str] = []  # cells whose type and format the export never used in their column
        self.cells = hashlib.sha256()
        self.columns: dict[str, set[str]] = {}
        self.rows, self.formulas, self.runs, self.marks = _Bag(), _Bag(), _Bag(), _Bag()
        self.top: list[_Node] = []
        self._stack: list[_Node] = []
        self._in_data = False
        self._cell: list[str] | None = None  # ref, type, style, value-kind
        self._cell_rich = ""
        self._cell_marks: list[str] = []  # attributes and phonetic text the export never writes
        self._line: list[str] = []
        self._in_v = False
        self._rich_v = any(rich)  # shared strings with formatted runs exist: look at text cells' indexes
        self._sids: dict[str | None, str] = {}
        self._parser: Any = None

    def parse(self, stream: Any) -> None:
        p = self._parser = _parser()
        p.StartElementHandler, p.EndElementHandler = self._start, self._end
        p.CharacterDataHandler = self._chars
        p.buffer_text = True
        p.ParseFile(stream)
        self._flush_cell()
        self._flush_row()

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _LOCAL.get(name) or _local(name)
        if self._in_data:
            if tag == "v":
                if self._rich_v and self._cell is not None and self._cell[1] == "text":
                    self._in_v = True
            elif tag == "c":
                if self._cell is not None:
                    self._flush_cell()
                s = attrs.get("s")
                sid = self._sids.get(s)
                if sid is None:
                    sid = self._sids[s] = self.styles.sid(s)
                t = attrs.get("t", "n")
                self._cell = [attrs.get("r", ""), _TEXT_TYPES.get(t, t), sid]
                self._cell_rich = ""
                extra = {k: v for k, v in attrs.items() if _local(k) not in _CELL_ATTRS | _NOISE_ATTRS}
                self._cell_marks = [_attrs(extra)] if extra else []
            elif tag == "row":
                self._flush_cell()
                self._flush_row()
                shown = {k: v for k, v in attrs.items() if _local(k) in ("hidden", "ht", "customHeight", "s",
                                                                           "customFormat", "outlineLevel",
                                                                           "collapsed", "thickTop", "thickBot")}
                if shown:
                    self.rows.add(f"row {attrs.get('r', '?')}: {_attrs(shown)}")
            elif tag == "f" and self._cell is not None:
                self.formulas.add(self._cell[0])
                self._cell.append("formula")
            elif tag == "rPr" and self._cell is not None:
                self._cell_rich = "inline"
            elif tag in _PHONETIC and self._cell is not None:
                self._cell_marks.append(f"phonetic {_attrs(attrs)}")
            return
        if tag == "sheetData" and len(self._stack) == 1:
            self._in_data = True
            if not self._rich_v:  # cell values are not read: skip their text (most of the file)
                self._parser.CharacterDataHandler = None
            return
        node = _Node(tag, {(f"r:{_local(k)}" if k.startswith(REL_NS) else _local(k)): v for k, v in attrs.items()})
        if self._stack:
            self._stack[-1].children.append(node)
        if len(self._stack) == 1:
            self.top.append(node)
        self._stack.append(node)

    def _end(self, name: str) -> None:
        tag = _LOCAL.get(name) or _local(name)
        if self._in_data:
            if tag == "v":
                self._in_v = False
            elif tag == "sheetData":
                self._flush_cell()
                self._flush_row()
                self._in_data = False
                self._parser.CharacterDataHandler = self._chars
            return
        if self._stack:
            self._stack.pop()

    def _chars(self, text: str) -> None:
        if self._in_data:
            if self._in_v and self._cell is not None:
                i = int(text) if text.isdigit() else -1
                if 0 <= i < len(self.rich) and self.rich[i]:
                    self._cell_rich = self.rich[i]
            return
        if self._stack:
            self._stack[-1].text += text

    def _flush_cell(self) -> None:
        c = self._cell
        if c is None:
            return
        if self._cell_rich:
            c.append("rich:" + self._cell_rich)
            self.runs.add(c[0])
        if self._cell_marks:
            c.append("marks:" + ";".join(self._cell_marks))
            self.marks.add(f"{c[0]}: {'; '.join(self._cell_marks)}")
            self._cell_marks = []
        self._line.append("\x1f".join(c))
        col, look = _column(c[0]), f"{c[1]}:{c[2]}"
        self.columns.setdefault(col, set()).add(look)
        if self.allowed is not None and len(self.odd) < MAX_NAMED and look not in self.allowed.get(col, ()):
            self.odd.append(f"{c[0]}:{look}")
        self._cell = None

    def _flush_row(self) -> None:
        if self._line:
            self.cells.update(("\x1e".join(self._line) + "\n").encode())
            self._line = []


def _sheet(pkg: _Package, part: str, styles: _Styles, rich: list[str],
           allowed: dict[str, list[str]] | None) -> dict[str, Any]:
    reader = _SheetReader(styles, rich, allowed)
    with pkg.open(part) as stream:
        reader.parse(stream)
    rels = pkg.rels(part)
    cols, views, merges, conditional, validations, links, printed, other, panes = (_Bag() for _ in range(9))
    protection = fmt = props = auto_filter = ""
    for node in reader.top:
        if node.tag == "cols":
            for col in node.children:
                lo, hi = int(col.attrs.get("min", "1")), int(col.attrs.get("max", "1"))
                desc = _attrs({k: v for k, v in col.attrs.items() if k not in ("min", "max")})
                for i in range(lo, min(hi, lo + 16384) + 1):
                    cols.add(f"column {_col_letter(i)}: {desc}")
        elif node.tag == "sheetViews":
            for v in node.children:
                views.add(v.canon())
                panes.add(_panes(v))
        elif node.tag == "sheetProtection":
            protection = _attrs(node.attrs)
        elif node.tag == "sheetFormatPr":
            fmt = _attrs(node.attrs)
        elif node.tag == "sheetPr":
            props = node.canon()
        elif node.tag == "autoFilter":
            auto_filter = node.canon()
        elif node.tag == "headerFooter":
            if node.attrs:
                printed.add(f"headerFooter: {_attrs(node.attrs)}")
            for hf in node.children:  # oddHeader, oddFooter, firstHeader ...: one named item each
                printed.add(f"{hf.tag}: {hf.text_all().strip()}")
        elif node.tag == "mergeCells":
            for m in node.children:
                merges.add(m.attrs.get("ref", ""))
        elif node.tag == "conditionalFormatting":
            conditional.add(node.canon())
        elif node.tag == "dataValidations":
            for dv in node.children:
                validations.add(dv.canon())
        elif node.tag == "hyperlinks":
            for h in node.children:
                target = rels.get(h.attrs.get("r:id", ""), ("", "", ""))[1]
                where = target or f"#{h.attrs.get('location', '')}"
                links.add(f"{h.attrs.get('ref', '')} -> {where} ({h.attrs.get('display', '')})")
        elif node.tag not in ("dimension", "tableParts", "legacyDrawing", "drawing", "legacyDrawingHF",
                              "sheetCalcPr") and node.tag not in _NOISE_TAGS:
            other.add(node.canon())
    comments, tables, parts = _Bag(), _Bag(), _Bag()
    for kind, target, mode in sorted(rels.values()):
        if kind == "comments" and pkg.read(target) is not None:
            for c in _tree(pkg.read(target) or b"").all("comment"):
                comments.add(f"{c.attrs.get('ref', '')}: {c.text_all().strip()[:200]!r}")
        elif kind == "table" and pkg.read(target) is not None:
            tables.add(_tree(pkg.read(target) or b"").canon())
        elif kind != "hyperlink":
            parts.add(f"{kind} ({'external ' if mode == 'External' else ''}{target})")
    return {
        "cells": reader.cells.hexdigest(),
        "columns": {k: sorted(v) for k, v in reader.columns.items()},
        "formulas": reader.formulas.out(), "rich_text": reader.runs.out(),
        "cell_marks": reader.marks.out(), "rows": reader.rows.out(),
        "cols": cols.out(), "views": views.out(), "protection": protection, "format": fmt, "props": props,
        "filter": auto_filter, "merges": merges.out(), "conditional": conditional.out(),
        "validations": validations.out(), "hyperlinks": links.out(), "comments": comments.out(),
        "tables": tables.out(), "parts": parts.out(), "print": printed.out(), "other": other.out(),
        "odd_cells": reader.odd, "panes": panes.out(),
    }


def _panes(view: _Node) -> str:
    """Where a sheet opens (sheetView topLeftCell, selected) and its frozen or split panes (ECMA-376 §18.3.1.66):
    panes frozen while scrolled down keep the rows between the frozen ones and the top left cell out of reach
    until they are unfrozen. The selection (the cursor) is left out: it shows nothing."""
    pane = view.find("pane")
    bits = [f"top left {view.attrs.get('topLeftCell', 'A1')}"]
    if view.attrs.get("tabSelected") in ("1", "true"):
        bits.append("selected")
    if pane is not None:
        bits.append("pane " + ",".join(f"{k}={v}" for k, v in sorted(pane.attrs.items()) if k != "activePane"))
    return "; ".join(bits)


def fingerprint(path: str | Path, exported: dict[str, Any] | None = None) -> dict[str, Any]:
    """The presentation fingerprint of an .xlsx file (see the module doc).

    Given the ``exported`` fingerprint, cells whose type and format the export never used in
    their column are also collected (``odd_cells``), so that a difference can name its cell."""
    with zipfile.ZipFile(path) as z:
        check_package(z)
        pkg = _Package(z)
        try:
            return _fingerprint(pkg, exported)
        except expat.ExpatError as exc:  # check_package read only each part's prolog
            raise NotAnExport(pkg.current, f"is not well-formed XML ({exc}), which no export is") from None


def _fingerprint(pkg: _Package, exported: dict[str, Any] | None) -> dict[str, Any]:
    book_part = "xl/workbook.xml"
    book = _tree(pkg.read(book_part) or b"")
    rels = pkg.rels(book_part)
    by_kind: dict[str, str] = {}
    for kind, target, _ in rels.values():
        by_kind.setdefault(kind, target)
    styles = _Styles(pkg.read(by_kind.get("styles", "xl/styles.xml")))
    rich = _rich(pkg, by_kind.get("sharedStrings", "xl/sharedStrings.xml"))
    theme = pkg.read(by_kind.get("theme", "xl/theme/theme1.xml"))
    colours = next(_tree(theme).all("clrScheme"), None) if theme else None
    sheets: dict[str, Any] = {}
    states = []
    for s in book.all("sheet"):
        name = s.attrs.get("name", "")
        states.append(f"{name}: {s.attrs.get('state', 'visible')}")
        target = rels.get(s.attrs.get("r:id", ""), ("", "", ""))[1]
        if target in pkg.names:
            allowed = exported["sheets"].get(name, {}).get("columns") if exported else None
            sheets[name] = _sheet(pkg, target, styles, rich, allowed)
    names = _Bag()
    for d in book.all("definedName"):
        names.add(d.canon())
    protection = book.find("workbookProtection")
    views = book.find("bookViews")
    sheet_names = [s.attrs.get("name", "") for s in book.all("sheet")]
    return {
        "version": VERSION,
        "workbook": {
            "sheets": states, "protection": _attrs(protection.attrs) if protection is not None else "",
            "views": views.canon() if views is not None else "", "names": names.out(),
            "theme": hashlib.sha256((colours.canon() if colours else "").encode()).hexdigest()[:32],
            "dxfs": hashlib.sha256(styles.dxfs.encode()).hexdigest()[:32],
            "table_styles": hashlib.sha256(styles.table_styles.encode()).hexdigest()[:32],
            "opens": _opens(views, sheet_names),
            "settings": _settings(book).out(),
            "properties": _properties(pkg).out(),
            "package": _package_parts(pkg, rels).out(),
        },
        "styles": styles.summaries,
        "sheets": sheets,
    }


# ---- what a reader sees of the workbook beyond its sheets (recorded since the keys below exist) --------
# The tab shown on opening and the first tab in the tab bar (workbookView activeTab, firstSheet; ECMA-376
# §18.2.30): a workbook that opens on its Audit trail with the tab bar scrolled past Cover and Summary
# hides the summary as surely as a hidden sheet. The order of the sheets is already compared.
def _opens(views: _Node | None, sheet_names: list[str]) -> str:
    view = views.find("workbookView") if views is not None else None
    attrs = view.attrs if view is not None else {}

    def sheet(key: str) -> str:
        i = attrs.get(key, "0")
        return repr(sheet_names[int(i)]) if i.isdigit() and int(i) < len(sheet_names) else f"#{i}"
    return f"opens on {sheet('activeTab')}, tab bar from {sheet('firstSheet')}"


# Every workbook setting but the sheets, names, views and protection compared above: workbookPr (date1904
# shows every date 1,462 days later), calcPr (calcMode, fullCalcOnLoad), fileSharing (readOnlyRecommended,
# "reserved by"), externalReferences (links to other files), customWorkbookViews, pivotCaches ... (§18.2.27).
_BOOK_COMPARED = {"sheets", "definedNames", "bookViews", "workbookProtection"}


def _settings(book: _Node) -> _Bag:
    out = _Bag()
    for node in book.children:
        if node.tag not in _BOOK_COMPARED and node.tag not in _NOISE_TAGS:
            out.add(node.canon())
    return out


# Document properties a reader sees in Excel's File > Info and in the file browser (ECMA-376 Part 2 §11,
# docProps/core.xml; Part 1 §22.2 app.xml, §22.3 custom.xml): title, subject, creator, status, keywords,
# company, custom properties ("Approved": yes). Not ``modified``: every program that saves the file sets it
# (openpyxl too), and a file saved again is already told apart ("in every value ...", not "byte for byte").
# Not the application that saved it, for the same reason.
_SAVED_BY = {"modified", "Application", "AppVersion"}


def _properties(pkg: _Package) -> _Bag:
    out = _Bag()
    for kind, target, _ in sorted(pkg.rels("").values()):
        data = pkg.read(target) if kind in ("core-properties", "extended-properties", "custom-properties") else None
        if data is None:
            continue
        for node in _tree(data).children:
            if node.tag in _SAVED_BY:
                continue
            if kind == "custom-properties":
                out.add(f"custom property {node.attrs.get('name', '')!r}: {node.text_all().strip()}")
            else:
                out.add(f"{node.tag}: {node.text_all().strip() or node.canon()}")
    return out


# Parts the workbook and the package carry besides their sheets, styles, theme and shared strings: macros
# (vbaProject), external links, connections, custom XML, a thumbnail shown by the file browser; and the
# workbook part's content type (a macro-enabled workbook renamed .xlsx says so there).
_EXPECTED_PARTS = {"worksheet", "styles", "theme", "sharedStrings", "officeDocument", "core-properties",
                   "extended-properties"}
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"


def _package_parts(pkg: _Package, book_rels: dict[str, tuple[str, str, str]]) -> _Bag:
    out = _Bag()
    for where, rels in (("package", pkg.rels("")), ("workbook", book_rels)):
        for kind, target, mode in sorted(rels.values()):
            if kind not in _EXPECTED_PARTS:
                # an external link's own relationship names the file it reads from
                outside = [t for _, t, m in pkg.rels(target).values() if m == "External"] if mode != "External" else []
                out.add(f"{where}: {kind} ({'external ' if mode == 'External' else ''}{target}"
                        f"{''.join(f' -> {t}' for t in sorted(outside))})")
    types = pkg.read("[Content_Types].xml")
    for node in _tree(types).all("Override") if types else ():
        if node.attrs.get("PartName", "").lstrip("/") == "xl/workbook.xml":
            out.add(f"workbook content type: {node.attrs.get('ContentType', '')}")
    return out


_WHAT = {
    "protection": "sheet protection", "format": "default row and column format (sheetFormatPr)",
    "props": "sheet properties", "filter": "filter", "rows": "hidden or resized rows",
    "cols": "column widths or hidden columns", "views": "sheet view (e.g. zeros, grid, zoom)",
    "merges": "merged cells", "conditional": "conditional formatting", "validations": "data validation",
    "hyperlinks": "hyperlinks", "comments": "comments", "tables": "table definitions (style, filters)",
    "parts": "drawings, pictures or other parts attached to the sheet", "print": "printed header or footer",
    "other": "other sheet settings",
    "panes": "frozen panes or the cell shown top left (rows above it out of reach)",
    "formulas": "cells holding formulas (the export writes values only)",
    "rich_text": "cells with formatted runs of text (colour, size)",
    "cell_marks": "cells with phonetic text or attributes the export never writes (shown beside their value)",
}
_BOOK = {"sheets": "the sheets or their visibility", "protection": "workbook structure protection",
         "views": "workbook view settings", "names": "defined names", "theme": "the theme's colours",
         "dxfs": "differential styles (used by conditional formats and tables)",
         "table_styles": "custom table styles",
         "opens": "the sheet shown on opening", "settings": "workbook settings (dates, calculation, links)",
         "properties": "document properties (title, subject, author, status)",
         "package": "parts attached to the workbook (macros, external links, pictures)"}
# Keys an export recorded before they were part of the fingerprint: ``not_recorded`` names them.
_LATER = {"opens", "settings", "properties", "package", "panes"}
MAX_NAMED = 20


def differences(exported: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """What a reader sees differently in ``found`` than in what was ``exported``, one line each."""
    out: list[str] = []
    if exported.get("version") != found.get("version"):
        return ["the presentation fingerprint has another version; re-export the workbook"]
    eb, fb = exported["workbook"], found["workbook"]
    for key, what in _BOOK.items():
        if key in _LATER and key not in eb:
            continue  # recorded before this was part of the fingerprint: named by not_recorded
        if eb.get(key) != fb.get(key):
            out.append(f"workbook: {what} changed{_items(eb.get(key), fb.get(key))}")
    styles = {**exported.get("styles", {}), **found.get("styles", {})}
    for name, fs in found["sheets"].items():
        es = exported["sheets"].get(name)
        if es is None:
            continue  # an added sheet is reported by the data check
        unprotected = "sheet=1" in es.get("protection", "") and "sheet=1" not in fs.get("protection", "")
        if unprotected:
            out.append(f"sheet '{name}': sheet protection removed (anyone may now edit cells unnoticed)")
        for key, what in _WHAT.items():
            if key in ("print", "cell_marks", *_LATER) and key not in es:
                continue  # recorded before this was part of the fingerprint (the cells' hash still covers marks)
            if es.get(key) != fs.get(key) and not (key == "protection" and unprotected):
                out.append(f"sheet '{name}': {what} changed{_items(es.get(key), fs.get(key))}")
        if es["cells"] != fs["cells"]:
            named = [_odd(name, item, styles) for item in fs.get("odd_cells", [])]
            out.extend(named or [f"sheet '{name}': cell types or formats differ from the export"])
    return out


def presentation_digest(fp: dict[str, Any]) -> str:
    """SHA-256 of a fingerprint as canonical JSON: chained in the export's audit event, so that the record
    the file's look is compared with cannot be rewritten unnoticed."""
    return hashlib.sha256(json.dumps(fp, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                          .encode("utf-8")).hexdigest()


def not_recorded(exported: dict[str, Any]) -> list[str]:
    """What an export recorded before it was part of the fingerprint, and so was not compared."""
    book = [what for key, what in _BOOK.items() if key in _LATER and key not in exported.get("workbook", {})]
    sheets = exported.get("sheets", {})
    if any("panes" not in es for es in sheets.values()):
        book.append(_WHAT["panes"])
    return book


def _items(exported: Any, found: Any) -> str:
    if isinstance(exported, dict) and isinstance(found, dict) and "items" in found:
        old = set(exported.get("items", []))
        new = [i for i in found["items"] if i not in old]
        gone = [i for i in exported.get("items", []) if i not in set(found["items"])]
        bits = []
        if new:
            bits.append("now: " + "; ".join(_short(i) for i in new[:5]) + (" …" if len(new) > 5 else ""))
        if gone:
            bits.append("exported: " + "; ".join(_short(i) for i in gone[:5]) + (" …" if len(gone) > 5 else ""))
        return f" ({', '.join(bits)})" if bits else ""
    if isinstance(exported, list) and isinstance(found, list):
        new = [i for i in found if i not in exported]
        gone = [i for i in exported if i not in found]
        return f" (now: {'; '.join(new) or 'none'}; exported: {'; '.join(gone) or 'none'})"
    if isinstance(exported, str) and isinstance(found, str) and len(exported) < 200 and len(found) < 200:
        return f" (exported {exported or 'none'!r}, now {found or 'none'!r})"
    return ""


def _short(text: str, n: int = 120) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def _odd(sheet: str, item: str, styles: dict[str, str]) -> str:
    ref, kind, sid = item.split(":", 2)
    kind = {"n": "number", "b": "boolean", "d": "date", "e": "error"}.get(kind, kind)
    return (f"{sheet}!{ref}: a {kind} cell shown with {styles.get(sid, 'a style the file does not define')} "
            f"(the export never shows this column that way)")
