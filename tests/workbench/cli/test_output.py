"""What the commands print: labels and money in tables, cut cells ending in an ellipsis, ISO 8601 times
with their offset in JSON, no Python reprs, and filter values that name nothing refused with the valid ones."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime

import pytest

from tests.workbench.cli.scenario_run import scenario_store
from workbench.cli import main
from workbench.cli.output import fit
from workbench.pipeline import format_summary

MISSING_WORDS = re.compile(r"\b(nan|None|NaT)\b")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return scenario_store(tmp_path_factory.mktemp("cli-output"))


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_cut_cell_ends_with_an_ellipsis_and_a_short_one_is_whole():
    assert fit("Schröder Antriebstechnik GmbH", 12) == "Schröder An…"
    assert fit("Acme", 12) == "Acme"
    assert fit(None, 5) == "" and fit(float("nan"), 5) == ""


def test_the_run_summary_prints_words_not_python_dicts():
    text = format_summary({"exceptions": {"invoice.status_mismatch": 3}, "exceptions_total": 3,
                           "api_usage": {"crm": {"calls": 15, "by_resource": {"query": 14, "sobjects": 1},
                                                 "used": None, "max": 15000}},
                           "control_totals": [{"side": "erp", "currency": "JPY", "invoices": 2,
                                               "total_amount": "1234567", "open_balance": "1000"}]})
    assert "API usage CRM: calls 15, by resource: query 14, sobjects 1, max 15,000" in text
    assert "{" not in text and "'" not in text and not MISSING_WORDS.search(text)
    assert "Invoice status differs" in text and "invoice.status_mismatch" in text  # the label, and the --type code
    assert "1,234,567" in text and "1,234,567.00" not in text  # JPY has no minor unit


def test_exceptions_table_reads_in_labels_and_money_with_its_currency(db, capsys):
    code, out, _ = _run(capsys, "exceptions", "--db", db)
    assert code == 0
    assert "Price differs" in out and "pricing.price_mismatch" not in out
    assert re.search(r"\d{1,3}(,\d{3})*\.\d{2} (EUR|USD|GBP|CHF|SEK)", out)  # grouped, minor units, code
    assert re.search(r"\d{1,3}(,\d{3})* JPY", out) and not re.search(r"\d\.\d+ JPY", out)
    assert "…" in out  # long customer names and types are cut visibly, not silently
    assert not MISSING_WORDS.search(out)


def test_json_times_carry_their_utc_offset(db, capsys):
    _, out, _ = _run(capsys, "runs", "--format", "json", "--db", db)
    started = datetime.fromisoformat(json.loads(out)[0]["started_at"])
    assert started.utcoffset() is not None and started.utcoffset().total_seconds() == 0
    _, out, _ = _run(capsys, "exceptions", "--format", "json", "--db", db)
    first = json.loads(out)["exceptions"][0]
    assert first["first_seen"].endswith("+00:00") and first["type_label"]


def test_csv_and_json_keep_codes_and_show_no_missing_words(db, capsys):
    _, out, _ = _run(capsys, "exceptions", "--format", "csv", "--db", db)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and {"type", "type_label", "field_label"} <= set(rows[0])
    assert any(r["type"] == "pricing.price_mismatch" and r["type_label"] == "Price differs" for r in rows)
    for r in rows:
        # the key is the engine's identity of the finding across runs, kept as stored
        assert not any(MISSING_WORDS.search(v) for k, v in r.items() if k != "key"), r
    _, out, _ = _run(capsys, "exceptions", "--format", "json", "--db", db)
    for e in json.loads(out)["exceptions"]:
        assert not any(isinstance(v, str) and MISSING_WORDS.search(v) for k, v in e.items() if k != "key"), e


@pytest.mark.parametrize("argv, listed", [
    (["exceptions", "--type", "invoice.nope"], "invoice.status_mismatch"),
    (["exceptions", "--severity", "urgent"], "critical"),
    (["exceptions", "--status", "closed"], "in_review"),
    (["corrections", "list", "--type", "invoice.nope"], "invoice.status_mismatch"),
    (["corrections", "list", "--state", "done"], "dead_letter"),
    (["corrections", "list", "--side", "crmm"], "erp"),
    (["corrections", "list", "--object", "invoice"], "invoices"),
])
def test_a_filter_value_that_names_nothing_is_exit_2_listing_the_valid_ones(db, capsys, argv, listed):
    code, out, err = _run(capsys, *argv, "--db", db)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and listed in err and "Traceback" not in err


def test_a_known_filter_value_filters(db, capsys):
    code, out, _ = _run(capsys, "exceptions", "--format", "json", "--type", "pricing.price_mismatch,"
                        "customer.duplicate", "--severity", "critical", "--severity", "high", "--db", db)
    found = json.loads(out)["exceptions"]
    assert code == 0 and found
    assert {e["type"] for e in found} <= {"pricing.price_mismatch", "customer.duplicate"}
    assert {e["severity"] for e in found} <= {"critical", "high"}
