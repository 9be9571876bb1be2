"""`export --verify` against forgeries of what a reader sees outside the cells: the sheet the workbook opens
on, frozen panes, document properties, workbook settings (calculation, 1904 dates, sharing), parts riding
along (macros, external links, custom properties, a thumbnail), and number formats that show another value.

Each forgery leaves every cell value as exported (the data manifest still agrees), so only the
presentation fingerprint the store recorded at export can betray it.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl.styles import Font
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import update

from tests.helpers.forge import exported_workbook, forge, only_the_look_betrays, rewrite_part
from tests.workbench.export.test_workbook import make_run
from workbench.cli import main
from workbench.export.presentation import fingerprint
from workbench.export.workbook import verify_workbook, write_workbook
from workbench.store.db import open_store
from workbench.store.schema import ExportRecord

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    yield from exported_workbook(tmp_path_factory.mktemp("workbook-level"))


def _sub(pattern: str, repl: str) -> Callable[[str], str]:
    return lambda x: re.sub(pattern, repl, x, count=1)


# (id, part, change, what verify must name)
XML_FORGERIES: list[tuple[str, str, Callable[[str], str], str]] = [
    ("opens-on-the-audit-trail", "xl/workbook.xml", _sub(r'activeTab="0"', 'activeTab="8"'),
     "workbook: the sheet shown on opening changed (exported \"opens on 'Cover', tab bar from 'Cover'\", "
     "now \"opens on 'Audit trail', tab bar from 'Cover'\")"),
    ("tab-bar-scrolled-past-cover-and-summary", "xl/workbook.xml", _sub(r'firstSheet="0"', 'firstSheet="2"'),
     "tab bar from 'Exceptions'"),
    ("calculation-manual", "xl/workbook.xml",
     _sub(r'<calcPr calcId="124519" fullCalcOnLoad="1"/>', '<calcPr calcId="124519" calcMode="manual"/>'),
     "workbook: workbook settings (dates, calculation, links) changed (now: <calcPr calcId=124519,calcMode=manual>"),
    ("full-calc-on-load-removed", "xl/workbook.xml", _sub(r' fullCalcOnLoad="1"', ""),
     "workbook settings (dates, calculation, links) changed"),
    ("reserved-by-someone-read-only-recommended", "xl/workbook.xml",
     _sub(r"<workbookPr/>", '<fileSharing readOnlyRecommended="1" userName="Auditor"/><workbookPr/>'),
     "<fileSharing readOnlyRecommended=1,userName=Auditor>"),
    ("title-claims-another-run", "docProps/core.xml", _sub(r"run 1</dc:title>", "run 7</dc:title>"),
     "workbook: document properties (title, subject, author, status) changed (now: title: Audit workbook — run 7"),
    ("subject-claims-another-period", "docProps/core.xml", _sub(r"October close", "September close"),
     "(now: subject: September close, exported: subject: October close)"),
    ("author-changed", "docProps/core.xml", _sub(r">Recon Workbench</dc:creator>", ">maria</dc:creator>"),
     "now: creator: maria"),
    ("status-approved-added", "docProps/core.xml",
     _sub(r"</cp:coreProperties>", "<cp:contentStatus>Final — approved by audit</cp:contentStatus>"
                                   "</cp:coreProperties>"),
     "now: contentStatus: Final — approved by audit"),
    ("created-moved", "docProps/core.xml", _sub(r"2026-11-02T08:30:00Z", "2026-09-30T08:30:00Z"),
     "now: created: 2026-09-30T08:30:00Z"),
    ("company-added", "docProps/app.xml", _sub(r"</Properties>", "<Company>Big Four LLP</Company></Properties>"),
     "now: Company: Big Four LLP"),
    ("frozen-panes-put-rows-out-of-reach", "xl/worksheets/sheet3.xml", _sub(r'topLeftCell="A2"', 'topLeftCell="A40"'),
     "sheet 'Exceptions': frozen panes or the cell shown top left (rows above it out of reach) changed "
     "(now: top left A1; pane state=frozen,topLeftCell=A40,ySplit=1"),
    ("frozen-more-rows", "xl/worksheets/sheet3.xml", _sub(r'ySplit="1"', 'ySplit="3"'), "ySplit=3"),
    ("number-format-definition-shows-paid", "xl/styles.xml",
     _sub(r'formatCode="#,##0 &quot;JPY&quot;"', 'formatCode="[=1500]&quot;PAID&quot;;#,##0 &quot;JPY&quot;"'),
     "Exceptions!N3: a number cell shown with number format '[=1500]\"PAID\";#,##0 \"JPY\"'"),
    ("default-font-white", "xl/styles.xml", _sub(r'<color theme="1"/>', '<color rgb="FFFFFFFF"/>'),
     "Cover!B4: a text cell shown with number format 'General'; font colour FFFFFFFF"),
    ("opens-scrolled-down", "xl/worksheets/sheet2.xml",
     _sub(r'<sheetView workbookViewId="0">', '<sheetView workbookViewId="0" topLeftCell="A30">'),
     "sheet 'Summary': frozen panes or the cell shown top left (rows above it out of reach) changed "
     "(now: top left A30"),
]


@pytest.mark.parametrize("part, change, named", [pytest.param(p, c, n, id=i) for i, p, c, n in XML_FORGERIES])
def test_a_forgery_outside_the_cells_is_named(exported, tmp_path, part, change, named):
    store, path = exported
    assert named in only_the_look_betrays(store, path, tmp_path / "forged.xlsx", part, change)


def test_dates_shown_1462_days_later_are_named_as_a_setting_and_in_each_cell(exported, tmp_path):
    """date1904 moves every date a reader sees by four years and a day; a reader of the values sees the
    moved dates, and the setting itself is named."""
    store, path = exported
    forged = tmp_path / "forged.xlsx"
    rewrite_part(path, forged, "xl/workbook.xml", _sub(r"<workbookPr/>", '<workbookPr date1904="1"/>'))
    text = "\n".join(verify_workbook(store, forged).lines())
    assert "workbook settings (dates, calculation, links) changed (now: <workbookPr date1904=1>" in text
    assert "Cover!B7: workbook has '2030-11-01', the store gives '2026-10-31'" in text


def _with_parts(src: Path, dst: Path, members: dict[str, bytes], edits: dict[str, Callable[[str], str]]) -> None:
    """Copy the package adding ``members`` and changing the XML parts in ``edits``, as a zip tool would."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename in edits:
                data = edits[item.filename](data.decode("utf-8")).encode("utf-8")
            zout.writestr(item, data)
        for name, data in members.items():
            zout.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data)


def _rel(rid: str, kind: str, target: str, ns: str = REL, mode: str = "") -> Callable[[str], str]:
    extra = f' TargetMode="{mode}"' if mode else ""
    return lambda x: x.replace("</Relationships>", f'<Relationship Id="{rid}" Type="{ns.rsplit("/", 1)[0]}/'
                                                   f'relationships/{kind}" Target="{target}"{extra}/>'
                                                   "</Relationships>")


CUSTOM = (b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
          b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
          b'<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Approved">'
          b"<vt:lpwstr>yes, by the CFO</vt:lpwstr></property></Properties>")
EXTERNAL = (b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1">'
            b'<sheetNames><sheetName val="Real"/></sheetNames></externalBook></externalLink>')
EXTERNAL_RELS = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                 b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                 b'externalLinkPath" Target="file:///C:/books/real-numbers.xlsx" TargetMode="External"/>'
                 b"</Relationships>")
MACRO_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"

# (id, members added, parts edited, what verify must name)
PART_FORGERIES: list[tuple[str, dict[str, bytes], dict[str, Callable[[str], str]], str]] = [
    ("custom-property-approved", {"docProps/custom.xml": CUSTOM},
     {"_rels/.rels": _rel("rIdC", "custom-properties", "docProps/custom.xml")},
     "custom property 'Approved': yes, by the CFO"),
    ("external-link-to-another-book",
     {"xl/externalLinks/externalLink1.xml": EXTERNAL, "xl/externalLinks/_rels/externalLink1.xml.rels": EXTERNAL_RELS},
     {"xl/_rels/workbook.xml.rels": _rel("rIdX", "externalLink", "externalLinks/externalLink1.xml"),
      "xl/workbook.xml": lambda x: x.replace("<calcPr", '<externalReferences><externalReference r:id="rIdX" '
                                                        f'xmlns:r="{REL}"/></externalReferences><calcPr')},
     "workbook: parts attached to the workbook (macros, external links, pictures) changed (now: workbook: "
     "externalLink (xl/externalLinks/externalLink1.xml -> file:///C:/books/real-numbers.xlsx))"),
    ("macros-renamed-xlsx", {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 not really a macro project"},
     {"xl/_rels/workbook.xml.rels": _rel("rIdV", "vbaProject", "vbaProject.bin",
                                         ns="http://schemas.microsoft.com/office/2006/relationships"),
      "[Content_Types].xml": lambda x: x.replace(
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", MACRO_TYPE)},
     f"workbook content type: {MACRO_TYPE}"),
    ("thumbnail-shown-by-the-file-browser", {"docProps/thumbnail.jpeg": b"\xff\xd8\xff\xe0 a picture"},
     {"_rels/.rels": _rel("rIdT", "metadata/thumbnail", "docProps/thumbnail.jpeg", ns=PKG_REL)},
     "package: thumbnail (docProps/thumbnail.jpeg)"),
]


@pytest.mark.parametrize("members, edits, named",
                         [pytest.param(m, e, n, id=i) for i, m, e, n in PART_FORGERIES])
def test_a_part_riding_along_is_named(exported, tmp_path, members, edits, named):
    store, path = exported
    forged = tmp_path / "forged.xlsx"
    _with_parts(path, forged, members, edits)
    rep = verify_workbook(store, forged)
    text = "\n".join(rep.lines())
    assert not rep.ok and rep.file_edited and not rep.store_changed, text
    assert named in text


def _fmt(code: str) -> Callable[[Any], None]:
    def edit(wb: Any) -> None:
        wb["Exceptions"]["N3"].number_format = code
    return edit


def _validation_prompt(wb: Any) -> None:
    dv = DataValidation(type="whole", showInputMessage=True, promptTitle="Note", prompt="Cleared with the customer")
    dv.add("N3")
    wb["Exceptions"].add_data_validation(dv)


def _defined_name(wb: Any) -> None:
    wb.defined_names["Total_cleared"] = DefinedName("Total_cleared", attr_text="'Exceptions'!$N$3")


def _hidden_rows_of_other_numbers(wb: Any) -> None:
    ws = wb["Exceptions"]
    row = ws.max_row + 1
    ws.cell(row, 14, 99999)
    ws.row_dimensions[row].hidden = True


def _hidden_column_of_other_numbers(wb: Any) -> None:
    ws = wb["Exceptions"]
    ws.cell(3, ws.max_column + 1, 1)
    ws.column_dimensions["Z"].hidden = True


FORGERIES: list[tuple[str, Callable[[Any], None], str]] = [
    ("format-shows-zero-for-every-number", _fmt('0;0;"0"'), "Exceptions!N3: a number cell shown with number format "
                                                            "'0;0;\"0\"'"),
    ("format-shows-paid-for-the-amount", _fmt('[=1500]"PAID";0'), "number format '[=1500]\"PAID\";0'"),
    ("format-shows-a-fixed-text", _fmt('"0"'), "number format '\"0\"'"),
    ("validation-prompt-on-an-amount", _validation_prompt,
     "sheet 'Exceptions': data validation changed (now: <dataValidation"),
    ("defined-name-added", _defined_name, "workbook: defined names changed (now: <definedName name=Total_cleared"),
    ("hidden-row-holding-another-number", _hidden_rows_of_other_numbers, "the values of 'Exceptions' were edited"),
    ("hidden-column-holding-another-number", _hidden_column_of_other_numbers,
     "the values of 'Exceptions' were edited"),
]


@pytest.mark.parametrize("edit, named", [pytest.param(e, n, id=i) for i, e, n in FORGERIES])
def test_a_forgery_by_a_spreadsheet_library_is_named(exported, tmp_path, edit, named):
    store, path = exported
    forged = tmp_path / "forged.xlsx"
    forge(path, forged, edit)
    rep = verify_workbook(store, forged)
    text = "\n".join(rep.lines())
    assert not rep.ok and rep.file_edited, text
    assert named in text


def test_a_resave_by_openpyxl_still_verifies_though_it_sets_modified(exported, tmp_path):
    store, path = exported
    resaved = tmp_path / "resaved.xlsx"
    forge(path, resaved, lambda wb: None)
    with zipfile.ZipFile(resaved) as z:
        assert b"2026-11-02T08:34:12Z" not in z.read("docProps/core.xml")  # openpyxl stamped its own time
    rep = verify_workbook(store, resaved)
    assert rep.ok, rep.lines()
    assert rep.lines() == rep.lines()[:1]  # nothing left out: this export recorded all of it


def test_an_export_recorded_before_says_what_it_did_not_compare(tmp_path, capsys, monkeypatch):
    """An export recorded by an earlier version has no record of these, and its audit event no digest of its
    fingerprint: verify says what it did not compare instead of passing them silently, and still compares
    everything it recorded."""
    import workbench.export.workbook as wbmod
    later = ("opens", "settings", "properties", "package")

    def as_recorded_before(path: Path, exported: Any = None) -> Any:
        fp = fingerprint(path, exported)
        if exported is None:  # at export: what the earlier version recorded
            fp["workbook"] = {k: v for k, v in fp["workbook"].items() if k not in later}
            fp["sheets"] = {n: {k: v for k, v in sh.items() if k != "panes"} for n, sh in fp["sheets"].items()}
        return fp

    def chained_before(s: Any, export_id: str) -> Any:
        detail = dict(chained(s, export_id) or {})
        detail.pop("presentation", None)
        return detail

    chained = wbmod.exports.chained_detail
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    path = tmp_path / "audit.xlsx"
    monkeypatch.setattr(wbmod, "fingerprint", as_recorded_before)
    write_workbook(store, make_run(store), path)
    monkeypatch.setattr(wbmod.exports, "chained_detail", chained_before)
    forged = tmp_path / "forged.xlsx"
    rewrite_part(path, forged, "xl/workbook.xml", _sub(r'activeTab="0"', 'activeTab="8"'))
    capsys.readouterr()
    assert main(["export", "--db", store.url, "--verify", str(forged)]) == 0
    out = capsys.readouterr().out
    assert "OK — export" in out
    assert ("not compared (this export was recorded before they were): the export record's presentation "
            "fingerprint with the audit trail (exported before the trail held its digest); the sheet shown on "
            "opening; workbook settings (dates, calculation, links)") in out and "frozen panes" in out
    store.dispose()


def _fresh(tmp_path: Path) -> tuple[Any, Path]:
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    path = tmp_path / "audit.xlsx"
    write_workbook(store, make_run(store), path)
    return store, path


def _white_amount(wb: Any) -> None:
    wb["Exceptions"]["N3"].font = Font(color="FFFFFFFF")


@pytest.mark.parametrize("column", ["file_sha256", "presentation"])
def test_an_export_record_rewritten_to_fit_a_forged_look_is_caught(tmp_path, column):
    """The record's file hash and fingerprint decide whether, and against what, the look is compared. Set to the
    forged file's (its values untouched, its amount in white), the forgery verified as OK."""
    store, path = _fresh(tmp_path)
    forged = tmp_path / "forged.xlsx"
    forge(path, forged, _white_amount)
    value: Any = hashlib.sha256(forged.read_bytes()).hexdigest() if column == "file_sha256" else fingerprint(forged)
    with store.session() as s:
        s.execute(update(ExportRecord).values({column: value}))
    rep = verify_workbook(store, forged)
    text = "\n".join(rep.lines())
    assert not rep.ok, text
    assert "store changed since export: the export record" in text and "does not match its workbook.exported " \
        "audit event: the record was altered in the store" in text
    store.dispose()
