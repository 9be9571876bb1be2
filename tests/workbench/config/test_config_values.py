"""Config values that fit their type but not their meaning: a month 13, an empty file name, a tolerance
that reconciles everything. Each is refused on load with the config file, the key and what is expected."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from workbench import config
from workbench.cli import main
from workbench.errors import ConfigError

BASE = """
[run]
name = "October close"
{as_of}
{run}
[crm]
connector = "files"
system = "salesforce"
[erp]
connector = "files"
system = "business_central"
{erp}
{rules}
"""


def _write(tmp_path: Path, *, run: str = "", erp: str = "", rules: str = "", as_of: str = 'as_of = "2026-10-31"'
           ) -> Path:
    p = tmp_path / "run.toml"
    p.write_text(BASE.format(as_of=as_of, run=run, erp=erp, rules=rules), encoding="utf-8")
    return p


REFUSED = [
    ("period-month-13", {"run": 'period = "2026-13"'},
     "run.period = '2026-13': expected YYYY-MM with a month 01 to 12 (e.g. \"2026-10\"), YYYY-Qn or YYYY"),
    ("period-month-00", {"run": 'period = "2026-00"'}, "run.period = '2026-00': expected YYYY-MM"),
    ("period-free-text", {"run": 'period = "October"'}, "run.period = 'October': expected YYYY-MM"),
    ("period-quarter-5", {"run": 'period = "2026-Q5"'}, "run.period = '2026-Q5'"),
    ("period-trailing-space", {"run": 'period = "2026-10 "'}, "run.period = '2026-10 '"),
    ("as-of-year-mistyped", {"as_of": f'as_of = "{date.today().year + 36}-10-31"'},
     f"[run] as_of = '{date.today().year + 36}-10-31', expected a date from 1900-03-01 to "
     f"{(date.today() + timedelta(days=366)).isoformat()} (a year from today at most)"),
    ("as-of-before-excel-dates", {"as_of": "as_of = 0001-01-01"}, "[run] as_of = '0001-01-01', expected a date from "
                                                                   "1900-03-01"),
    ("file-empty", {"erp": '[erp.objects.invoices]\nfile = ""'},
     "erp.objects.invoices.file = '': expected the extract's file name (.csv or .xlsx) in quotes, not an empty "
     "text (leave the key out for the default)"),
    ("file-blank", {"erp": '[erp.objects.invoices]\nfile = "   "'}, "erp.objects.invoices.file = '   '"),
    ("sheet-empty", {"erp": '[erp.objects.invoices]\nsheet = ""'}, "erp.objects.invoices.sheet = '': expected"),
    ("encoding-empty", {"erp": '[erp.objects.invoices]\nencoding = ""'}, "erp.objects.invoices.encoding = ''"),
    ("delimiter-line-break", {"erp": '[erp.objects.invoices]\ndelimiter = "\\n"'},
     "erp.objects.invoices.delimiter = '\\n': expected one character in quotes (ASCII), such as \",\" or \";\" or "
     "\"\\t\", other than a line break, the quote character, a letter or a digit"),
    ("delimiter-quote", {"erp": "[erp.objects.invoices]\ndelimiter = '\"'"}, "erp.objects.invoices.delimiter = '\"'"),
    ("delimiter-decimal-point-digit", {"erp": '[erp.objects.invoices]\ndelimiter = "0"'},
     "erp.objects.invoices.delimiter = '0': expected one character"),
    ("price-tolerance-a-billion-yen", {"rules": '[rules.tolerances]\nprice = { JPY = "1000000000" }'},
     "[rules.tolerances] price.JPY = '1000000000': expected at most 10000 JPY (10,000 minor units); a tolerance "
     "is for rounding; a wider one reconciles real differences without a trace"),
    ("price-tolerance-1e9-as-a-number", {"rules": "[rules.tolerances]\nprice = { EUR = 1e9 }"},
     "[rules.tolerances] price.EUR = 1000000000.0: expected at most 100.00 EUR"),
    ("price-abs-huge", {"rules": '[rules.tolerances]\nprice_abs = "1000000"'},
     "[rules.tolerances] price_abs = '1000000': expected at most 100.00 (10,000 minor units)"),
    ("price-rel-half", {"rules": '[rules.tolerances]\nprice_rel = "0.5"'},
     "[rules.tolerances] price_rel = '0.5': expected at most \"0.1\" (10 %)"),
    ("balance-rel-99-percent", {"rules": '[rules.tolerances]\ninvoice_balance = { rel = "0.99" }'},
     "[rules.tolerances] invoice_balance.rel = '0.99': expected at most \"0.1\""),
    ("abs-minor-huge", {"rules": "[rules.tolerances]\ninvoice_amount = { abs_minor = 100000000 }"},
     "[rules.tolerances] invoice_amount.abs_minor = 100000000: expected at most 10,000 minor units"),
    ("crm-lag-of-a-century", {"rules": "[rules.timing]\nlag_days = 36500"},
     "[rules.timing] lag_days = 36500: expected at most 366 days; a lag that long hides every payment or "
     "cancellation the CRM never shows"),
    ("invoice-date-window-of-years", {"rules": "[rules.invoices]\ndate_window_days = 3650"},
     "[rules.invoices] date_window_days = 3650: expected at most 366 days"),
    ("amount-minor-units-huge", {"rules": "[rules.tolerances]\namount_minor_units = 1000000"},
     "[rules.tolerances] amount_minor_units = 1000000: expected at most 10,000 minor units"),
]


@pytest.mark.parametrize("parts, says", [pytest.param(p, s, id=i) for i, p, s in REFUSED])
def test_a_value_outside_its_meaning_is_refused_naming_file_key_and_what_is_expected(tmp_path, parts, says):
    p = _write(tmp_path, **parts)
    with pytest.raises(ConfigError) as e:
        config.load(p)
    assert str(e.value).startswith(f"{p}: ") and says in str(e.value), str(e.value)


@pytest.mark.parametrize("parts", [
    pytest.param({"run": 'period = "2026-12"'}, id="period-december"),
    pytest.param({"run": 'period = "2026-Q4"'}, id="period-quarter"),
    pytest.param({"run": 'period = "2026"'}, id="period-year"),
    pytest.param({"rules": '[rules.tolerances]\nprice = { abs_minor = 1, rel = "0.005", JPY = "1" }'},
                 id="tolerance-as-documented"),
    pytest.param({"rules": '[rules.tolerances]\ninvoice_balance = { abs_minor = 10000, rel = "0.1", KWD = "10" }'},
                 id="tolerance-at-the-limits"),
])
def test_values_within_their_meaning_load(tmp_path, parts):
    config.load(_write(tmp_path, **parts))


def test_the_cli_refuses_a_tolerance_that_reconciles_everything_in_one_line(tmp_path, capsys):
    p = _write(tmp_path, rules='[rules.tolerances]\nprice = { JPY = "1000000000" }')
    assert main(["run", "--config", str(p), "--db", f"sqlite:///{tmp_path / 'store.sqlite3'}"]) == 2
    err = capsys.readouterr().err
    assert f"{p}: [rules.tolerances] price.JPY = '1000000000': expected at most 10000 JPY" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("table", "typo", "meant"), [
    ("salesforce", "bulk_treshold", "bulk_threshold"),
    ("business_central", "scpoe", "scope"),
    ("odoo", "databse", "database"),
])
def test_a_typo_in_a_connectors_settings_is_refused_naming_the_key_meant(table, typo, meant):
    """The connector tables took any key: a typo was ignored and the run went on with the default."""
    from workbench.config import schema
    side = "crm" if table == "salesforce" else "erp"
    raw = {side: {"connector": table, table: {typo: "1"}}, "crm" if side == "erp" else "erp": {"connector": "files"}}
    said = schema.validate(raw)
    assert said is not None and f"{side}.{table}" in said
    assert f"unknown setting {typo!r}; did you mean {meant!r}?" in said
    raw[side][table] = {meant: "1", "client_secret_env": "SECRET_VAR"}  # the key meant, and a secret's variable
    assert schema.validate(raw) is None
