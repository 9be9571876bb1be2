"""Excel's delimiter line ("sep=;" above the header, as ERP reports exported for Excel write it): the file
is read with the delimiter it names, the line skipped, and every row an error names is still the file's
own line (the delimiter line is line 1, the header line 2)."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest

from tests.helpers import hostile as h
from tests.helpers.file_extracts import files_side, write_file, write_run
from workbench import config as config_mod
from workbench.errors import InputError
from workbench.pipeline import execute_run
from workbench.sources import file_reader, open_source
from workbench.sources.base import Extract, Source
from workbench.store import repo
from workbench.store.db import Store, open_store

HEADER = ["id", "number", "customerNumber", "invoiceDate", "dueDate", "currencyCode", "totalAmountIncludingTax",
          "remainingAmount", "status"]
CUSTOMERS = "id,number,displayName,country,currencyCode\nc-1,C10001,Müller Maschinenbau GmbH,DE,EUR\n"


def _row(n: int, total: str = "100.00") -> list[str]:
    return [f"inv-{n}", f"PSI-{n}", "C10001", "2026-10-01", "2026-10-31", "EUR", total, total, "Open"]


def _lines(rows: list[list[str]], sep: str = ",") -> list[str]:
    return [sep.join(r) for r in [HEADER, *rows]]


ROWS = [_row(1, "1190.50"), _row(2, "3450.00"), _row(3, "12.34")]


def _source(tmp_path: Path, content: str | bytes, settings: str = "") -> Source:
    """A run's ERP side reading customers.csv and ``content`` as salesInvoices.csv."""
    write_file(tmp_path / "erp/customers.csv", CUSTOMERS)
    write_file(tmp_path / "erp/salesInvoices.csv", content)
    erp = files_side("erp", "business_central", '[erp.objects.customers]\nfile = "customers.csv"\n'
                                                f'[erp.objects.invoices]\nfile = "salesInvoices.csv"\n{settings}')
    return open_source("erp", config_mod.load(write_run(tmp_path, erp=erp)))


def _pull(tmp_path: Path, content: str | bytes, settings: str = "") -> Extract:
    return _source(tmp_path, content, settings).pull()


def _records(extract: Extract) -> list[dict[str, object]]:
    return list(extract.frames["invoices"].to_dict("records"))


# every form of the line a user's file may carry, and the file below it
VARIANTS = {
    "semicolons": ("sep=;\n", ";", "\n", b""),
    "commas": ("sep=,\n", ",", "\n", b""),
    "tabs": ("sep=\t\n", "\t", "\n", b""),
    "pipes": ("sep=|\n", "|", "\n", b""),
    "upper-case": ("SEP=;\n", ";", "\n", b""),
    "mixed-case": ("Sep=;\n", ";", "\n", b""),
    "after-a-byte-order-mark-with-crlf": ("sep=;\r\n", ";", "\r\n", codecs.BOM_UTF8),
    "quoted": ('"sep=;"\n', ";", "\n", b""),
    "padded-with-delimiters-as-a-re-saved-sheet-writes-it": ("sep=;;;;;;;;\n", ";", "\n", b""),
    "quoted-and-padded": ('"sep=;";;;;;;;;\r\n', ";", "\r\n", codecs.BOM_UTF8),
}


@pytest.fixture()
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Extract:
    """The same invoices as a plain comma-separated file without the line."""
    return _pull(tmp_path_factory.mktemp("plain"), "\n".join(_lines(ROWS)) + "\n")


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_file_is_read_with_the_delimiter_its_first_line_names(tmp_path: Path, baseline: Extract,
                                                                   variant: str) -> None:
    line, sep, newline, bom = VARIANTS[variant]
    got = _pull(tmp_path, bom + (line + newline.join(_lines(ROWS, sep)) + newline).encode("utf-8"))
    assert [r["number"] for r in _records(got)] == ["PSI-1", "PSI-2", "PSI-3"]
    assert _records(got) == _records(baseline)
    # the records, their snapshots and the extract's content hash do not depend on how the file was delimited
    assert got.snapshots["content_hash"].tolist() == baseline.snapshots["content_hash"].tolist()
    assert got.meta.content_hash == baseline.meta.content_hash


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_columns_shown_for_mapping_and_the_connection_test_read_the_header_below_the_line(
        tmp_path: Path, variant: str) -> None:
    """The app's mapping screen (describe) and connection test read only the header, the same way."""
    line, sep, newline, bom = VARIANTS[variant]
    source = _source(tmp_path, bom + (line + newline.join(_lines(ROWS, sep)) + newline).encode("utf-8"))
    assert [c["name"] for c in source.describe("invoices")] == HEADER
    assert all(ok for _, ok, _ in source.test_connection())


def test_a_configured_delimiter_that_agrees_with_the_line_reads_the_file(tmp_path: Path) -> None:
    got = _pull(tmp_path, "sep=;\n" + "\n".join(_lines(ROWS, ";")) + "\n", 'delimiter = ";"\n')
    assert [r["number"] for r in _records(got)] == ["PSI-1", "PSI-2", "PSI-3"]


def test_a_configured_delimiter_that_disagrees_with_the_line_is_refused_naming_both(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        _pull(tmp_path, "sep=;\n" + "\n".join(_lines(ROWS, ";")) + "\n", 'delimiter = ","\n')
    path = tmp_path / "erp/salesInvoices.csv"
    assert str(e.value) == (f"{path}, row 1: the file's first line 'sep=;' names the delimiter ';', the config's "
                            f"delimiter = ',', expected one delimiter: leave delimiter out of the config (the "
                            f"file's line names it), or correct the file's first line")


@pytest.mark.parametrize("line,says", [
    ("sep=", "the first line 'sep=' looks like Excel's delimiter line but names no delimiter"),
    ('"sep="', "the first line '\"sep=\"' looks like Excel's delimiter line but names no delimiter"),
    ("sep=;;x", "Excel's delimiter line 'sep=;;x' holds more than its delimiter ';'"),
    ('"sep=;";x', "Excel's delimiter line '\"sep=;\";x' holds more than its delimiter ';'"),
    ("sep=; ", "Excel's delimiter line 'sep=; ' holds more than its delimiter ';'"),
    ("sep = ;", "the first line 'sep = ;' looks like Excel's delimiter line but is not one"),
    (" sep=;", "the first line ' sep=;' looks like Excel's delimiter line but is not one"),
    ("sep=a", "Excel's delimiter line 'sep=a' names 'a', which is no delimiter"),
    ("sep= ", "Excel's delimiter line 'sep= ' names ' ', which is no delimiter"),
])
def test_a_malformed_delimiter_line_is_refused_naming_the_file_and_line_1(tmp_path: Path, line: str,
                                                                         says: str) -> None:
    with pytest.raises(InputError) as e:
        _pull(tmp_path, line + "\n" + "\n".join(_lines(ROWS, ";")) + "\n")
    assert str(e.value).startswith(f"{tmp_path / 'erp/salesInvoices.csv'}, row 1: {says}")
    assert 'expected the first line "sep=" and the delimiter alone, such as sep=;' in str(e.value)


def test_a_tab_typed_as_backslash_t_is_refused_saying_so(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        _pull(tmp_path, "sep=\\t\n" + "\n".join(_lines(ROWS, "\t")) + "\n")
    assert str(e.value) == (f"{tmp_path / 'erp/salesInvoices.csv'}, row 1: Excel's delimiter line 'sep=\\\\t' names a "
                            f"backslash and a t, not a tab, expected sep= followed by a tab character itself (or "
                            f"delete the line)")


def test_a_delimiter_line_below_blank_lines_is_refused_naming_its_line(tmp_path: Path) -> None:
    """Excel reads the line only as the file's first: below blank lines it would be the header."""
    with pytest.raises(InputError) as e:
        _pull(tmp_path, "\n\nsep=;\n" + "\n".join(_lines(ROWS, ";")) + "\n")
    assert str(e.value).startswith(f"{tmp_path / 'erp/salesInvoices.csv'}, row 3: Excel's delimiter line 'sep=;' "
                                   f"comes after 2 blank lines, expected it as the file's first line")


# ---- the rows errors name: the file's own lines, the delimiter line being line 1

def _bad_amount_file(newline: str = "\n") -> str:
    rows = [_row(1), _row(2), _row(3, "98O.00")]
    return "sep=;" + newline + newline.join(_lines(rows, ";")) + newline


@pytest.mark.parametrize("reader", ["arrow", "fallback"])
def test_a_bad_value_below_the_line_names_its_own_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      reader: str) -> None:
    if reader == "fallback":  # the strict reader and pandas, which read what Arrow refuses
        monkeypatch.setattr(file_reader, "_read_arrow", _refuse)
    text = _bad_amount_file()
    assert text.splitlines()[4].startswith("inv-3;")  # line 5 of the file
    with pytest.raises(InputError) as e:
        _pull(tmp_path, text)
    assert str(e.value).startswith(f"{tmp_path / 'erp/salesInvoices.csv'}, row 5, column 'totalAmountIncludingTax': "
                                   f"not a number: got '98O.00'")


def _refuse(*args: object, **kwargs: object) -> None:
    raise RuntimeError("Arrow refused the file")


@pytest.mark.parametrize("reader", ["arrow", "fallback"])
def test_blank_lines_below_the_line_are_counted_as_the_files_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   reader: str) -> None:
    if reader == "fallback":
        monkeypatch.setattr(file_reader, "_read_arrow", _refuse)
    lines = _lines([_row(1), _row(2), _row(3)], ";")
    path = write_file(tmp_path / "t.csv", "sep=;\r\n\r\n" + "\r\n".join([lines[0], lines[1], "", lines[2], lines[3]])
                      + "\r\n")
    table = file_reader.read_extract(path)
    assert table.frame["number"].tolist() == ["PSI-1", "PSI-2", "PSI-3"]
    assert table.header_row == 3 and table.file_rows().tolist() == [4, 6, 7]


def test_the_strict_reader_of_a_utf16_file_counts_the_line_too(tmp_path: Path) -> None:
    path = write_file(tmp_path / "t.csv", "sep=\t\r\nid\tnote\r\na\t1\r\n\r\nb\t2\r\nc\t3\t4\r\n", encoding="utf-16")
    with pytest.raises(InputError) as e:
        file_reader.read_extract(path, encoding="utf-16")
    assert str(e.value).startswith(f"{path}, row 6: has 3 cells where the header has 2")
    path.write_text("sep=\t\r\nid\tnote\r\na\t1\r\n\r\nb\t2\r\n", encoding="utf-16")
    table = file_reader.read_extract(path, encoding="utf-16")
    assert table.frame.to_dict("list") == {"id": ["a", "b"], "note": ["1", "2"]}
    assert table.file_rows().tolist() == [3, 5]


@pytest.mark.parametrize("reader", ["arrow", "fallback"])
def test_a_row_with_a_cell_too_many_and_a_stray_quote_name_their_own_lines(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reader: str) -> None:
    if reader == "fallback":
        monkeypatch.setattr(file_reader, "_read_arrow", _refuse)
    lines = _lines(ROWS, ";")
    path = write_file(tmp_path / "t.csv", '"sep=;";;\n' + "\n".join([*lines, lines[1] + ";extra"]) + "\n")
    with pytest.raises(InputError) as e:
        file_reader.read_extract(path)
    assert str(e.value).startswith(f"{path}, row 6: has 10 cells where the header has 9")
    path.write_text('"sep=;";;\n' + "\n".join([*lines[:3], lines[3].replace("PSI-3", 'PSI-"3')]) + "\n")
    with pytest.raises(InputError) as e:
        file_reader.read_extract(path)
    assert str(e.value).startswith(f"{path}, row 5: ") and "quote" in str(e.value)


def test_a_missing_column_names_the_header_on_line_2(tmp_path: Path) -> None:
    lines = _lines(ROWS, ";")
    with pytest.raises(InputError) as e:
        _pull(tmp_path, "sep=;\n" + "\n".join(line.replace(";remainingAmount", ";remaining") for line in lines) + "\n")
    assert str(e.value).startswith(f"{tmp_path / 'erp/salesInvoices.csv'}, row 2, column 'remainingAmount': "
                                   f"missing column")


def test_a_header_repeating_a_column_is_named_on_line_2(tmp_path: Path) -> None:
    path = write_file(tmp_path / "t.csv", "sep=,\nid,total,id\na,1,b\n")
    with pytest.raises(InputError) as e:
        file_reader.read_extract(path)
    assert str(e.value).startswith(f"{path}, row 2, column 'id': the header repeats a column")


def test_the_common_file_without_the_line_is_not_read_a_second_time(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The line is found in the first bytes read anyway; with or without it, a file without blank lines
    is read once by Arrow and scanned once for quotes, never again for blank lines or by the strict reader."""
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was read again")
    for name in ("_blank_lines", "_records_at", "_check_rows"):
        monkeypatch.setattr(file_reader, name, never)
    for text in ("\n".join(_lines(ROWS)) + "\n", "sep=;\n" + "\n".join(_lines(ROWS, ";")) + "\n",
                 '"sep=;";;;;;;;;\r\n' + "\r\n".join(_lines(ROWS, ";")) + "\r\n"):
        path = write_file(tmp_path / "t.csv", text)
        table = file_reader.read_extract(path)
        assert table.frame["number"].tolist() == ["PSI-1", "PSI-2", "PSI-3"]
        assert table.file_rows().tolist() == ([2, 3, 4] if text.startswith("id") else [3, 4, 5])


# ---- an incremental re-run: the file's fingerprint is its bytes, the line included

def test_an_unchanged_file_with_the_line_is_reused_and_a_changed_one_read_again(tmp_path: Path) -> None:
    cfg = h.example_copy(tmp_path)
    invoices = cfg.parent / h.ERP_INVOICES
    comma = invoices.read_bytes()
    rows = h.read_rows(invoices)
    with_line = ("sep=;\r\n" + "".join(";".join(r) + "\r\n" for r in rows)).encode("utf-8")
    invoices.write_bytes(with_line)
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    try:
        config = config_mod.load(cfg)
        first = execute_run(config, store, user="ann")
        erp = first.summary["pulls"]["erp"]
        assert erp["files"]["salesInvoices.csv"][2] == hashlib.sha256(with_line).hexdigest()
        again = execute_run(config, store, user="ann")
        assert again.summary["pulls"]["erp"]["mode"] == "reused"
        invoices.write_bytes(comma)  # the same invoices, without the line and with commas
        third = execute_run(config, store, user="ann")
        assert third.summary["pulls"]["erp"]["why"] == f"salesInvoices.csv changed since run {again.run_id}"
        assert third.summary["records"] == first.summary["records"]
        assert _keys(store, third.run_id) == _keys(store, first.run_id)
    finally:
        store.dispose()


def _keys(store: Store, run_id: int) -> set[str]:
    return set(repo.load_exceptions(store, run_id)["key"])
