"""The sandbox as an org without multicurrency, proved with simple-salesforce's own calls: no object has
CurrencyIsoCode, and Salesforce's refusals of the field come back in its words (Object Reference,
CurrencyIsoCode: "Available only for organizations with the multicurrency feature enabled")."""

from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from tests.helpers.sandboxes import simple_salesforce
from tests.workbench.sandbox.salesforce.frames import crm_frames
from workbench.sandbox import salesforce as sandbox


@pytest.fixture(scope="module")
def sf(tmp_path_factory):
    handle = sandbox.start(frames=crm_frames(10), state_dir=tmp_path_factory.mktemp("sf"), single_currency="CHF")
    try:
        yield simple_salesforce(handle)
    finally:
        handle.stop()


def refusal(exc: SalesforceMalformedRequest) -> tuple[str, str]:
    return exc.content[0]["errorCode"], exc.content[0]["message"]


def test_describe_has_no_currency_field(sf):
    assert "CurrencyIsoCode" not in {f["name"] for f in sf.Account.describe()["fields"]}
    assert "BillingCity" in {f["name"] for f in sf.Account.describe()["fields"]}


def test_a_query_naming_the_currency_is_refused_as_an_unknown_column(sf):
    with pytest.raises(SalesforceMalformedRequest) as err:
        sf.query("SELECT Id, CurrencyIsoCode FROM Account")
    code, message = refusal(err.value)
    assert code == "INVALID_FIELD" and message.startswith("No such column 'CurrencyIsoCode' on entity 'Account'.")
    with pytest.raises(SalesforceMalformedRequest):
        list(sf.bulk2.Order.query("SELECT Id, currencyisocode FROM Order"))


def test_a_write_of_the_currency_is_refused_and_nothing_is_written(sf):
    rid = sf.query("SELECT Id FROM Account LIMIT 1")["records"][0]["Id"]
    with pytest.raises(SalesforceMalformedRequest) as err:
        sf.Account.update(rid, {"BillingCity": "Zug", "CurrencyIsoCode": "EUR"})
    assert refusal(err.value) == ("INVALID_FIELD", "No such column 'CurrencyIsoCode' on sobject of type Account")
    assert sf.Account.get(rid)["BillingCity"] != "Zug"
