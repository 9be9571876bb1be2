"""A Bulk API 2.0 pull in columns gives what REST and the record-by-record reading of the same CSV give."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

from tests.helpers.sandboxes import salesforce_org
from tests.workbench.sandbox.salesforce.frames import crm_frames
from workbench.config import from_dict
from workbench.errors import InputError, SourceError
from workbench.model import frames
from workbench.sandbox import salesforce as sandbox
from workbench.sources import open_source
from workbench.sources.base import snapshot_frame
from workbench.sources.salesforce_columns import canonical_frame, read_page
from workbench.sources.salesforce_mapping import object_maps

# texts a CSV reader must take exactly: the separator, quotes, line breaks of both kinds, JSON's escapes
AWKWARD = ['Müller, Söhne & Co.', 'The "Best" GmbH', "two\nlines", "cr\r\nlf", 'back\\slash\ttab', "日本株式会社",
           '", "', "  spaced  ", "00123", "\x01control", "'single'", "emoji 🧾"]


def source(handle, objects=None, **settings):
    crm = sandbox.demo_config(handle)
    crm["salesforce"].update({"retry_wait_seconds": 0.01, **settings})
    if objects is not None:
        crm["objects"] = objects
    return open_source("crm", from_dict({"crm": crm, "erp": {"connector": "files"}}))


def awkward_frames(customers: int = 300) -> dict[str, pd.DataFrame]:
    data = crm_frames(customers)
    cust = data["customers"]
    for i, text in enumerate(AWKWARD):
        cust.loc[i, "name"] = text
        cust.loc[i + len(AWKWARD), "street"] = text
        cust.loc[i, "postcode"] = "" if i % 2 else text  # an empty text is no value
    more = [{"record_id": f"i{k}", "number": f"INV-{2000 + k}", "customer_id": f"c{k % customers}",
             "currency": "EUR", "total_amount": Decimal(k) / 10 + Decimal("100.00"),  # 100.10 ... trailing zeros
             "open_balance": Decimal("0.10") if k % 3 else Decimal("0E-2"),
             "status": ["open", "paid", "partially_paid", "cancelled"][k % 4],
             "invoice_date": date(2026, 9, 1 + k % 28), "due_date": None if k % 5 == 0 else date(2026, 10, 1 + k % 28)}
            for k in range(3, 400)]
    data["invoices"] = pd.concat([data["invoices"], frames.from_records("invoices", more)], ignore_index=True)
    return data


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    for handle in salesforce_org(awkward_frames(), tmp_path_factory.mktemp("sf")):
        invoices = source(handle, query_mode="rest", objects={"invoices": {}}).pull().frame("invoices")
        customer = invoices["customer_id"].iloc[0]
        for k, rid in enumerate(invoices["record_id"].iloc[:3]):
            # an id in its 15-character form (made 18), an external key kept verbatim, a key that is no id
            handle.edit("blng__Invoice__c", rid, {"blng__Account__c": [customer[:15], "EXT-ÄÖ-0001", "12345"][k]})
        yield handle


def typed(frame: pd.DataFrame) -> list[tuple]:
    """Each cell as (type, text): Decimal("1.0") and Decimal("1.00") differ, as they do when stored."""
    rows = frame.sort_values("record_id").reset_index(drop=True)
    return [tuple((type(v).__name__, str(v)) for v in row) for row in rows.itertuples(index=False)]


def per_record(src) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Frames and snapshot rows of the record-by-record reading of each object's Bulk CSV pages
    (csv.DictReader, "" -> None, ObjectMap.to_canonical and snapshot_frame), as pulls read them before."""
    canonical: dict[str, list[dict]] = {}
    rows = []
    for m in src.maps:
        soql = src._soql(m, None)[0]
        for text in src.client.bulk_pages(m.object, soql, 100, 0.0):
            for row in csv.DictReader(io.StringIO(text)):
                raw = {k: (v if v != "" else None) for k, v in row.items()}
                canon = m.to_canonical(raw)
                if m.kind == "orders":
                    canon["kind"] = m.object
                    canon["booked"] = True if m.object == "Opportunity" else canon.get("status") == "Activated"
                canonical.setdefault(m.kind, []).append(canon)
                rows.append((m.object, m.kind, canon["record_id"], soql, raw))
    return {kind: frames.conform(kind, frames.from_records(kind, recs)) for kind, recs in canonical.items()}, \
        snapshot_frame(rows)


def test_bulk_in_columns_gives_the_frames_rest_gives_and_the_snapshots_of_each_record(org):
    rest = source(org, query_mode="rest").pull()
    bulk_src = source(org, query_mode="bulk", bulk_page_records=100)  # several pages an object
    bulk = bulk_src.pull()
    assert bulk.meta.api_usage["by_resource"]["jobs"] > 3 * len(bulk_src.maps)
    for kind in ("customers", "products", "prices", "orders", "order_lines", "invoices"):
        assert list(bulk.frame(kind).columns) == list(rest.frame(kind).columns), kind
        assert typed(bulk.frame(kind)) == typed(rest.frame(kind)), kind
    cust = bulk.frame("customers").set_index("number")
    assert cust.loc["A-00002", "name"] == "two\nlines" and cust.loc["A-00003", "name"] == "cr\r\nlf"
    assert cust.loc["A-00001", "postcode"] is None and cust.loc["A-00008", "postcode"] == "00123"
    inv = bulk.frame("invoices").set_index("number")
    assert inv.loc["INV-1001", "customer_id"] == cust.loc["A-00001", "record_id"]  # 15 characters made 18
    assert inv.loc["INV-1002", "customer_id"] == "EXT-ÄÖ-0001"
    assert str(inv.loc["INV-2010", "total_amount"]) == "101.00" and inv.loc["INV-2010", "due_date"] is None
    assert str(inv.loc["INV-2003", "open_balance"]) == "0.00" and inv.loc["INV-2004", "status"] == "open"
    expected, snapshots = per_record(bulk_src)
    for kind, frame in expected.items():
        assert typed(bulk.frame(kind)) == typed(frame), kind
    assert bulk.snapshots.equals(snapshots)
    assert bulk.meta.content_hash == source(org, query_mode="bulk").pull().meta.content_hash  # one page or many


def test_bulk_in_columns_names_the_first_record_whose_value_has_no_canonical_form(tmp_path):
    """Two bad records: the error names the one read first, as REST's record-by-record reading does, though
    its bad field (the status, mapped after every field) comes later than the other record's."""
    for handle in salesforce_org(awkward_frames(40), tmp_path):
        first = source(handle, query_mode="rest").pull().frame("invoices")
        ids = first["record_id"].tolist()
        handle.edit("blng__Invoice__c", ids[5], {"blng__InvoiceStatus__c": "Weird"})
        handle.edit("blng__Invoice__c", ids[9], {"blng__DueDate__c": "2026-13-45"})
        errors = []
        for mode in ("rest", "bulk"):
            with pytest.raises(InputError) as err:
                source(handle, query_mode=mode, objects={"invoices": {}}, bulk_page_records=3).pull()
            errors.append(str(err.value))
        assert errors[0] == errors[1]
        assert ids[5] in errors[1] and "blng__InvoiceStatus__c|blng__PaymentStatus__c" in errors[1]
        handle.edit("blng__Invoice__c", ids[5], {"blng__InvoiceStatus__c": "Posted"})
        with pytest.raises(InputError) as err:
            source(handle, query_mode="bulk", objects={"invoices": {}}).pull()
        assert ids[9] in str(err.value) and "blng__DueDate__c" in str(err.value) and "2026-13-45" in str(err.value)


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])  # a query job's lineEnding: LF (the default) or CRLF
def test_a_result_page_reads_as_csv_dictreader_reads_it(line_end):
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator=line_end)  # as Bulk API 2.0 writes results
    writer.writerow(["Id", "Name", "Pricebook2.Name"])
    writer.writerows([[f"001{k:015d}", text, ""] for k, text in enumerate(AWKWARD)])
    text = buf.getvalue() + f"001x,,unquoted{line_end}"  # unquoted cells read the same
    expected = [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]
    assert read_page(text, "Account").to_pylist() == expected
    assert read_page(text.split(line_end)[0] + line_end, "Account").num_rows == 0
    assert read_page("", "Account").num_rows == 0


def test_a_page_that_is_no_csv_is_refused_naming_the_object():
    with pytest.raises(SourceError, match="Bulk 2.0 results of Account"):
        read_page('"Id","Name"\n"001","a","extra"\n', "Account")


def test_a_stamp_of_the_bulk_form_naming_no_moment_is_refused_as_record_by_record():
    """The shortcut for Bulk stamps (Python reads them whole) leaves a date that does not exist to the
    converter, whose error names the record and field."""
    m = object_maps({"objects": {"customers": {}}})[0]
    rows = {"Id": ["001Wb000000000AIAQ", "001Wb000000000BIAQ"],
            "LastModifiedDate": ["2026-10-01T09:00:00.000Z", "2026-02-30T09:00:00.000Z"]}
    with pytest.raises(InputError) as err:
        canonical_frame(m, pa.table(rows), frames.columns("customers"))
    with pytest.raises(InputError) as one_by_one:
        m.to_canonical({"Id": rows["Id"][1], "LastModifiedDate": rows["LastModifiedDate"][1]})
    assert str(err.value) == str(one_by_one.value) and "001Wb000000000BIAQ" in str(err.value)
    good = canonical_frame(m, pa.table({k: v[:1] for k, v in rows.items()}), frames.columns("customers"))
    assert good["last_modified"].tolist() == [m.to_canonical({k: v[0] for k, v in rows.items()})["last_modified"]]


@pytest.mark.parametrize("objects", [["order_lines"], ["products", "order_lines"]])
def test_a_line_without_a_product_code_takes_its_products_in_bulk_as_in_rest(org, objects):
    """Lines read by Product2Id with no code of their own (ListPrice is empty here) take the code of their
    product: from the products pulled with them, else asked for by id."""
    mapped = {kind: {} for kind in objects}
    mapped["order_lines"] = {"fields": {"product_id": "Product2Id", "product_code": "ListPrice"}}
    codes = [source(org, query_mode=mode, objects=mapped).pull().frame("order_lines")["product_code"].tolist()
             for mode in ("rest", "bulk")]
    assert codes[0] == codes[1] == ["SKU-1"]
