"""Clients the project did not write, used as their own documentation shows, against the Odoo sandbox."""

from __future__ import annotations

import xmlrpc.client

import odoolib
import odoorpc
import pytest

from tests.helpers.sandboxes import erp_sandbox
from workbench.sandbox import erp


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    return erp.seed_data(None, 12, 5, tmp_path_factory.mktemp("scenario"))


@pytest.fixture
def odoo(records):
    yield from erp_sandbox("odoo", records)


def port(h) -> int:
    return int(h.base_url.rsplit(":", 1)[1])


def test_odoorpc_login_search_read_write_and_browse(odoo):
    # OdooRPC README: odoo = odoorpc.ODOO('localhost', port=8069); odoo.login(db, user, pwd); odoo.env[...]
    client = odoorpc.ODOO("127.0.0.1", port=port(odoo))
    assert client.version == "19.0"
    client.login(odoo.info["database"], odoo.info["login"], odoo.info["api_key"])
    assert client.env.user.name == "Administrator"
    partners = client.env["res.partner"]
    ids = partners.search([("customer_rank", ">", 0)], order="name desc", limit=3)
    rows = partners.read(ids, ["name", "country_id"])
    assert [r["name"] for r in rows] == sorted((r["name"] for r in rows), reverse=True)
    assert all(isinstance(r["country_id"], list) and isinstance(r["country_id"][1], str) for r in rows)
    assert partners.write([ids[0]], {"city": "Lyon"}) is True
    record = partners.browse(ids[0])
    assert record.city == "Lyon" and len(record.country_id.code) == 2
    with pytest.raises(odoorpc.error.RPCError, match="invalid literal for int"):
        partners.write([ids[0]], {"customer_rank": "lots"})


@pytest.mark.parametrize("protocol", ["xmlrpc", "jsonrpc"])
def test_odoo_client_lib_over_xmlrpc_and_jsonrpc(odoo, protocol):
    # odoo-client-lib README: connection = odoolib.get_connection(hostname=..., database=..., login=..., password=...)
    conn = odoolib.get_connection(hostname="127.0.0.1", port=port(odoo), protocol=protocol,
                                  database=odoo.info["database"], login=odoo.info["login"],
                                  password=odoo.info["api_key"])
    users = conn.get_model("res.users")  # the README's own example
    ids = users.search([("login", "=", "admin")])
    assert users.read(ids[0], ["name"])["name"] == "Administrator"
    model = conn.get_model("account.move")
    ids = model.search([("move_type", "=", "out_invoice")], 0, 5, "id")
    rows = model.search_read([("id", "in", ids)], ["name", "invoice_date_due", "amount_total"])
    assert sorted(r["id"] for r in rows) == sorted(ids) and len(ids) == 5
    assert model.write([ids[0]], {"invoice_date_due": "2027-03-31"}) is True
    assert model.read(ids[0], ["invoice_date_due"])["invoice_date_due"] == "2027-03-31"
    with pytest.raises(Exception, match="does not match format") as err:
        model.write([ids[0]], {"invoice_date_due": "not-a-date"})
    assert isinstance(err.value, xmlrpc.client.Fault) == (protocol == "xmlrpc")


def test_odoo_client_lib_json2_with_named_arguments(odoo):
    conn = odoolib.get_connection(hostname="127.0.0.1", port=port(odoo), protocol="json2",
                                  database=odoo.info["database"], password=odoo.info["api_key"])
    model = conn.get_model("res.partner")
    rows = model.search_read(domain=[], fields=["name"], limit=2, order="id desc")
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    with pytest.raises(ValueError, match="Invalid request"):  # the 422 for an unknown argument
        model.search_read(domain=[], limitt=2)


@pytest.mark.parametrize("domain", [[], [("move_type", "=", "out_invoice")]], ids=["all", "filtered"])
def test_an_offset_counts_from_the_first_row_again_after_a_deletion(odoo, domain):
    # PostgreSQL answers OFFSET by counting the rows as they are now: one deleted before the offset moves
    # every later row up a place (what the workbench's own Odoo pull pages by id to stay clear of)
    conn = odoolib.get_connection(hostname="127.0.0.1", port=port(odoo), protocol="json2",
                                  database=odoo.info["database"], password=odoo.info["api_key"])
    model = conn.get_model("account.move")
    first = [r["id"] for r in model.search_read(domain=domain, fields=["name"], offset=0, limit=5, order="id")]
    ids = model.search(domain=domain, order="id")
    assert model.unlink(ids=[first[0]]) is True
    second = [r["id"] for r in model.search_read(domain=domain, fields=["name"], offset=5, limit=5, order="id")]
    assert second == ids[6:11]  # ids[5] is now the fifth row, before the offset: never read
    after = [r["id"] for r in model.search_read(domain=[*domain, ("id", ">", first[-1])], fields=["name"],
                                                limit=5, order="id")]
    assert after == ids[5:10]  # by id, nothing is skipped


def test_odoorpc_a_products_new_code_shows_where_it_is_named_and_a_path_through_it_filters(odoo):
    """A many2one shows its record's display name as it is when read (fields_relational.py convert_to_read), and a
    domain may test a field of that record (``product_id.default_code``): the price items naming a product show
    its new code without a write of their own, and a path on the product finds them."""
    client = odoorpc.ODOO("127.0.0.1", port=port(odoo))
    client.login(odoo.info["database"], odoo.info["login"], odoo.info["api_key"])
    items = client.env["product.pricelist.item"]
    first = items.read(items.search([], order="id", limit=1), ["product_id", "write_date"])[0]
    product = first["product_id"][0]
    assert client.env["product.product"].write([product], {"default_code": "RENAMED-1"}) is True
    shown = items.search_read([("product_id.default_code", "=", "RENAMED-1")], ["product_id", "write_date"])
    assert first["id"] in [r["id"] for r in shown]
    assert all(r["product_id"][1].startswith("[RENAMED-1] ") for r in shown)
    assert next(r for r in shown if r["id"] == first["id"])["write_date"] == first["write_date"]


def test_an_aggregate_without_a_groupby_counts_and_sums_the_ids_for_clients_we_did_not_write(odoo):
    """The call a re-run counts a kind with, made by others' clients: ``formatted_read_group`` over JSON-2 with named
    arguments (odoo-client-lib) and over JSON-RPC (odoorpc's ``execute_kw``), and the older ``read_group``
    (odoorpc's model proxy, odoo-client-lib over XML-RPC): one group, the count ``search_count`` gives and the sum of
    the ids ``search`` lists; a field the model has not is refused with Odoo's error."""
    domain = [("move_type", "in", ["out_invoice", "out_refund"])]
    json2 = odoolib.get_connection(hostname="127.0.0.1", port=port(odoo), protocol="json2",
                                   database=odoo.info["database"], password=odoo.info["api_key"])
    moves = json2.get_model("account.move")
    ids = moves.search(domain=domain)
    assert moves.search_count(domain=domain) == len(ids)
    assert moves.formatted_read_group(domain=domain, groupby=[], aggregates=["__count", "id:sum"]) == [
        {"__extra_domain": [[1, "=", 1]], "__count": len(ids), "id:sum": sum(ids)}]
    with pytest.raises(ValueError, match="Unexpected status code 500.*Invalid field 'nope' on model 'account.move'"):
        moves.formatted_read_group(domain=domain, aggregates=["nope:sum"])

    client = odoorpc.ODOO("127.0.0.1", port=port(odoo))
    client.login(odoo.info["database"], odoo.info["login"], odoo.info["api_key"])
    assert client.execute_kw("account.move", "formatted_read_group", [domain],
                             {"groupby": [], "aggregates": ["__count", "id:sum"]})[0]["id:sum"] == sum(ids)
    [group] = client.env["account.move"].read_group(domain, ["id:sum"], [])
    assert (group["__count"], group["id"]) == (len(ids), sum(ids))
    with pytest.raises(odoorpc.error.RPCError, match="Invalid aggregate method 'median'"):
        client.env["account.move"].read_group(domain, ["id:median"], [])

    xml = odoolib.get_connection(hostname="127.0.0.1", port=port(odoo), protocol="xmlrpc",
                                 database=odoo.info["database"], login=odoo.info["login"],
                                 password=odoo.info["api_key"])
    [group] = xml.get_model("account.move").read_group([list(t) for t in domain], ["id:sum"], [])
    assert (group["__count"], group["id"]) == (len(ids), sum(ids))
