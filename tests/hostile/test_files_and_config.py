"""Hostile input, files and config: the shipped example mutated one way per case, run through the CLI.

Every case ends one of two ways a user can rely on:
- refused clearly: exit 2, one line naming the place (file + row + column, or the config key
  path), no traceback, and nothing stored as the latest run (a run that failed while reading
  is kept as a failed run with the reason);
- accepted correctly: exit 0 and the same findings as the unmodified example.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import hostile as h


@dataclass(frozen=True)
class Refused:
    says: tuple[str, ...]  # every piece must be in the error line
    failed_run: bool = True  # False: refused before a run starts (the config itself)
    never: tuple[str, ...] = ()  # misleading words that must not appear


@dataclass(frozen=True)
class Accepted:
    pass


SAME = Accepted()
ERP_INV, CRM_INV = h.ERP_INVOICES, h.CRM_INVOICES


def _cfg(cfg: Path) -> Path:
    return cfg


def _erp(cfg: Path) -> Path:
    return cfg.parent / ERP_INV


def _crm(cfg: Path) -> Path:
    return cfg.parent / CRM_INV


def _to_xlsx(formulas: dict[tuple[int, str], str | None],
             results: dict[str, str] | None = None) -> Callable[[Path], None]:
    def mutate(cfg: Path) -> None:
        xlsx = h.csv_to_xlsx(_erp(cfg), formulas)
        if results:
            h.save_formula_results(xlsx, results)
        h.replace_text(cfg, 'file = "salesInvoices.csv"', 'file = "salesInvoices.xlsx"')
    return mutate


def _replaced_by(make: Callable[[Path], None]) -> Callable[[Path], None]:
    """The ERP invoices file replaced by what ``make`` puts at its path."""
    def mutate(cfg: Path) -> None:
        _erp(cfg).unlink()
        make(_erp(cfg))
    return mutate


def _config_replaced_by(make: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(cfg: Path) -> None:
        cfg.unlink()
        make(cfg)
    return mutate


def _object_key(line: str, kind: str = "invoices", file: str = "salesInvoices.csv") -> Callable[[Path], None]:
    return lambda cfg: h.replace_text(cfg, f'file = "{file}"', f'file = "{file}"\n{line}')


def _no_config(cfg: Path) -> None:
    cfg.unlink()


def _cp1252(declared: bool) -> Callable[[Path], None]:
    def mutate(cfg: Path) -> None:
        h.to_bytes(cfg.parent / "data/business_central/customers.csv", "cp1252")
        if declared:
            h.replace_text(cfg, 'file = "customers.csv"', 'file = "customers.csv"\nencoding = "cp1252"')
    return mutate


def _utf16(setting: str | None = None) -> Callable[[Path], None]:
    """The ERP's invoices in UTF-16 with its byte order mark (Excel's "Unicode Text"), ``setting`` declared."""
    def mutate(cfg: Path) -> None:
        h.to_bytes(_erp(cfg), "utf-16")
        if setting is not None:
            _object_key(setting)(cfg)
    return mutate


def _semicolons(cfg: Path) -> None:
    path = _erp(cfg)
    rows = h.read_rows(path)
    path.write_text("".join(";".join(r) + "\n" for r in rows), encoding="utf-8")
    h.replace_text(cfg, 'file = "salesInvoices.csv"', 'file = "salesInvoices.csv"\ndelimiter = ";"')


def _sep_line(line: str, sep: str = ";", newline: str = "\n", bom: bytes = b"",
              edit: tuple[int, str, str] | None = None) -> Callable[[Path], None]:
    """The ERP's invoices delimited by ``sep`` under Excel's delimiter line ``line``; ``edit``: (file line,
    old, new) of one cell."""
    def mutate(cfg: Path) -> None:
        path = _erp(cfg)
        lines = [line, *(sep.join(r) for r in h.read_rows(path))]
        if edit is not None:
            at, old, new = edit
            assert old in lines[at - 1]
            lines[at - 1] = lines[at - 1].replace(old, new, 1)
        path.write_bytes(bom + "".join(x + newline for x in lines).encode("utf-8"))
    return mutate


def _sep_line_and_delimiter(line: str, sep: str, delimiter: str) -> Callable[[Path], None]:
    def mutate(cfg: Path) -> None:
        _sep_line(line, sep)(cfg)
        h.replace_text(cfg, 'file = "salesInvoices.csv"', f'file = "salesInvoices.csv"\ndelimiter = "{delimiter}"')
    return mutate


# (id, mutation of the example copy, expected outcome)
CASES: list[tuple[str, Callable[[Path], None], Refused | Accepted]] = [
    # ---- CSV: required values, rows, quotes, numbers, headers
    ("csv-blank-invoice-total", lambda c: h.set_cell(_erp(c), 2, "totalAmountIncludingTax", ""),
     Refused(("salesInvoices.csv", "row 2", "totalAmountIncludingTax", "empty value"))),
    ("csv-blank-record-id", lambda c: h.set_cell(_crm(c), 5, "Id", ""),
     Refused(("blng__Invoice__c.csv", "row 5", "'Id'", "empty value"))),
    ("csv-blank-currency", lambda c: h.set_cell(_erp(c), 3, "currencyCode", " "),
     Refused(("salesInvoices.csv", "row 3", "currencyCode", "empty value"))),
    ("csv-truncated-last-row", lambda c: h.truncate_last_row(_erp(c), 6),
     Refused(("salesInvoices.csv", "row 15", "6 cells where the header has 12"), never=("empty value",))),
    ("csv-extra-cell", lambda c: h.edit_line(_erp(c), 4, ",Paid", ",Paid,extra"),
     Refused(("salesInvoices.csv", "row 4", "13 cells where the header has 12"))),
    ("csv-unbalanced-quote-mid-file", lambda c: h.edit_line(_crm(c), 4, '"PSI-103003"', '"PSI-103003'),
     Refused(("blng__Invoice__c.csv", "row 4", "unbalanced quote"), never=("currency", "empty value"))),
    ("csv-quote-glued-to-a-quoted-cell", lambda c: h.edit_line(_crm(c), 4, '"PSI-103003"', '"PSI-103003"X'),
     Refused(("blng__Invoice__c.csv", "row 4", "quote"))),
    ("csv-quote-inside-an-unquoted-cell", lambda c: h.edit_line(_erp(c), 3, "PSI-103002", 'PSI-10"3002'),
     Refused(("salesInvoices.csv", "row 3", "malformed quote"))),
    ("csv-quoted-cell-never-closes", lambda c: h.edit_line(_erp(c), 15, "f100", '"f100'),
     Refused(("salesInvoices.csv", "row 15", "never closes"))),
    ("csv-40-digit-amount", lambda c: h.set_cell(_erp(c), 2, "totalAmountIncludingTax", "1" * 40),
     Refused(("salesInvoices.csv", "row 2", "totalAmountIncludingTax", "too large"))),
    ("csv-1e309", lambda c: h.set_cell(_erp(c), 2, "remainingAmount", "1e309"),
     Refused(("salesInvoices.csv", "row 2", "remainingAmount", "too large"))),
    ("csv-NaN", lambda c: h.set_cell(_crm(c), 3, "blng__TotalAmount__c", "NaN"),
     Refused(("blng__Invoice__c.csv", "row 3", "blng__TotalAmount__c", "not a number"))),
    ("csv-inf", lambda c: h.set_cell(_crm(c), 3, "blng__Balance__c", "-inf"),
     Refused(("blng__Invoice__c.csv", "row 3", "blng__Balance__c", "not a number"))),
    ("csv-headers-differing-only-in-case", lambda c: h.rename_header(_erp(c), "externalDocumentNumber", "DueDate"),
     Refused(("salesInvoices.csv", "row 1", "'DueDate' and 'dueDate'", "differ only in case"))),
    ("csv-default-due-date-column-missing", lambda c: h.drop_column(_crm(c), "blng__DueDate__c"),
     Refused(("blng__Invoice__c.csv", "blng__DueDate__c", "missing column", "compared record by record"))),
    ("csv-utf8-bom", lambda c: h.to_bytes(_crm(c), "utf-8", bom=b"\xef\xbb\xbf"), SAME),
    ("csv-crlf-line-ends", lambda c: h.to_bytes(_erp(c), "utf-8", newline="\r\n"), SAME),
    ("csv-doubled-quotes-inside-a-quoted-cell",
     lambda c: h.edit_line(_crm(c), 3, '"INV-0000002"', '"INV ""0000002"", re-issued"'), SAME),
    ("csv-semicolons-declared", _semicolons, SAME),
    ("csv-cp1252-declared", _cp1252(declared=True), SAME),
    # ---- CSV: Excel's delimiter line "sep=;" above the header
    ("csv-excel-delimiter-line", _sep_line("sep=;"), SAME),
    ("csv-excel-delimiter-line-tab-after-a-bom-with-crlf", _sep_line("SEP=\t", "\t", "\r\n", b"\xef\xbb\xbf"), SAME),
    ("csv-excel-delimiter-line-quoted-and-padded", _sep_line('"sep=|"|||||||||||', "|"), SAME),
    ("csv-excel-delimiter-line-and-the-same-delimiter-declared", _sep_line_and_delimiter("sep=;", ";", ";"), SAME),
    ("csv-excel-delimiter-line-and-another-delimiter-declared", _sep_line_and_delimiter("sep=;", ";", ","),
     Refused(("salesInvoices.csv, row 1", "'sep=;' names the delimiter ';'", "the config's delimiter = ','"))),
    ("csv-excel-delimiter-line-without-a-delimiter", _sep_line("sep="),
     Refused(("salesInvoices.csv, row 1", "'sep='", "names no delimiter"))),
    ("csv-excel-delimiter-line-with-more", _sep_line("sep=;;x"),
     Refused(("salesInvoices.csv, row 1", "'sep=;;x'", "holds more than its delimiter"))),
    ("csv-excel-delimiter-line-then-a-bad-amount", _sep_line("sep=;", edit=(4, ";3450.50;", ";34S0.50;")),
     Refused(("salesInvoices.csv, row 4, column 'totalAmountIncludingTax'", "not a number"))),
    ("csv-excel-delimiter-line-then-a-short-row", _sep_line("sep=;", edit=(16, ";96000;96000;Open", "")),
     Refused(("salesInvoices.csv, row 16", "9 cells where the header has 12"))),
    # a file that never ends or never opens: the run must not hang (nor read /dev/zero until memory runs out)
    ("csv-symlink-to-dev-zero", _replaced_by(lambda p: p.symlink_to("/dev/zero")),
     Refused(("salesInvoices.csv", "is a device, pipe or socket, not a file"))),
    ("csv-named-pipe", _replaced_by(lambda p: os.mkfifo(p)),
     Refused(("salesInvoices.csv", "is a device, pipe or socket, not a file"))),
    ("csv-cp1252-undeclared", _cp1252(declared=False),
     Refused(("customers.csv", "row 2", "not UTF-8"))),
    # Excel's "Unicode Text": its byte order mark says UTF-16
    ("csv-utf16-undeclared", _utf16(), SAME),
    ("csv-utf16-under-a-declared-cp1252", _utf16('encoding = "cp1252"'),
     Refused(("salesInvoices.csv", "is UTF-16 text", 'not cp1252 as the config says', 'encoding = "utf-16"'))),
    # ---- xlsx
    ("xlsx-formula-without-saved-result", _to_xlsx({(2, "totalAmountIncludingTax"): "=11000+900"}),
     Refused(("salesInvoices.xlsx", "row 2", "totalAmountIncludingTax", "formula without a saved result"))),
    ("xlsx-formula-with-saved-result", _to_xlsx({(2, "totalAmountIncludingTax"): "=11000+900"}, {"J2": "11900"}),
     SAME),
    ("xlsx-blank-required-cell", _to_xlsx({(3, "currencyCode"): None}),
     Refused(("salesInvoices.xlsx", "row 3", "currencyCode", "empty value"))),
    # ---- the run config: keys, types, values
    ("toml-typo-asof", lambda c: h.replace_text(c, "as_of =", "asof ="),
     Refused(("unknown key run.asof", "as_of"), failed_run=False)),
    ("toml-typo-rulez-table", lambda c: h.replace_text(c, "[rules.tolerances]", "[rulez.tolerances]"),
     Refused(("unknown key rulez", "rules"), failed_run=False)),
    ("toml-typo-rules-subtable", lambda c: h.replace_text(c, "[rules.tolerances]", "[rules.tolerancez]"),
     Refused(("[rules.tolerancez]",))),
    ("toml-unknown-key-under-crm", lambda c: h.add_line_after(c, 'connector = "files"', 'conector = "files"'),
     Refused(("unknown key crm.conector",), failed_run=False)),
    ("toml-unknown-key-under-erp-files", lambda c: h.add_line_after(c, 'dir = "data/business_central"', 'dri = "x"'),
     Refused(("unknown key erp.files.dri", "dir"), failed_run=False)),
    ("toml-unknown-key-under-an-object", _object_key('delimeter = ";"'),
     Refused(("unknown key erp.objects.invoices.delimeter", "delimiter"), failed_run=False)),
    ("toml-decimal-comma-as-text", _object_key('decimal_comma = "false"'),
     Refused(("erp.objects.invoices.decimal_comma = 'false'", "true, false (without quotes)"), failed_run=False)),
    ("toml-encoding-a-number", _object_key("encoding = 5"),
     Refused(("erp.objects.invoices.encoding = 5", "text in quotes"), failed_run=False)),
    ("toml-delimiter-a-number", _object_key("delimiter = 5"),
     Refused(("erp.objects.invoices.delimiter = 5", "one character"), failed_run=False)),
    ("toml-delimiter-two-characters", _object_key('delimiter = ";;"'),
     Refused(("erp.objects.invoices.delimiter = ';;'", "one character"), failed_run=False)),
    ("toml-date-format-a-number", _object_key("date_format = 5"),
     Refused(("erp.objects.invoices.date_format = 5",), failed_run=False)),
    ("toml-fields-a-text", lambda c: h.replace_text(c, '[crm.objects.orders.fields]\nxref = "ERP_Order_Number__c"',
                                                    'fields = "x"'),
     Refused(("crm.objects.orders.fields = 'x'", "table"), failed_run=False)),
    ("toml-dir-a-number", lambda c: h.replace_text(c, 'dir = "data/business_central"', "dir = 5"),
     Refused(("erp.files.dir = 5",), failed_run=False)),
    ("toml-run-a-text", lambda c: h.replace_text(c, "[run]\n", 'run = "x"\n[crm0]\n'),
     Refused(("run",), failed_run=False)),
    ("toml-as-of-not-a-date", lambda c: h.replace_text(c, 'as_of = "2026-10-31"', 'as_of = "31.10.2026"'),
     Refused(("run.as_of = '31.10.2026'", "YYYY-MM-DD"), failed_run=False)),
    ("toml-as-of-a-date-time", lambda c: h.replace_text(c, 'as_of = "2026-10-31"', "as_of = 2026-10-31T10:00:00Z"),
     Refused(("run.as_of", "expected a date YYYY-MM-DD"), failed_run=False, never=("internal error",))),
    ("toml-unknown-system", lambda c: h.replace_text(c, 'system = "business_central"', 'system = "sap"'),
     Refused(("system = 'sap'", "business_central", "odoo"), never=("status_fields",))),
    ("toml-unknown-connector", lambda c: h.replace_text(c, 'connector = "files"\nsystem = "business_central"',
                                                        'connector = "sap"\nsystem = "business_central"'),
     Refused(("[erp] connector = 'sap'", "business_central"), failed_run=False)),
    ("toml-unknown-record-kind", lambda c: h.replace_text(c, "[erp.objects.payments]", "[erp.objects.paymentz]"),
     Refused(("[erp.objects.paymentz] is not a record kind",), failed_run=False)),
    ("toml-utf8-bom", lambda c: h.to_bytes(c, "utf-8", bom=b"\xef\xbb\xbf"), SAME),
    ("config-is-a-directory", lambda c: None, Refused(("is a folder",), failed_run=False)),
    ("config-missing", _no_config, Refused(("config file not found",), failed_run=False)),
    ("config-symlink-to-dev-zero", _config_replaced_by(lambda p: p.symlink_to("/dev/zero")),  # was a MemoryError
     Refused(("larger than 16 MiB (or endless, like a device)",), failed_run=False)),
]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Counter[str]:
    tmp = tmp_path_factory.mktemp("baseline")
    got = h.run_cli(h.example_copy(tmp), tmp)
    assert got.code == 0, got.error
    assert sum(got.exceptions.values()) > 5  # the example's findings, to compare every accepted case with
    return got.exceptions


@pytest.mark.parametrize("mutate,expected", [pytest.param(m, e, id=i) for i, m, e in CASES])
def test_hostile_input_is_refused_clearly_or_accepted_correctly(tmp_path: Path, baseline: Counter[str],
                                                                mutate: Callable[[Path], None],
                                                                expected: Refused | Accepted,
                                                                request: pytest.FixtureRequest) -> None:
    cfg = h.example_copy(tmp_path)
    mutate(cfg)
    target = cfg.parent if request.node.callspec.id == "config-is-a-directory" else cfg
    got = h.run_cli(target, tmp_path)
    assert "Traceback" not in got.stderr and "internal error" not in got.stderr
    if isinstance(expected, Accepted):
        assert got.code == 0, got.error
        assert got.latest is not None
        assert got.exceptions == baseline
        return
    assert got.code == 2, (got.code, got.error)
    assert got.error.count("\n") == 0 and got.error.startswith("workbench: error: ")
    for piece in expected.says:
        assert piece in got.error, f"{piece!r} not in {got.error!r}"
    for word in expected.never:
        assert word not in got.error, f"misleading {word!r} in {got.error!r}"
    assert got.latest is None  # nothing stored as the latest run
    if expected.failed_run:
        assert [status for _, status, _ in got.runs] == ["failed"]
        assert got.runs[0][2] == got.error.removeprefix("workbench: error: ")
    else:
        assert got.runs == []
