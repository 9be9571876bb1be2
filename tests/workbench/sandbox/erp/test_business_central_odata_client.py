"""python-odata, an OData v4 client the project did not write, against the Business Central sandbox
over loopback, doing what its documentation shows: entities declared by hand, query/filter/order_by/
limit, get by key, and save with extra headers.

Its automatic reflection (``reflect_entities=True``) cannot read Business Central's ``$metadata``:
Python's enum refuses the member name ``_x0020_`` Business Central publishes for a blank option.
That is the client's limit against the real service too; docs/fidelity/business_central.md lists it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from odata import ODataService
from odata.exceptions import ODataError
from odata.property import DatetimeProperty, DecimalProperty, StringProperty, UUIDProperty

from tests.helpers.sandboxes import erp_sandbox
from workbench.sandbox.erp import fixture


@pytest.fixture
def bc():
    yield from erp_sandbox("business-central", fixture.dataset(12, seed=3))


def service(h, page_size: int | None = None):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {h.info['access_token']}"
    if page_size:
        session.headers["Prefer"] = f"odata.maxpagesize={page_size}"
    svc = ODataService(h.info["api_root"] + "/", session=session, reflect_entities=False)

    class Customer(svc.Entity):
        __odata_type__ = "Microsoft.NAV.customer"
        __odata_collection__ = "customers"
        id = UUIDProperty("id", primary_key=True)
        number = StringProperty("number")
        displayName = StringProperty("displayName")
        city = StringProperty("city")
        country = StringProperty("country")
        creditLimit = DecimalProperty("creditLimit")
        lastModifiedDateTime = DatetimeProperty("lastModifiedDateTime")

    return svc, Customer


def test_reads_every_customer_across_server_pages(bc):
    svc, Customer = service(bc, page_size=5)
    got = svc.query(Customer).all()
    assert sorted(str(c.id) for c in got) == sorted(d["id"] for _, d, _ in bc.store.scan("customers"))
    assert all(c.lastModifiedDateTime.tzinfo is not None for c in got)


def test_filter_order_and_limit(bc):
    svc, Customer = service(bc)
    city = svc.query(Customer).first().city
    same = svc.query(Customer).filter(Customer.city == city).all()
    assert same and all(c.city == city for c in same)
    names = [c.displayName for c in svc.query(Customer).order_by(Customer.displayName.desc()).limit(4).all()]
    everyone = sorted((d["displayName"] for _, d, _ in bc.store.scan("customers")), reverse=True)
    assert names == everyone[:4]
    prefix = svc.query(Customer).filter(Customer.displayName.startswith(names[0][:4])).all()
    assert names[0] in [c.displayName for c in prefix]


def test_update_needs_a_concurrency_token_and_lands_with_one(bc):
    svc, Customer = service(bc)
    rid = svc.query(Customer).first().id
    cust = svc.query(Customer).get(rid)
    cust.city = "Bergen"
    with pytest.raises(ODataError) as refused:  # the library sends no If-Match of its own
        svc.save(cust)
    assert refused.value.code == "BadRequest_InvalidToken"
    cust = svc.query(Customer).get(rid)
    cust.city = "Bergen"
    cust.creditLimit = Decimal("1500.25")
    svc.default_context.save(cust, extra_headers={"If-Match": "*"})
    again = svc.query(Customer).get(rid)
    assert (again.city, again.creditLimit) == ("Bergen", Decimal("1500.25"))


def test_an_over_long_value_is_refused_in_business_centrals_words(bc):
    svc, Customer = service(bc)
    cust = svc.query(Customer).first()
    cust.country = "Kingdom of Norway"
    with pytest.raises(ODataError) as refused:
        svc.default_context.save(cust, extra_headers={"If-Match": "*"})
    assert refused.value.code == "Application_StringExceededLength"
    assert "must be less than or equal to 10 characters" in refused.value.message
    assert bc.store.get("customers", str(cust.id))[0]["country"] != "Kingdom of Norway"
