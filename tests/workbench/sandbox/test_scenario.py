"""The scenario generator: deterministic files, complete and truthful ground truth, round trip."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from workbench import config as config_mod
from workbench.model.currency import minor_units
from workbench.model.ids import is_salesforce_id, to_18
from workbench.progress import RecordingProgress
from workbench.reconcile.rules import parse, tolerance_warnings
from workbench.sandbox.scenario import generate, load

ALL_TYPES = {
    "customer.missing_in_erp", "customer.missing_in_crm", "customer.missing_xref", "customer.wrong_xref",
    "customer.duplicate", "customer.attribute_mismatch", "pricing.price_mismatch", "pricing.missing_in_erp",
    "pricing.missing_in_crm", "pricing.off_price_order_line", "invoice.status_mismatch",
    "invoice.balance_mismatch", "invoice.partial_payment_not_reflected", "invoice.due_date_mismatch",
    "invoice.amount_mismatch", "invoice.missing_in_crm", "invoice.missing_in_erp", "order.missing_in_erp",
    "order.amount_mismatch", "credit.blocked_in_erp", "data_quality.missing_tax_id",
    "data_quality.missing_billing_country", "data_quality.unmapped_product", "data_quality.hierarchy_mismatch",
}
DECOYS = {"id_15_char", "diacritics_ascii", "xref_case_whitespace", "invoice_number_case_whitespace",
          "order_number_leading_zeros",
          "name_case", "name_whitespace", "legal_form_synonym", "ampersand_and", "price_within_tolerance",
          "amount_rounding", "status_spelling", "partial_status_equivalent"}
ATTR_FIELDS = {"name", "street", "city", "postcode", "country", "tax_id", "currency"}


@pytest.fixture(scope="module")
def scen(tmp_path_factory):
    d = generate(11, 90, tmp_path_factory.mktemp("scen") / "s", invoices_per_customer=8)
    return load(d)


def _by_id(frame):
    return {r["record_id"]: r for r in frame.to_dict("records")}


def test_same_seed_gives_identical_files_and_another_seed_differs(tmp_path):
    a = generate(5, 30, tmp_path / "a")
    b = generate(5, 30, tmp_path / "b")
    c = generate(6, 30, tmp_path / "c")
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert {str(f) for f in files} >= {"truth.json", "scenario.json", "run.toml", "crm/Account.csv",
                                       "crm/blng__Invoice__c.csv", "erp/customers.csv", "erp/salesInvoices.csv",
                                       "erp/salesPrices.csv", "erp/customerPayments.csv"}
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f
    assert (a / "crm/Account.csv").read_bytes() != (c / "crm/Account.csv").read_bytes()


def test_every_exception_type_and_every_decoy_is_in_truth(scen):
    types = {e["type"] for e in scen.truth["exceptions"]}
    assert types == ALL_TYPES
    attr = {e["field"] for e in scen.truth["exceptions"] if e["type"] == "customer.attribute_mismatch"}
    assert attr == ATTR_FIELDS
    assert {d["what"] for d in scen.truth["decoys"]} == DECOYS
    # cases never share a record: each (type, crm, erp, field) once, and no record id is both a decoy and an exception
    keys = [(e["type"], e["crm_id"], e["erp_id"], e["field"]) for e in scen.truth["exceptions"]]
    assert len(keys) == len(set(keys))
    exc_ids = {e["crm_id"] for e in scen.truth["exceptions"]} | {e["erp_id"] for e in scen.truth["exceptions"]}
    decoy_ids = {d["crm_id"] for d in scen.truth["decoys"]} | {d["erp_id"] for d in scen.truth["decoys"]}
    assert not (exc_ids & decoy_ids) - {None}


def test_round_trip_frames_match_the_written_files(scen):
    meta = scen.meta
    assert meta["seed"] == 11 and meta["customers"] == 90
    assert len(scen.crm["invoices"]) == meta["files"]["crm/blng__Invoice__c.csv"] == meta["invoices"]
    assert len(scen.erp["invoices"]) == meta["files"]["erp/salesInvoices.csv"]
    assert len(scen.erp["payments"]) == meta["files"]["erp/customerPayments.csv"]
    inv = scen.crm["invoices"]
    assert all(isinstance(v, Decimal) for v in inv["total_amount"])
    assert all(isinstance(v, date) for v in inv["due_date"])
    assert set(inv["status_raw"]) <= {"Posted|Unpaid", "Posted|Paid", "Posted|Partially Paid", "Cancelled|Unpaid",
                                      "Cancelled|Paid", "Cancelled|Partially Paid"}
    # the 15-char decoys come back as the account's 18-char id
    assert set(inv["customer_id"]) <= set(scen.crm["customers"]["record_id"])
    assert all(is_salesforce_id(x) and len(x) == 18 for x in scen.crm["customers"]["record_id"])
    # ERP invoices carry their customer's GUID; JPY has no decimals on either side
    assert set(scen.erp["invoices"]["customer_id"]) <= set(scen.erp["customers"]["record_id"])
    for side in (scen.crm, scen.erp):
        jpy = side["invoices"][side["invoices"]["currency"] == "JPY"]
        assert all(v == v.to_integral_value() for v in jpy["total_amount"])


def test_links_pair_existing_customers_and_cover_the_broken_xrefs(scen):
    crm, erp = _by_id(scen.crm["customers"]), _by_id(scen.erp["customers"])
    links = {tuple(x) for x in scen.truth["links"]}
    assert all(c in crm and e in erp for c, e in links)
    by_number = {r["number"]: r["record_id"] for r in erp.values()}
    for e in scen.truth["exceptions"]:
        if e["type"] == "customer.missing_xref":
            assert (e["crm_id"], e["erp_id"]) in links and crm[e["crm_id"]]["xref"] is None
        if e["type"] == "customer.wrong_xref":
            assert (e["crm_id"], e["erp_id"]) in links
            assert by_number[crm[e["crm_id"]]["xref"]] != e["erp_id"]
        if e["type"] == "customer.missing_in_erp":
            assert e["crm_id"] in crm and e["crm_id"] not in {c for c, _ in links}
        if e["type"] == "customer.missing_in_crm":
            assert e["erp_id"] in erp and e["erp_id"] not in {x for _, x in links}
    # share of broken cross-references is about the configured 20%
    broken = sum(e["type"] in ("customer.missing_xref", "customer.wrong_xref") for e in scen.truth["exceptions"])
    assert 0.15 * 90 <= broken <= 0.25 * 90


def test_injected_differences_are_really_in_the_data(scen):
    crm_c, erp_c = _by_id(scen.crm["customers"]), _by_id(scen.erp["customers"])
    crm_i, erp_i = _by_id(scen.crm["invoices"]), _by_id(scen.erp["invoices"])
    crm_p, erp_p = _by_id(scen.crm["prices"]), _by_id(scen.erp["prices"])
    erp_numbers = {r["number"] for r in erp_i.values()}
    crm_numbers = {r["number"].strip().upper() for r in crm_i.values()}
    for e in scen.truth["exceptions"]:
        t, c, x, f = e["type"], e["crm_id"], e["erp_id"], e["field"]
        if t == "customer.attribute_mismatch":
            assert crm_c[c][f] != erp_c[x][f], e
        elif t == "credit.blocked_in_erp":
            assert erp_c[x]["blocked"] == "All"
        elif t == "data_quality.missing_tax_id":
            assert crm_c[c]["tax_id"] is None and erp_c[x]["tax_id"] is None
        elif t == "invoice.status_mismatch":
            assert crm_i[c]["status"] != erp_i[x]["status"]
        elif t == "invoice.partial_payment_not_reflected":
            a, b = crm_i[c], erp_i[x]
            assert a["open_balance"] == a["total_amount"] and 0 < b["open_balance"] < b["total_amount"]
        elif t == "invoice.balance_mismatch":
            assert crm_i[c]["open_balance"] != erp_i[x]["open_balance"]
            assert crm_i[c]["total_amount"] == erp_i[x]["total_amount"]
        elif t == "invoice.amount_mismatch":
            assert crm_i[c]["total_amount"] != erp_i[x]["total_amount"]
        elif t == "invoice.due_date_mismatch":
            assert crm_i[c]["due_date"] != erp_i[x]["due_date"]
            assert crm_i[c]["open_balance"] == erp_i[x]["open_balance"]
        elif t == "invoice.missing_in_erp":
            assert crm_i[c]["number"] not in erp_numbers
        elif t == "invoice.missing_in_crm":
            assert erp_i[x]["number"] not in crm_numbers
        elif t == "pricing.price_mismatch":
            a, b = crm_p[c]["unit_price"], erp_p[x]["unit_price"]
            assert abs(a - b) > max(Decimal("0.01"), Decimal("0.005") * a)
    crm_o, erp_o = _by_id(scen.crm["orders"]), _by_id(scen.erp["orders"])
    crm_l = _by_id(scen.crm["order_lines"])
    erp_codes = set(scen.erp["products"]["code"])
    erp_order_refs = {r["xref"].lstrip("0") for r in erp_o.values()}
    for e in scen.truth["exceptions"]:
        t, c, x, f = e["type"], e["crm_id"], e["erp_id"], e["field"]
        if t == "data_quality.unmapped_product":
            assert _by_id(scen.crm["products"])[c]["code"] not in erp_codes
        elif t == "data_quality.hierarchy_mismatch":
            assert crm_c[c]["parent_id"] is not None and erp_c[x]["parent_id"] is None
        elif t == "pricing.off_price_order_line":
            line = crm_l[c]
            assert line["unit_price"] < line["list_price"] == erp_p[x]["unit_price"]
            assert crm_o[line["order_id"]]["booked"] is True
        elif t == "order.missing_in_erp":
            assert crm_o[c]["booked"] is True and crm_o[c]["xref"] is None
            assert crm_o[c]["number"].lstrip("0") not in erp_order_refs
        elif t == "order.amount_mismatch":
            assert crm_o[c]["total_amount"] != erp_o[x]["total_amount"]
        elif t == "customer.duplicate":
            side_c = crm_c if c not in {a for a, _ in scen.truth["links"]} else erp_c
            dup = crm_c[c] if side_c is crm_c else erp_c[x]
            twins = [r for r in side_c.values() if r["name"] == dup["name"] and r["record_id"] != dup["record_id"]]
            assert twins  # the record it duplicates (names may repeat by chance, so at least one)
        elif t == "pricing.missing_in_erp":
            p = crm_p[c]
            assert not [r for r in erp_p.values() if (r["product_code"], r["currency"]) == (p["product_code"],
                                                                                          p["currency"])]
    for d in scen.truth["decoys"]:
        if d["what"] == "diacritics_ascii":
            import unicodedata
            a, b = crm_c[d["crm_id"]]["name"], erp_c[d["erp_id"]]["name"]
            german = a.translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                                                "ß": "ss"}))  # as German writes them in ASCII
            assert a != b and "".join(ch for ch in unicodedata.normalize("NFKD", german)
                                      if not unicodedata.combining(ch)) == b
        if d["what"] == "price_within_tolerance":
            a, b = crm_p[d["crm_id"]]["unit_price"], erp_p[d["erp_id"]]["unit_price"]
            assert 0 < abs(a - b) <= max(Decimal("0.01"), Decimal("0.005") * a)
        if d["what"] == "amount_rounding":
            a, b = crm_i[d["crm_id"]], erp_i[d["erp_id"]]
            assert abs(a["total_amount"] - b["total_amount"]) == Decimal(1).scaleb(-minor_units(a["currency"]))
        if d["what"] == "legal_form_synonym":
            assert crm_c[d["crm_id"]]["name"] != erp_c[d["erp_id"]]["name"]


def test_run_toml_reads_both_sides_with_the_files_connector(scen):
    cfg = config_mod.load(scen.path / "run.toml")
    assert cfg.side("crm")["connector"] == "files" and cfg.side("crm")["system"] == "salesforce"
    assert cfg.side("erp")["system"] == "business_central"
    assert cfg.as_of.isoformat() == scen.truth["as_of"]
    assert cfg.rules["tolerances"]["price"] == {"abs_minor": 1, "rel": "0.005"}
    # the generated config draws no warning about itself (a price tolerance of "0.01" allowed nothing in JPY)
    assert tolerance_warnings(parse(cfg.rules, cfg.where()), {"EUR", "USD", "GBP", "JPY", "CHF", "SEK"}) == []


def test_smallest_size_and_progress_and_erp_side_xref(tmp_path):
    prog = RecordingProgress()
    d = generate(1, 10, tmp_path / "tiny", state=prog)
    s = load(d)
    assert prog.updates[-1][:2] == (5, 5)
    assert 60 <= len(s.crm["invoices"]) + len(s.erp["invoices"]) <= 260
    truth = json.loads((d / "truth.json").read_text())
    assert truth["links"] and truth["exceptions"]
    # the ERP-side reference (for an Odoo flavour) only where the CRM xref is right
    linked = {e: c for c, e in truth["links"]}
    numbers = dict(zip(s.erp["customers"]["record_id"], s.erp["customers"]["number"]))
    broken = {e["crm_id"] for e in truth["exceptions"] if e["type"] in ("customer.missing_xref", "customer.wrong_xref")}
    for erp_id, crm_id in linked.items():
        ref = s.erp_xref.get(numbers[erp_id])
        assert ref == (None if crm_id in broken else crm_id)
    assert all(to_18(v) == v for v in s.erp_xref.values())


def test_cancel_leaves_no_scenario_behind(tmp_path):
    class CancelAfterFirst(RecordingProgress):
        def set_progress(self, done, total=None, message=""):
            super().set_progress(done, total, message)
            if done >= 2:
                self.cancel()

    from workbench.errors import Cancelled
    with pytest.raises(Cancelled):
        generate(1, 20, tmp_path / "gone", state=CancelAfterFirst())
    assert not (tmp_path / "gone").exists()
    assert list(tmp_path.iterdir()) == []


def test_never_overwrites_a_directory_that_is_not_a_scenario(tmp_path):
    from workbench.errors import InputError
    keep = tmp_path / "documents"
    keep.mkdir()
    (keep / "budget.xlsx").write_bytes(b"mine")
    with pytest.raises(InputError, match="not a generated scenario"):
        generate(1, 10, keep)
    assert (keep / "budget.xlsx").read_bytes() == b"mine"
    # an earlier scenario is replaced in place
    d = generate(1, 10, tmp_path / "s")
    again = generate(2, 10, d)
    assert json.loads((again / "scenario.json").read_text())["seed"] == 2
