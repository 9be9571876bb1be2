"""Files connector on extracts as ERPs and spreadsheets write them: a UTF-8 file under a declared
single-byte encoding, Excel's scientific notation for long ids, thousands groups under a decimal
comma, total rows, report titles above the header. Each either reads the right value or stops naming
the file, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.file_extracts import files_side, write_file, write_run
from workbench import config as config_mod
from workbench.errors import InputError
from workbench.sources import open_source
from workbench.sources.base import Source

HEADER = "id,number,customerNumber,invoiceDate,dueDate,currencyCode,totalAmountIncludingTax,remainingAmount,status\n"
CUSTOMERS = "id,number,displayName,country,currencyCode\nc-1,C10001,Müller Maschinenbau GmbH,DE,EUR\n"
ROW = "inv-1,PSI-1,C10001,2026-10-01,2026-10-31,EUR,100.00,100.00,Open\n"


def _source(tmp_path: Path, invoices: str | bytes | None = None, settings: str = "",
            customers: str | bytes = CUSTOMERS, customer_settings: str = "",
            name: str = "salesInvoices.csv") -> Source:
    write_file(tmp_path / "erp/customers.csv", customers)
    objects = f'[erp.objects.customers]\nfile = "customers.csv"\n{customer_settings}'
    if invoices is not None:
        write_file(tmp_path / "erp" / name, invoices)
        objects += f'[erp.objects.invoices]\nfile = "{name}"\n{settings}'
    return open_source("erp", config_mod.load(write_run(tmp_path, erp=files_side("erp", "business_central",
                                                                                   objects))))


def _refused(tmp_path: Path, invoices: str | bytes | None = None, settings: str = "",
             customers: str | bytes = CUSTOMERS, customer_settings: str = "",
             name: str = "salesInvoices.csv") -> InputError:
    with pytest.raises(InputError) as e:
        _source(tmp_path, invoices, settings, customers, customer_settings, name).pull()
    return e.value


# ---- a UTF-8 file read under a declared single-byte encoding

@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_a_utf8_file_under_a_declared_cp1252_is_refused_not_read_as_mojibake(tmp_path: Path, bom: str) -> None:
    err = _refused(tmp_path, customers=bom + CUSTOMERS, customer_settings='encoding = "cp1252"\n')
    assert err.file is not None and err.file.endswith("customers.csv")
    assert "is UTF-8 text" in str(err) and "cp1252" in str(err)
    assert 'encoding = "utf-8"' in str(err)


def test_a_cp1252_file_under_a_declared_cp1252_still_reads(tmp_path: Path) -> None:
    src = _source(tmp_path, customers=CUSTOMERS.encode("cp1252"), customer_settings='encoding = "cp1252"\n')
    assert src.pull().frames["customers"]["name"].tolist() == ["Müller Maschinenbau GmbH"]
