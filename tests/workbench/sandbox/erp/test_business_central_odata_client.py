"""python-odata, an OData v4 client the project did not write, against the Business Central sandbox
over loopback, doing what its documentation shows: entities declared by hand, query/filter/order_by/
limit, get by key, and save with extra headers.

Its automatic reflection (``reflect_entities=True``) cannot read Business Central's ``$metadata``:
Python's enum refuses the member name ``_x0020_`` Business Central publishes for a blank option.
That is the client's limit against the real service too; docs/fidelity/business_central.md lists it.
Customer payments are declared with their journal, the navigation between them read lazily and with ``expand``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests
from odata import ODataService
from odata.exceptions import ODataError
from odata.navproperty import NavigationProperty
from odata.property import DatetimeProperty, DecimalProperty, StringProperty, UUIDProperty

from tests.helpers.sandboxes import erp_sandbox
from tests.workbench.sandbox.erp.bc_http import set_url
from workbench.sandbox.erp import fixture
from workbench.sandbox.erp.business_central import etag


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


def payment_service(h):
    svc, _ = service(h)

    class CustomerPayment(svc.Entity):
        __odata_type__ = "Microsoft.NAV.customerPayment"
        __odata_collection__ = "customerPayments"
        id = UUIDProperty("id", primary_key=True)
        journalId = UUIDProperty("journalId")
        customerNumber = StringProperty("customerNumber")
        amount = DecimalProperty("amount")
        appliesToInvoiceNumber = StringProperty("appliesToInvoiceNumber")

    class CustomerPaymentJournal(svc.Entity):
        __odata_type__ = "Microsoft.NAV.customerPaymentJournal"
        __odata_collection__ = "customerPaymentJournals"
        id = UUIDProperty("id", primary_key=True)
        code = StringProperty("code")
        displayName = StringProperty("displayName")
        customerPayments = NavigationProperty("customerPayments", CustomerPayment, collection=True)

    return svc, CustomerPaymentJournal, CustomerPayment


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


def test_payments_are_refused_without_a_journal_and_read_through_it(bc):
    """Page 30055 "APIV2 - Customer Payments" (CheckFilters in OnAfterGetCurrRecord) answers a list of payments that
    names no journal with Application_DialogException; page 30013's customerPayments part reads them per journal."""
    svc, Journal, Payment = payment_service(bc)
    with pytest.raises(ODataError) as refused:
        svc.query(Payment).all()
    assert (refused.value.status_code, refused.value.code) == ("HTTP 400", "Application_DialogException")
    assert refused.value.message.startswith(
        "You must specify a journal batch ID or a journal ID to get a journal line.")
    stored = sorted((d["id"], d["amount"]) for _, d, _ in bc.store.scan("customerPayments"))
    [journal] = svc.query(Journal).all()
    assert journal.code == "GENERAL" and stored
    # navigation: GET customerPaymentJournals(<id>)/customerPayments
    assert sorted((str(p.id), p.amount) for p in journal.customerPayments) == stored
    # $expand=customerPayments on the journals
    [expanded] = svc.query(Journal).expand(Journal.customerPayments).all()
    assert sorted((str(p.id), p.amount) for p in expanded.customerPayments) == stored
    # $filter=journalId eq <guid> on the payments themselves
    by_filter = svc.query(Payment).filter(Payment.journalId == journal.id).all()
    assert sorted((str(p.id), p.amount) for p in by_filter) == stored


def test_reads_and_saves_a_price_under_the_tenants_own_api_route(bc):
    """The tenant's price list page is a service of its own (api/workbench/pricing/v1.0, with the company segment
    as API v2.0 has it): python-odata pointed at it reads prices across server pages, filters them, and saves a
    new unit price with the etag it read; API v2.0's root has no such entity set."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {bc.info['access_token']}"
    session.headers["Prefer"] = "odata.maxpagesize=3"

    def price_service(root):
        svc = ODataService(root + "/", session=session, reflect_entities=False)

        class SalesPrice(svc.Entity):
            __odata_type__ = "Microsoft.NAV.salesPrice"
            __odata_collection__ = "salesPrices"
            id = UUIDProperty("id", primary_key=True)
            itemNumber = StringProperty("itemNumber")
            currencyCode = StringProperty("currencyCode")
            unitPrice = DecimalProperty("unitPrice")

        return svc, SalesPrice

    svc, SalesPrice = price_service(set_url(bc, "salesPrices").rsplit("/", 1)[0])
    every = svc.query(SalesPrice).all()
    assert sorted(str(p.id) for p in every) == sorted(d["id"] for _, d, _ in bc.store.scan("salesPrices"))
    price = every[1]
    same = svc.query(SalesPrice).filter(SalesPrice.currencyCode == price.currencyCode).all()
    assert price.id in {p.id for p in same} and {p.currencyCode for p in same} == {price.currencyCode}
    price.unitPrice = Decimal("77.25")
    svc.default_context.save(price, extra_headers={"If-Match": etag(str(price.id),
                                                                    bc.store.get("salesPrices", str(price.id))[1])})
    assert bc.store.get("salesPrices", str(price.id))[0]["unitPrice"] == Decimal("77.25")
    v2, V2Price = price_service(bc.info["api_root"])
    with pytest.raises(ODataError):
        v2.query(V2Price).all()
