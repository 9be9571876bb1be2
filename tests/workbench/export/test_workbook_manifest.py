"""The manifest's canonical cell text is the same for a value as written and as read back from the file,
so --verify never reports a difference that is only a number's or a date's representation."""

from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from workbench.export.manifest import canonical


def test_canonical_text_survives_a_round_trip_through_xlsx(tmp_path):
    rnd = random.Random(20261031)
    values: list = [Decimal("-0.00"), Decimal("1500.00"), Decimal("1E+20"), Decimal("12345678901234.56"),
                    Decimal("0.005"), Decimal("12.345"), 10 ** 15, -5, 0, 0.8765, 1.0, True, False,
                    datetime(2026, 1, 2, 3, 4, 5), datetime(2026, 1, 2), date(2026, 3, 4), "=1+1", " spaced "]
    values += [Decimal(rnd.randrange(-10 ** 12, 10 ** 12)).scaleb(-rnd.randrange(0, 4)) for _ in range(1500)]
    values += [Decimal(str(rnd.random() * 10 ** rnd.randrange(-5, 14))) for _ in range(1500)]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("S")
    for v in values:
        c = WriteOnlyCell(ws, v)
        if isinstance(v, str):
            c.data_type = "s"
        if isinstance(v, (datetime, date)):
            c.number_format = "yyyy-mm-dd hh:mm:ss"
        ws.append([c])
    path = tmp_path / "rt.xlsx"
    wb.save(path)
    back = load_workbook(path, read_only=True)
    read = [r[0] for r in back["S"].iter_rows(values_only=True)]
    back.close()
    assert len(read) == len(values)
    mismatches = [(v, r) for v, r in zip(values, read) if canonical(v) != canonical(r)]
    assert mismatches == []
    assert canonical(Decimal("1500.00")) == "1500" and canonical(Decimal("0.005")) == "0.005"
    assert canonical(datetime(2026, 1, 2)) == "2026-01-02"
    assert canonical(datetime(2026, 1, 2, 3, 4, 5, 600_000)) == "2026-01-02T03:04:06"
