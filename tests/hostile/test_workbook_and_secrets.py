"""Hostile inputs for issue 17 items 4–6: forged workbooks, secrets in every shape, CSV formula payloads.

Each case id says what the hostile party did; the table in the note counts them:
``forged-*`` must be refused as "file edited since export" naming what; ``store-*`` must be told
apart as "store changed" or "no export record"; ``secret-*`` must be refused at config load with
the key path (exit 2) and the value never echoed; ``not-secret-*`` and ``intact-*`` must be
accepted; ``csv-*`` must reach the CSV as text a spreadsheet never evaluates.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.protection import WorkbookProtection
from sqlalchemy import delete, update

from tests.helpers.forge import exported_workbook, forge, only_the_look_betrays
from tests.workbench.export.test_workbook import _exc, make_run
from workbench import config as config_mod
from workbench.export.workbook import verify_workbook, write_workbook
from workbench.cli import main
from workbench.errors import ConfigError
from workbench.store.db import open_store
from workbench.store.schema import AuditEvent, ExceptionRow, ExportRecord, Run

# ---- forged workbooks ----------------------------------------------------------------------------
# N3 is the JPY amount at risk (1,500) of exception 2; E2 a customer name.


def _cell(value: Any) -> Callable[[Any], None]:
    def edit(wb: Any) -> None:
        wb["Exceptions"]["N3"].value = value
    return edit


def _fmt(code: str) -> Callable[[Any], None]:
    def edit(wb: Any) -> None:
        wb["Exceptions"]["N3"].number_format = code
    return edit


def _hide_row(wb: Any) -> None:
    wb["Exceptions"].row_dimensions[3].hidden = True


def _tiny_row(wb: Any) -> None:
    wb["Exceptions"].row_dimensions[3].height = 0.1  # (a height of 0 is dropped by openpyxl on saving)


def _hide_column(wb: Any) -> None:
    wb["Exceptions"].column_dimensions["N"].hidden = True


def _white_font(wb: Any) -> None:
    wb["Exceptions"]["E2"].font = Font(color="FFFFFFFF")


def _white_on_white(wb: Any) -> None:
    cell = wb["Exceptions"]["N3"]
    cell.font = Font(color="FFFFFFFF")
    cell.fill = PatternFill(fill_type="solid", start_color="FFFFFFFF", end_color="FFFFFFFF")


def _comment(wb: Any) -> None:
    wb["Exceptions"]["E2"].comment = Comment("approved by phone, ignore", "someone")


def _hyperlink(wb: Any) -> None:
    wb["Exceptions"]["E2"].hyperlink = "https://evil.example/invoice"


def _unprotect(wb: Any) -> None:
    wb["Corrections"].protection.sheet = False


def _unlock_structure(wb: Any) -> None:
    wb.security = WorkbookProtection(lockStructure=False)


def _hide_sheet(wb: Any) -> None:
    wb["Corrections"].sheet_state = "hidden"


def _conditional_white(wb: Any) -> None:
    wb["Exceptions"].conditional_formatting.add(
        "N2:N10", CellIsRule(operator="greaterThan", formula=["1000"], font=Font(color="FFFFFFFF")))


def _rich_white_part(wb: Any) -> None:
    cell = wb["Exceptions"]["E2"]
    name = str(cell.value)
    cell.value = CellRichText(name[:3], TextBlock(InlineFont(color="FFFFFFFF"), name[3:]))


def _hide_zeros(wb: Any) -> None:
    wb["Exceptions"].sheet_view.showZeros = False


FORGERIES: list[tuple[str, Callable[[Any], None], str]] = [
    ("forged-amount-edited-manifest-recomputed", _cell(15), "Exceptions!N3: workbook has '15'"),
    ("forged-number-as-text-same-digits", _cell("1500"), "Exceptions!N3: a text cell"),
    ("forged-formula-instead-of-value", _cell("=1500"), "Exceptions!N3"),
    ("forged-number-format-0.00-on-jpy", _fmt("0.00"), "Exceptions!N3: a number cell shown with number format '0.00'"),
    ("forged-number-format-hides-value", _fmt(";;;"), "number format ';;;'"),
    ("forged-hidden-row", _hide_row, "row 3: hidden=1"),
    ("forged-row-height-0.1", _tiny_row, "row 3: customHeight=1,ht=0.1"),
    ("forged-hidden-column", _hide_column, "column N: "),
    ("forged-white-font", _white_font,
     "Exceptions!E2: a text cell shown with number format 'General'; font colour FFFFFFFF"),
    ("forged-white-on-white", _white_on_white, "fill solid FFFFFFFF"),
    ("forged-comment-added", _comment, "comments changed (now: E2: 'approved by phone, ignore')"),
    ("forged-hyperlink-added", _hyperlink, "hyperlinks changed (now: E2 -> https://evil.example/invoice"),
    ("forged-sheet-protection-removed", _unprotect, "sheet 'Corrections': sheet protection removed"),
    ("forged-structure-unlocked", _unlock_structure, "workbook: workbook structure protection changed"),
    ("forged-sheet-hidden", _hide_sheet, "Corrections: hidden"),
    ("forged-conditional-white-text", _conditional_white, "conditional formatting changed"),
    ("forged-zeros-hidden", _hide_zeros, "sheet view"),
    ("forged-part-of-text-in-white", _rich_white_part,
     "cells with formatted runs of text (colour, size) changed (now: E2)"),
]

# Forgeries a zip tool makes directly in the package's XML (the cells' values untouched).
XML_FORGERIES: list[tuple[str, str, Callable[[str], str], str]] = [
    ("forged-xml-theme-text-colour-white", "xl/theme/theme1.xml",
     lambda x: re.sub(r"(<a:dk1>.*?</a:dk1>)", '<a:dk1><a:srgbClr val="FFFFFF"/></a:dk1>', x, count=1, flags=re.DOTALL),
     "workbook: the theme's colours changed"),
    ("forged-xml-sheet-very-hidden", "xl/workbook.xml",
     lambda x: x.replace('name="Corrections" sheetId="4" state="visible"',
                         'name="Corrections" sheetId="4" state="veryHidden"'),
     "Corrections: veryHidden"),
    ("forged-xml-picture-over-cells", "xl/worksheets/_rels/sheet3.xml.rels",
     lambda x: x.replace("</Relationships>", '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/'
                         'officeDocument/2006/relationships/drawing" Target="../drawings/drawing1.xml"/>'
                         "</Relationships>"),
     "drawings, pictures or other parts attached to the sheet changed (now: drawing (xl/drawings/drawing1.xml))"),
    ("forged-xml-default-rows-hidden", "xl/worksheets/sheet3.xml",
     lambda x: x.replace('<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>',
                         '<sheetFormatPr baseColWidth="8" defaultRowHeight="15" zeroHeight="1"/>'),
     "default row and column format (sheetFormatPr) changed"),
    # Excel shows a cell's phonetic guide (ph="1", text in rPh) above its text: "PAID IN FULL" over a name
    ("forged-xml-phonetic-text-over-a-name", "xl/worksheets/sheet3.xml",
     lambda x: x.replace('<c r="E2" t="inlineStr"><is><t>Kunde 1 GmbH</t></is></c>',
                         '<c r="E2" t="inlineStr" ph="1"><is><t>Kunde 1 GmbH</t><rPh sb="0" eb="5"><t>PAID IN FULL'
                         '</t></rPh></is></c>'),
     "cells with phonetic text or attributes the export never writes (shown beside their value) changed "
     "(now: E2: ph=1; phonetic eb=5,sb=0)"),
    ("forged-xml-value-metadata-on-an-amount", "xl/worksheets/sheet3.xml",
     # the amount's style index is whatever the export's styles give it: matched, not written in
     lambda x: re.sub(r'(<c r="N3" s="\d+" t="n")>', r'\1 vm="1">', x, count=1),
     "(now: N3: vm=1)"),
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    yield from exported_workbook(tmp_path_factory.mktemp("hostile-workbook"))


@pytest.mark.parametrize("edit, named", [pytest.param(e, n, id=i) for i, e, n in FORGERIES])
def test_forged_workbook_is_refused_as_file_edited(exported, tmp_path, edit, named):
    store, path = exported
    forged = tmp_path / "forged.xlsx"
    forge(path, forged, edit)
    rep = verify_workbook(store, forged)
    text = "\n".join(rep.lines())
    assert not rep.ok and rep.file_edited and not rep.store_changed, text
    assert named in text


@pytest.mark.parametrize("part, change, named", [pytest.param(p, c, n, id=i) for i, p, c, n in XML_FORGERIES])
def test_forged_package_xml_is_refused_as_file_edited(exported, tmp_path, part, change, named):
    store, path = exported
    assert named in only_the_look_betrays(store, path, tmp_path / "forged.xlsx", part, change)


def test_the_cli_exits_1_and_says_file_edited(exported, tmp_path, capsys):
    store, path = exported
    forged = tmp_path / "forged.xlsx"
    forge(path, forged, _fmt("0.00"))
    capsys.readouterr()
    assert main(["export", "--db", store.url, "--verify", str(forged)]) == 1
    out = capsys.readouterr().out
    assert "NOT VERIFIED" in out and "file edited since export: Exceptions!N3" in out


@pytest.mark.parametrize("how", [
    pytest.param("as-exported", id="intact-as-exported"),
    pytest.param("resaved", id="intact-resaved-unchanged-by-openpyxl"),
])
def test_an_intact_workbook_is_accepted(exported, tmp_path, how):
    store, path = exported
    target = path
    if how == "resaved":
        target = tmp_path / "resaved.xlsx"
        forge(path, target, lambda wb: None)
    rep = verify_workbook(store, target)
    assert rep.ok, rep.lines()
    assert rep.identical == (how == "as-exported")
    assert "OK — export" in rep.lines()[0] and "by maria" in rep.lines()[0]


@pytest.mark.parametrize("make", [
    pytest.param(lambda p: p.symlink_to("/dev/zero"), id="verify-symlink-to-dev-zero"),  # was read until OOM
    pytest.param(lambda p: os.mkfifo(p), id="verify-named-pipe"),  # blocked forever on opening
])
def test_verify_refuses_a_device_or_pipe_naming_it(exported, tmp_path, capsys, make):
    store, _ = exported
    target = tmp_path / "audit.xlsx"
    make(target)
    capsys.readouterr()
    assert main(["export", "--db", store.url, "--verify", str(target)]) == 2
    err = capsys.readouterr().err
    assert f"{target}: is a device, pipe or socket, not a file" in err and "Traceback" not in err


def test_a_run_name_with_a_control_character_exports_and_verifies(tmp_path):
    """The name reached the document properties and page headers raw: lxml refused the XML, an internal error."""
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    rid = make_run(store)
    with store.session() as s:
        s.execute(update(Run).where(Run.id == rid).values(name="Oct\x07close &B"))
    path = tmp_path / "audit.xlsx"
    write_workbook(store, rid, path)
    assert verify_workbook(store, path).ok
    with zipfile.ZipFile(path) as z:
        assert "Oct\\x07close &amp;B" in z.read("docProps/core.xml").decode()
    store.dispose()


def _fresh(tmp_path: Path) -> tuple[Any, int, Path]:
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    rid = make_run(store)
    path = tmp_path / "audit.xlsx"
    write_workbook(store, rid, path)
    return store, rid, path


def test_store_changed_since_export_is_told_apart(tmp_path):
    store, rid, path = _fresh(tmp_path)
    with store.session() as s:
        s.execute(update(ExceptionRow).where(ExceptionRow.run_id == rid, ExceptionRow.erp_id == "INV-00002")
                  .values(status="resolved"))
    rep = verify_workbook(store, path)
    assert not rep.ok and rep.store_changed and not rep.file_edited and rep.identical
    assert any("'Exceptions'" in c and "changed after this workbook was exported" in c for c in rep.store_changes)
    store.dispose()


def test_store_export_record_removed_is_reported_as_no_record(tmp_path):
    store, _, path = _fresh(tmp_path)
    with store.session() as s:
        s.execute(delete(ExportRecord))
    rep = verify_workbook(store, path)
    assert not rep.ok and rep.export_id is None
    assert rep.lines()[1].startswith("  no export record: this store has no export ")
    store.dispose()


def test_store_export_record_rewritten_to_fit_a_forgery_is_caught(tmp_path):
    store, _, path = _fresh(tmp_path)
    forged = tmp_path / "forged.xlsx"
    forge(path, forged, _cell(15))
    from workbench.export.manifest import manifest_of_file
    total, per_sheet = manifest_of_file(forged)
    with store.session() as s:  # a store editor makes the record agree with the forged file
        s.execute(update(ExportRecord).values(manifest=total, sheet_hashes=[list(p) for p in per_sheet]))
    rep = verify_workbook(store, forged)
    assert not rep.ok
    assert any("does not match its workbook.exported audit event" in c for c in rep.store_changes)
    store.dispose()


def test_store_trail_tail_deleted_after_export_is_caught(tmp_path):
    store, _, path = _fresh(tmp_path)
    with store.session() as s:
        last = s.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
        anchored = last.id - 1  # the export's own event is last; the anchor is the one before it
        s.execute(delete(AuditEvent).where(AuditEvent.id >= anchored))
    rep = verify_workbook(store, path)
    assert not rep.ok
    assert any(f"had {anchored:,} events when this workbook was exported" in c for c in rep.store_changes)
    store.dispose()


def test_cover_shows_the_trail_head_the_store_recorded(exported):
    store, path = exported
    from openpyxl import load_workbook
    cover = {r[0]: r[1] for r in load_workbook(path, read_only=True)["Cover"].iter_rows(values_only=True)
             if len(r) > 1 and r[0]}
    with store.session() as s:
        rec = s.query(ExportRecord).one()
        assert (cover["Export id"], cover["Events at export"], cover["Head hash at export"]) == (
            rec.id, rec.trail_events, rec.trail_head)
        assert s.get(AuditEvent, rec.trail_events).hash == rec.trail_head


# ---- secrets ---------------------------------------------------------------------------------------

PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----"
SECRET_SHAPES: list[tuple[str, dict[str, Any], str, str]] = [
    ("secret-clientSecret", {"clientSecret": "s3cr3t-value"}, "crm.salesforce.clientSecret", "s3cr3t-value"),
    ("secret-client_secret", {"client_secret": "s3cr3t-value"}, "crm.salesforce.client_secret", "s3cr3t-value"),
    ("secret-CLIENT-SECRET", {"CLIENT-SECRET": "s3cr3t-value"}, "crm.salesforce.CLIENT-SECRET", "s3cr3t-value"),
    ("secret-passwd", {"passwd": "hunter2hunter2"}, "crm.salesforce.passwd", "hunter2hunter2"),
    ("secret-auth_token", {"auth_token": "tok-123456789"}, "crm.salesforce.auth_token", "tok-123456789"),
    ("secret-bearer", {"bearer": "eyJhbGciOiJIUzI1NiJ9"}, "crm.salesforce.bearer", "eyJhbGciOiJIUzI1NiJ9"),
    ("secret-api-key", {"api-key": "k-99887766"}, "crm.salesforce.api-key", "k-99887766"),
    ("secret-apiKey", {"apiKey": "k-99887766"}, "crm.salesforce.apiKey", "k-99887766"),
    ("secret-private_key", {"private_key": "k-99887766"}, "crm.salesforce.private_key", "k-99887766"),
    ("secret-password-as-list", {"password": ["hunter2hunter2"]}, "crm.salesforce.password", "hunter2hunter2"),
    ("secret-password-as-number", {"password": 20261231}, "crm.salesforce.password", "20261231"),
    ("secret-key-holding-pem", {"key": PEM}, "crm.salesforce.key", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
    ("secret-pem-under-any-name", {"notes": PEM}, "crm.salesforce.notes", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
    ("secret-url-with-password", {"instance_url": "https://svc:hunter2pass@acme.my.salesforce.com"},
     "crm.salesforce.instance_url", "hunter2pass"),
    ("secret-url-password-param", {"login_url": "https://login.example/?password=hunter2pass"},
     "crm.salesforce.login_url", "hunter2pass"),
    ("secret-nested-in-a-list", {"headers": [{"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9"}]},
     "crm.salesforce.headers[0].Authorization", "eyJhbGciOiJIUzI1NiJ9"),
]
NOT_SECRETS: list[tuple[str, dict[str, Any]]] = [
    ("not-secret-client_secret_env", {"client_secret_env": "SF_CLIENT_SECRET"}),
    ("not-secret-private_key_file", {"private_key_file": "~/.keys/sf.pem"}),
    ("not-secret-token_url", {"token_url": "https://login.microsoftonline.com/x/oauth2/v2.0/token"}),
    ("not-secret-keyring_user", {"keyring_user": "acme-prod"}),
    ("not-secret-key-as-mapping-field", {"key": "Id"}),
    ("not-secret-empty-password", {"password": ""}),
    ("not-secret-url-with-user-only", {"instance_url": "https://acme.my.salesforce.com/services"}),
]


def _config(extra: dict[str, Any]) -> dict[str, Any]:
    return {"run": {"name": "hostile", "as_of": "2026-10-31"},
            "crm": {"connector": "salesforce", "salesforce": {"client_id": "3MVG9-public", **extra}},
            "erp": {"connector": "files", "system": "business_central", "files": {"dir": "."}}}


@pytest.mark.parametrize("extra, path, value", [pytest.param(e, p, v, id=i) for i, e, p, v in SECRET_SHAPES])
def test_a_secret_in_any_shape_is_refused_with_its_key_path(tmp_path, capsys, extra, path, value):
    with pytest.raises(ConfigError) as err:
        config_mod.from_dict(_config(extra))
    assert f"'{path}' holds a secret" in err.value.one_line() and value not in err.value.one_line()
    import tomli_w
    cfg = tmp_path / "run.toml"
    cfg.write_text(tomli_w.dumps(_config(extra)), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert main(["run", "--config", str(cfg), "--db", url]) == 2
    err_text = capsys.readouterr().err
    assert path in err_text and value not in err_text and err_text.count("\n") == 1
    store = open_store(url)
    with store.session() as s:
        assert s.query(Run).count() == 0  # nothing stored, so never on a Parameters sheet either
    store.dispose()


@pytest.mark.parametrize("extra", [pytest.param(e, id=i) for i, e in NOT_SECRETS])
def test_settings_that_only_say_where_a_secret_lives_are_accepted(extra):
    # under a REST profile's table, whose keys are the profile's own: the Salesforce table takes only its settings
    raw = {"run": {"name": "hostile", "as_of": "2026-10-31"},
           "crm": {"connector": "files", "system": "salesforce", "files": {"dir": "."}},
           "erp": {"connector": "rest", "rest": {"profile": "erpnext", "client_id": "3MVG9-public", **extra}}}
    cfg = config_mod.from_dict(raw)
    assert cfg.public()["erp"]["rest"] == {"profile": "erpnext", "client_id": "3MVG9-public", **extra}


@pytest.mark.parametrize("url", [
    pytest.param("postgresql+psycopg://ann@127.0.0.1:1/nodb?password=hunter2pass", id="secret-db-url-password-param"),
    pytest.param("postgresql+psycopg://ann:hunter2pass@127.0.0.1:1/nodb", id="secret-db-url-userinfo"),
])
def test_a_db_url_password_is_never_echoed(url, capsys):
    assert main(["runs", "--db", url]) == 2
    err = capsys.readouterr().err
    assert "hunter2pass" not in err and "***" in err and "127.0.0.1" in err


def test_secrets_already_in_an_old_runs_config_never_reach_the_parameters_sheet(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    rid = make_run(store)
    leaked = {"clientSecret": "old-secret-1", "auth_token": "old-secret-2", "password": [1234567],
              "key": PEM, "instance_url": "https://svc:old-secret-3@acme.example"}
    with store.session() as s:  # a run stored before config loading refused these
        run = s.get(Run, rid)
        run.config = {**run.config, "crm": {**run.config["crm"], "salesforce": leaked}}
    path = tmp_path / "audit.xlsx"
    write_workbook(store, rid, path)
    with zipfile.ZipFile(path) as z:
        blob = b"".join(z.read(n) for n in z.namelist())
    for secret in ("old-secret-1", "old-secret-2", "1234567", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "old-secret-3"):
        assert secret.encode() not in blob, secret
    store.dispose()


# ---- CSV formula payloads ----------------------------------------------------------------------------

CSV_PAYLOADS = [
    ("csv-cmd-dde", "=cmd|' /C calc'!A0"), ("csv-hyperlink", '=HYPERLINK("https://evil.example","Click")'),
    ("csv-plus", "+SUM(1,2)"), ("csv-minus", "-2+3"), ("csv-at", "@SUM(A1:A2)"),
    ("csv-tab-prefixed", "\t=1+1"), ("csv-cr-prefixed", "\r=1+1"), ("csv-fullwidth-equals", "\uff1d1+1"),
]


@pytest.fixture(scope="module")
def csv_rows(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    base = tmp_path_factory.mktemp("hostile-csv")
    store = open_store(f"sqlite:///{base / 'store.sqlite3'}")
    exceptions = [_exc(i, crm_value=p, customer_name=p, erp_value="ok") for i, (_, p) in enumerate(CSV_PAYLOADS, 1)]
    from decimal import Decimal
    exceptions.append(_exc(99, crm_value="-1500.00", difference=Decimal("-1500.00"), erp_value="0"))
    make_run(store, exceptions=exceptions)
    buf = io.StringIO()
    import contextlib
    with contextlib.redirect_stdout(buf):
        assert main(["exceptions", "--db", store.url, "--format", "csv"]) == 0
    store.dispose()
    return list(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))


@pytest.mark.parametrize("payload", [pytest.param(p, id=i) for i, p in CSV_PAYLOADS])
def test_csv_payload_is_written_as_text_a_spreadsheet_never_runs(csv_rows, payload):
    cells = [r["crm_value"] for r in csv_rows] + [r["customer_name"] for r in csv_rows]
    assert "'" + payload in cells and payload not in cells


def test_csv_plain_negative_numbers_stay_numbers(csv_rows):
    row = next(r for r in csv_rows if r["crm_value"] == "-1500.00")
    assert row["difference"] == "-1500.00"
