"""The Odoo sandbox refuses and converts written values as the Odoo ORM does, over real HTTP."""

from __future__ import annotations

import xmlrpc.client
from decimal import Decimal

import httpx
import pytest

from tests.helpers.sandboxes import erp_sandbox
from workbench.sandbox import erp
from workbench.sandbox.erp.odoo import MODELS


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    return erp.seed_data(None, 12, 5, tmp_path_factory.mktemp("scenario"))


@pytest.fixture
def odoo(records):
    yield from erp_sandbox("odoo", records)


def json2(h, model: str, method: str, body: dict) -> httpx.Response:
    hdr = {"Authorization": f"bearer {h.info['api_key']}", "X-Odoo-Database": h.info["database"]}
    return httpx.post(f"{h.base_url}/json/2/{model}/{method}", headers=hdr, json=body)


def jsonrpc(h, model: str, method: str, args: list, kwargs: dict | None = None) -> dict:
    body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
        "service": "object", "method": "execute_kw",
        "args": [h.info["database"], 2, h.info["api_key"], model, method, args, kwargs or {}]}}
    return httpx.post(h.base_url + "/jsonrpc", json=body).json()


def partner_id(h) -> int:
    """A partner's id, over JSON-RPC (every version serves it)."""
    return int(jsonrpc(h, "res.partner", "search", [[]], {"limit": 1})["result"][0])


def partner(h) -> dict:
    return json2(h, "res.partner", "search_read", {"domain": [], "limit": 1}).json()[0]


@pytest.mark.parametrize("field, value, name, words", [
    ("customer_rank", "lots", "builtins.ValueError", "invalid literal for int() with base 10: 'lots'"),
    ("country_id", 999999, "odoo.exceptions.ValidationError", "res_partner_country_id_fkey"),
])
def test_bad_values_are_refused_with_odoos_error_on_json2_and_jsonrpc(odoo, field, value, name, words):
    p = partner(odoo)
    resp = json2(odoo, "res.partner", "write", {"ids": [p["id"]], "vals": {field: value}})
    # ValueError -> 500, UserError/ValidationError -> 422 (addons/rpc/controllers/json2.py handle_error)
    assert resp.status_code == (422 if name.startswith("odoo.") else 500)
    assert resp.json()["name"] == name and words in resp.json()["message"]
    err = jsonrpc(odoo, "res.partner", "write", [[p["id"]], {field: value}])["error"]
    assert err["code"] == 200 and err["message"] == "Odoo Server Error" and err["data"]["name"] == name
    assert odoo.store.get("res.partner", str(p["id"]))[0][field] == p[field]


def test_dates_floats_and_selections_are_checked_on_other_models(odoo):
    bad_date = json2(odoo, "account.move", "write", {"ids": [1], "vals": {"invoice_date_due": "not-a-date"}})
    assert bad_date.status_code == 500 and "does not match format '%Y-%m-%d'" in bad_date.json()["message"]
    bad_float = json2(odoo, "product.pricelist.item", "write", {"ids": [1], "vals": {"fixed_price": "abc"}})
    assert bad_float.status_code == 500 and "could not convert string to float: 'abc'" in bad_float.json()["message"]
    ok = json2(odoo, "account.move", "write", {"ids": [1], "vals": {"invoice_date_due": "2027-02-28"}})
    assert ok.status_code == 200 and ok.json() is True
    assert odoo.store.get("account.move", "1")[0]["invoice_date_due"] == "2027-02-28"


def test_values_are_converted_as_the_orm_converts_them(odoo):
    p = partner(odoo)
    assert json2(odoo, "res.partner", "write", {"ids": [p["id"]], "vals": {
        "active": "maybe", "customer_rank": "3", "zip": 75001}}).json() is True
    got = json2(odoo, "res.partner", "read", {"ids": [p["id"]], "fields": ["active", "customer_rank", "zip"]}).json()[0]
    assert got == {"id": p["id"], "active": True, "customer_rank": 3, "zip": "75001"}


def test_many2one_reads_as_id_and_name_and_a_code_clears_it(odoo):
    state = json2(odoo, "res.country.state", "search_read", {
        "domain": [["code", "=", "CA"]], "fields": ["display_name", "country_id"]}).json()[0]
    us = state["country_id"][0]
    p = partner(odoo)
    json2(odoo, "res.partner", "write", {"ids": [p["id"]], "vals": {"country_id": us, "state_id": state["id"]}})
    got = json2(odoo, "res.partner", "read", {"ids": [p["id"]], "fields": ["state_id", "country_code"]}).json()[0]
    assert got["state_id"] == [state["id"], "California (US)"] and got["country_code"] == "US"
    bare = json2(odoo, "res.partner", "read", {"ids": [p["id"]], "fields": ["state_id"], "load": None}).json()[0]
    assert bare["state_id"] == state["id"]
    # Many2one.convert_to_cache turns a non-id into an empty value: the state is gone, not "CA"
    assert json2(odoo, "res.partner", "write", {"ids": [p["id"]], "vals": {"state_id": "CA"}}).json() is True
    assert json2(odoo, "res.partner", "read", {"ids": [p["id"]], "fields": ["state_id"]}).json()[0]["state_id"] is False


def test_archived_records_are_searched_only_when_the_domain_names_active(odoo):
    p = partner(odoo)
    json2(odoo, "res.partner", "write", {"ids": [p["id"]], "vals": {"active": False}})
    default = json2(odoo, "res.partner", "search", {"domain": []}).json()
    every = json2(odoo, "res.partner", "search", {"domain": [["active", "in", [True, False]]]}).json()
    assert p["id"] not in default and p["id"] in every and len(every) == len(default) + 1
    assert json2(odoo, "res.partner", "search_count", {"domain": []}).json() == len(default)


def test_read_only_fields_are_refused(odoo):
    p = partner(odoo)
    resp = json2(odoo, "res.partner", "write", {"ids": [p["id"]], "vals": {"country_code": "FR"}})
    assert resp.status_code == 422 and resp.json()["name"] == "odoo.exceptions.UserError"


def test_json2_refuses_unknown_arguments_and_ids_to_model_methods(odoo):
    unknown = json2(odoo, "res.partner", "search_read", {"domain": [], "limits": 5})
    assert unknown.status_code == 422 and unknown.json()["name"] == "werkzeug.exceptions.UnprocessableEntity"
    assert "unexpected keyword argument 'limits'" in unknown.json()["message"]
    with_ids = json2(odoo, "res.partner", "search_read", {"ids": [10], "domain": []})
    assert with_ids.status_code == 422 and with_ids.json()["message"] == "cannot call res.partner.search_read with ids"
    missing = json2(odoo, "res.partner", "write", {"ids": [10]})
    assert missing.status_code == 422 and "missing a required argument: 'vals'" in missing.json()["message"]
    no_model = json2(odoo, "res.nothing", "search_read", {})
    assert no_model.status_code == 404 and no_model.json()["name"] == "werkzeug.exceptions.NotFound"
    no_method = json2(odoo, "res.partner", "create", {"vals_list": [{"name": "x"}]})
    assert no_method.status_code == 404


def test_order_by_other_fields_descending_with_offset_and_limit(odoo):
    every = json2(odoo, "res.partner", "search_read", {"domain": [], "fields": ["name"], "order": "name desc"}).json()
    names = [r["name"] for r in every]
    assert names == sorted(names, reverse=True) and len(names) == odoo.store.count("res.partner")
    page = json2(odoo, "res.partner", "search_read", {"domain": [], "fields": ["name"], "order": "name desc",
                                                      "offset": 3, "limit": 4}).json()
    assert [r["name"] for r in page] == names[3:7]
    ids = json2(odoo, "res.partner", "search", {"domain": [], "order": "country_id, id desc", "limit": 3}).json()
    first = json2(odoo, "res.partner", "read", {"ids": ids, "fields": ["country_id"]}).json()
    countries = sorted(r["country_id"][1] for r in every_with_country(odoo))
    assert [r["country_id"][1] for r in first] == countries[:3]
    bad = json2(odoo, "res.partner", "search_read", {"domain": [], "order": "nope desc"})
    assert bad.status_code == 500 and "Invalid field 'nope' on model 'res.partner'" in bad.json()["message"]


def every_with_country(h) -> list[dict]:
    return json2(h, "res.partner", "search_read", {"domain": [["country_id", "!=", False]],
                                                   "fields": ["country_id"]}).json()


def test_xmlrpc_faults_carry_odoos_codes(odoo):
    common = xmlrpc.client.ServerProxy(f"{odoo.base_url}/xmlrpc/2/common")
    uid = common.authenticate(odoo.info["database"], odoo.info["login"], odoo.info["api_key"], {})
    assert uid == 2 and common.version()["server_version"] == "19.0"
    models = xmlrpc.client.ServerProxy(f"{odoo.base_url}/xmlrpc/2/object")
    db, key = odoo.info["database"], odoo.info["api_key"]
    [p] = models.execute_kw(db, uid, key, "res.partner", "search_read", [[]], {"fields": ["name"], "limit": 1})
    with pytest.raises(xmlrpc.client.Fault) as bad:
        models.execute_kw(db, uid, key, "res.partner", "write", [[p["id"]], {"customer_rank": "lots"}])
    assert bad.value.faultCode == 1 and "ValueError: invalid literal for int()" in bad.value.faultString
    with pytest.raises(xmlrpc.client.Fault) as denied:
        models.execute_kw(db, uid, "wrong", "res.partner", "search", [[]])
    assert denied.value.faultCode == 3


def test_web_session_routes_answer_like_odoo_without_a_session(odoo):
    env = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {}}
    info = httpx.post(odoo.base_url + "/web/webclient/version_info", json=env).json()["result"]
    assert info["server_version"] == "19.0"
    call = httpx.post(odoo.base_url + "/web/dataset/call_kw", json={**env, "params": {
        "model": "res.partner", "method": "search", "args": [[]], "kwargs": {}}}).json()
    assert call["error"]["code"] == 100 and call["error"]["data"]["name"] == "odoo.http.SessionExpiredException"
    auth = httpx.post(odoo.base_url + "/web/session/authenticate", json={**env, "params": {
        "db": odoo.info["database"], "login": odoo.info["login"], "password": odoo.info["api_key"]}}).json()
    assert auth["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"


@pytest.mark.parametrize("op", [">=", ">"])
def test_a_write_date_search_finds_what_odoos_domain_says_at_the_boundary(odoo, op):
    """A search on ``write_date`` (the sandbox leaves earlier records undecoded) answers as the same test
    written so that nothing can be left out beforehand (an ``|`` with a term no record meets, of an operator the
    sandbox does not test in SQL)."""
    ids = json2(odoo, "res.partner", "search", {"domain": [], "order": "id"}).json()
    for i in ids[:3]:
        json2(odoo, "res.partner", "write", {"ids": [i], "vals": {"city": "Lyon"}})
    written = json2(odoo, "res.partner", "read", {"ids": [ids[1]], "fields": ["write_date"]}).json()[0]["write_date"]
    fast = json2(odoo, "res.partner", "search_read", {
        "domain": [["customer_rank", ">", 0], ["write_date", op, written]], "fields": ["write_date"]}).json()
    slow = json2(odoo, "res.partner", "search_read", {
        "domain": [["customer_rank", ">", 0], "|", ["write_date", op, written], ["id", "<", 0]],
        "fields": ["write_date"]}).json()
    assert fast == slow and all(r["write_date"] >= written for r in fast)
    assert (ids[1] in {r["id"] for r in fast}) == (op == ">=")  # the record written at that very second


@pytest.mark.parametrize("model, domain", [
    ("res.partner", []),
    ("res.partner", [["active", "in", [True, False]]]),
    ("res.partner", ["|", ["city", "=", False], "!", ["country_id", "=", False]]),
    ("res.partner", [["customer_rank", ">", 0], ["city", "!=", "Lyon"]]),
    ("account.move", [["move_type", "in", ["out_invoice", "out_refund"]], ["amount_residual", ">", 0]]),
    ("account.move", [["partner_id", "!=", False], ["invoice_date_due", "<", "2030-01-01"]]),
])
def test_a_key_only_search_finds_the_records_a_search_read_finds(odoo, model, domain):
    """``search`` decodes only the fields its domain tests; the answer is that of a whole-record read, also
    for a record whose stored data lacks some fields."""
    first = json2(odoo, model, "search", {"domain": [], "order": "id"}).json()[0]
    odoo.store.update(model, str(first), lambda d, v: {k: x for k, x in d.items() if k not in ("city", "email",
                                                                                             "amount_residual")})
    ids = json2(odoo, model, "search", {"domain": domain, "order": "id"}).json()
    read = [r["id"] for r in json2(odoo, model, "search_read", {"domain": domain, "fields": ["id"],
                                                                  "order": "id"}).json()]
    assert ids == read and ids
    assert json2(odoo, model, "search", {"domain": domain, "order": "id", "offset": 1, "limit": 2}).json() == ids[1:3]


def _walked(h, model: str, path: str, test) -> list[int]:
    """Ids of ``model``'s records whose record at the end of ``path`` (many2ones, then a field) passes ``test``,
    found by following each record's many2ones one by one in the store: a record without one is not taken."""
    *hops, name = path.split(".")
    out = []
    for _, rec, _ in h.store.scan(model):
        at, current = model, rec
        for hop in hops:
            value = current.get(hop)
            at = MODELS[at][hop][3]
            got = h.store.get(at, str(value[0])) if value else None
            current = got[0] if got else None
            if current is None:
                break
        if current is not None and test(current.get(name, False)):
            out.append(rec["id"])
    return out


@pytest.mark.parametrize("model, path, op, value, test", [
    ("sale.order.line", "product_id.default_code", "=like", "H%", lambda v: bool(v) and v.startswith("H")),
    ("sale.order.line", "product_id.product_tmpl_id.name", "ilike", "a", lambda v: bool(v) and "a" in v.lower()),
    ("product.pricelist.item", "product_id.active", "=", False, lambda v: v is False),
    ("account.move", "partner_id.country_code", "in", ["DE", "FR", "US"], lambda v: v in ("DE", "FR", "US")),
    ("res.partner", "parent_id.city", "!=", "Lyon", lambda v: v != "Lyon"),
    ("sale.order", "partner_id.active", "=", False, lambda v: v is False),
])
def test_a_path_through_a_many2one_takes_the_records_whose_related_record_matches(odoo, model, path, op, value,
                                                                                   test):
    """A leaf on a path through a many2one is a search of the related model, archived records included, and the
    many2one ``in`` what it found (odoo/orm/fields_relational.py Many2one.condition_to_sql): the records are those
    whose related record passes the leaf, none without one, over both APIs."""
    archived = json2(odoo, "product.product", "search", {"domain": [], "order": "id", "limit": 1}).json()
    assert json2(odoo, "product.product", "write", {"ids": archived, "vals": {"active": False}}).json() is True
    partner_ids = json2(odoo, "res.partner", "search", {"domain": [], "order": "id", "limit": 2}).json()
    assert json2(odoo, "res.partner", "write", {"ids": partner_ids[:1], "vals": {"active": False}}).json() is True
    assert json2(odoo, "res.partner", "write", {"ids": partner_ids[1:], "vals": {"parent_id": partner_ids[0]}}).json()
    expected = _walked(odoo, model, path, test)
    domain = [[path, op, value]]
    if "active" in MODELS[model]:
        domain.append(["active", "in", [True, False]])
    found = json2(odoo, model, "search_read", {"domain": domain, "fields": ["id"], "order": "id"}).json()
    assert [r["id"] for r in found] == expected and expected
    assert jsonrpc(odoo, model, "search", [domain], {"order": "id"})["result"] == expected
    assert json2(odoo, model, "search_count", {"domain": domain}).json() == len(expected)


@pytest.mark.parametrize("path, words", [
    ("price_unit.write_date", "Invalid field sale.order.line.price_unit.write_date"),  # not a many2one
    ("product_id.nope", "Invalid field product.product.nope"),
    ("product_id.product_tmpl_id.nope", "Invalid field product.template.nope"),
])
def test_a_path_through_no_many2one_or_to_no_field_is_refused(odoo, path, words):
    bad = json2(odoo, "sale.order.line", "search_read", {"domain": [[path, "=", 1]], "fields": ["id"]})
    assert bad.status_code == 500 and bad.json()["name"] == "builtins.ValueError" and words in bad.json()["message"]


# domains counted in SQL (the first seven) and by the search's own test (a path, "!")
COUNTED = [
    ("product.pricelist.item", [["applied_on", "=", "0_product_variant"], ["compute_price", "=", "fixed"]]),
    ("account.move", [["move_type", "in", ["out_invoice", "out_refund"]]]),
    ("account.payment", [["payment_type", "=", "inbound"]]),
    ("product.product", [["active", "in", [True, False]]]),
    ("product.product", [["active", "=", False]]),
    ("res.partner", []),
    ("res.partner", ["|", ["active", "=", False], ["city", "in", ["Lyon", "Bonn"]]]),
    ("sale.order.line", ["|", ["product_id", "in", [1, 2]], ["id", "=", 3]]),
    ("account.move", ["!", ["partner_id", "=", 1]]),
    ("sale.order.line", [["product_id.default_code", "!=", False]]),
    ("account.move", [["id", "in", []]]),
]


def _odd_records(h, model: str) -> None:
    """Archived products and a partner in Bonn; products stored with 1, 0 or null for ``active`` (as an import by
    SQL could leave them), and the first record of ``model`` stored without some fields."""
    json2(h, "product.product", "write", {"ids": [2, 3], "vals": {"active": False}})
    json2(h, "res.partner", "write", {"ids": [11], "vals": {"city": "Bonn"}})
    for rid, active in (("4", 1), ("5", 0), ("6", None)):
        h.store.update("product.product", rid, lambda d, v, a=active: {**d, "active": a})
    first = json2(h, model, "search", {"domain": [], "order": "id"}).json()[0]
    h.store.update(model, str(first), lambda d, v: {k: x for k, x in d.items()
                                                     if k not in ("active", "city", "product_id", "move_type")})


@pytest.mark.parametrize("model, domain", COUNTED)
def test_a_count_is_the_number_of_records_a_search_finds(odoo, model, domain):
    """``search_count`` (answered in SQL where the domain allows) counts what ``search`` lists, archived records left
    out unless the domain names ``active``, also with a record stored without some fields or with 1, 0 or null
    for a boolean."""
    _odd_records(odoo, model)
    listed = json2(odoo, model, "search", {"domain": domain, "order": "id"}).json()
    assert json2(odoo, model, "search_count", {"domain": domain}).json() == len(listed)
    assert jsonrpc(odoo, model, "search_count", [domain])["result"] == len(listed)
    assert json2(odoo, model, "search_count", {"domain": domain, "limit": 2}).json() == min(2, len(listed))


@pytest.mark.parametrize("model, domain", COUNTED)
def test_an_aggregate_without_a_groupby_counts_what_search_count_counts_and_sums_the_ids(odoo, model, domain):
    """``formatted_read_group`` (Odoo 19, addons/web/models/models.py) and ``read_group`` (odoo/orm/models.py,
    deprecated in 19; what JSON-RPC clients of 17 and 18 call) without a groupby answer one group: as many records
    as ``search_count`` counts (the same ``_search``: archived ones left out unless the domain names ``active``)
    and the sum of their ids, False where there is none (SQL SUM of no rows is NULL)."""
    _odd_records(odoo, model)
    listed = json2(odoo, model, "search", {"domain": domain, "order": "id"}).json()
    total = sum(listed) or False
    assert json2(odoo, model, "search_count", {"domain": domain}).json() == len(listed)
    asked = {"domain": domain, "groupby": [], "aggregates": ["__count", "id:sum", "id:min", "id:count"]}
    assert json2(odoo, model, "formatted_read_group", asked).json() == [{
        "__extra_domain": [[1, "=", 1]], "__count": len(listed), "id:sum": total,
        "id:min": min(listed, default=False), "id:count": len(listed)}]
    assert jsonrpc(odoo, model, "formatted_read_group", [domain], {"aggregates": ["__count", "id:sum"]})["result"] \
        == [{"__extra_domain": [[1, "=", 1]], "__count": len(listed), "id:sum": total}]
    assert jsonrpc(odoo, model, "read_group", [domain, ["id:sum"], []])["result"] == [
        {"__count": len(listed), "id": total, "__domain": domain or [[1, "=", 1]]}]
    # past the one group there is, none
    assert json2(odoo, model, "formatted_read_group", {"domain": domain, "aggregates": ["__count"],
                                                       "offset": 1}).json() == []


def test_aggregates_of_other_fields_are_worked_out_from_the_records_the_domain_takes(odoo):
    """Sums, bounds, counts and arrays of fields other than ``id``, as PostgreSQL computes them over the same rows
    (odoo/orm/models.py READ_GROUP_AGGREGATE); a many2one aggregates its ids; ``recordset`` is read as
    ``array_agg`` by ``formatted_read_group``; read_group names ``"name:agg(field)"`` by its name and sums a bare
    monetary field (its aggregator), leaving ``id`` (none) out."""
    domain = [["move_type", "=", "out_invoice"]]
    rows = json2(odoo, "account.move", "search_read", {"domain": domain, "fields": ["amount_total", "partner_id"],
                                                       "order": "id"}).json()
    totals = [Decimal(str(r["amount_total"])) for r in rows]
    partners = [r["partner_id"][0] for r in rows if r["partner_id"]]
    got = json2(odoo, "account.move", "formatted_read_group", {"domain": domain, "aggregates": [
        "amount_total:sum", "amount_total:max", "partner_id:count_distinct", "partner_id:recordset"]}).json()[0]
    assert Decimal(str(got["amount_total:sum"])) == sum(totals) and Decimal(str(got["amount_total:max"])) == max(totals)
    assert got["partner_id:count_distinct"] == len(set(partners))
    assert got["partner_id:array_agg"] == partners and "partner_id:recordset" not in got
    old = jsonrpc(odoo, "account.move", "read_group", [domain, ["amount_total", "id", "n:count_distinct(partner_id)"],
                                                        []])["result"]
    assert list(old[0]) == ["__count", "amount_total", "n", "__domain"] and old[0]["n"] == len(set(partners))


@pytest.mark.parametrize("aggregate, name, words", [
    ("nope:sum", "builtins.ValueError", "Invalid field 'nope' on model 'account.move' for 'nope:sum'."),
    ("id", "builtins.ValueError", "Aggregate method is mandatory for 'id'"),
    ("id:median", "builtins.ValueError", "Invalid aggregate method 'median' for 'id:median'."),
    ("partner_id.name:max", "builtins.ValueError", "Invalid 'partner_id.name:max', this dot notation is not supported"),
    ("id sum", "builtins.ValueError", "Invalid aggregate/groupby specification 'id sum'."),
    ("name:array_agg(id)", "builtins.ValueError", "Invalid aggregate/groupby specification"),
    ("ref:sum_currency", "builtins.ValueError", 'Aggregator "sum_currency" only works on currency field for \'ref\''),
    ("name:sum", "psycopg2.errors.UndefinedFunction", "function sum(character varying) does not exist"),
])
def test_an_aggregate_is_refused_as_odoo_refuses_it(odoo, aggregate, name, words):
    """As odoo/orm/models.py ``_read_group_select`` (and ``parse_read_group_spec``) refuses it, a ValueError (500 on
    JSON-2, addons/rpc/controllers/json2.py); an aggregate the column's type has none of, as PostgreSQL does."""
    resp = json2(odoo, "account.move", "formatted_read_group", {"domain": [], "aggregates": ["__count", aggregate]})
    assert resp.status_code == 500 and resp.json()["name"] == name and words in resp.json()["message"]
    err = jsonrpc(odoo, "account.move", "formatted_read_group", [[]], {"aggregates": [aggregate]})["error"]
    assert err["message"] == "Odoo Server Error" and err["data"]["name"] == name and words in err["data"]["message"]


def test_aggregate_methods_take_odoos_arguments_and_odoo_17_has_no_formatted_read_group(odoo):
    """The arguments are the methods' own (JSON-2 binds them by name: 422 otherwise); read_group refuses a bare field
    that does not exist; grouping is not served by the sandbox (said so, not answered wrong); Odoo 17 has
    ``read_group`` but no ``formatted_read_group``."""
    unknown = json2(odoo, "account.move", "formatted_read_group", {"domain": [], "fields": ["id:sum"]})
    assert unknown.status_code == 422 and "unexpected keyword argument 'fields'" in unknown.json()["message"]
    missing = json2(odoo, "account.move", "read_group", {"domain": [], "fields": ["id:sum"]})
    assert missing.status_code == 422 and "missing a required argument: 'groupby'" in missing.json()["message"]
    with_ids = json2(odoo, "account.move", "formatted_read_group", {"ids": [1], "domain": []})
    assert with_ids.status_code == 422 and "with ids" in with_ids.json()["message"]
    bare = jsonrpc(odoo, "account.move", "read_group", [[], ["nope"], []])["error"]["data"]
    assert bare["name"] == "builtins.ValueError" and bare["message"] == "Invalid field 'nope' on model 'account.move'"
    grouped = json2(odoo, "account.move", "formatted_read_group", {"domain": [], "groupby": ["state"]})
    assert grouped.status_code == 500 and grouped.json()["name"] == "builtins.NotImplementedError"
    h = erp.start(flavor="odoo", customers=5, seed=5, odoo_version=17)
    try:
        n = jsonrpc(h, "account.move", "search_count", [[]])["result"]
        assert jsonrpc(h, "account.move", "read_group", [[], ["id:sum"], []])["result"][0]["__count"] == n
        assert jsonrpc(h, "account.move", "read_group", [[], ["id:sum"], []])["result"][0]["__domain"] == []
        assert "does not exist" in jsonrpc(h, "account.move", "formatted_read_group", [[]])["error"]["data"]["message"]
    finally:
        h.stop()


def test_odoo_20s_read_group_is_the_orms_read_group_and_refuses_fields():
    """From Odoo 20, ``read_group`` is ``_read_group`` made public (odoo/orm/models.py, odoo/odoo#236332):
    ``read_group(domain, groupby, aggregates, ...)``, answering each group's values alone; ``fields`` is no argument
    of it (TypeError over JSON-RPC, 422 over JSON-2), and ``formatted_read_group`` answers as in 19."""
    h = erp.start(flavor="odoo", customers=5, seed=5, odoo_version=20)
    try:
        ids = jsonrpc(h, "account.move", "search", [[]])["result"]
        assert jsonrpc(h, "account.move", "read_group", [[], [], ["__count", "id:sum"]])["result"] == [
            [len(ids), sum(ids)]]
        refused = jsonrpc(h, "account.move", "read_group", [[]], {"fields": ["id:sum"], "groupby": []})["error"]
        assert refused["data"]["name"] == "builtins.TypeError" and "'fields'" in refused["data"]["message"]
        assert json2(h, "account.move", "read_group", {"domain": [], "fields": ["id:sum"]}).status_code == 422
        assert json2(h, "account.move", "formatted_read_group", {"domain": [], "aggregates": ["id:sum"]}).json() == [
            {"__extra_domain": [[1, "=", 1]], "id:sum": sum(ids)}]
        nothing = jsonrpc(h, "account.move", "read_group", [[]])["error"]["data"]
        assert nothing["message"] == "Need groupby or aggregates."
    finally:
        h.stop()


def test_a_pricelists_new_currency_shows_on_its_customers_unwritten_and_recomputes_its_rules(odoo):
    """A pricelist shows as "Name (CUR)" (product/models/product_pricelist.py _compute_display_name). A customer's
    pricelist is computed when read, not stored (product/models/res_partner.py): the customers show the new name,
    their write_date as it was. A price rule's currency_id is related='pricelist_id.currency_id', store=True:
    recomputed, and the recomputation stamps write_date (odoo/orm/models.py _write_multi)."""
    [book] = json2(odoo, "product.pricelist.item", "search_read", {"domain": [], "fields": ["pricelist_id"],
                                                                     "limit": 1}).json()
    pricelists = [book["pricelist_id"][0], partner(odoo)["property_product_pricelist"][0]]
    rules = json2(odoo, "product.pricelist.item", "search_read", {
        "domain": [["pricelist_id", "=", pricelists[0]]], "fields": ["currency_id", "write_date"]}).json()
    customers = json2(odoo, "res.partner", "search_read", {
        "domain": [["property_product_pricelist", "=", pricelists[1]]], "fields": ["write_date"]}).json()
    currency = json2(odoo, "res.currency", "search_read", {"domain": [["name", "=", "SEK"]], "fields": ["name"]}).json()
    for pricelist in pricelists:
        assert json2(odoo, "product.pricelist", "write", {"ids": [pricelist], "vals": {
            "currency_id": currency[0]["id"], "name": f"Nordic {pricelist}"}}).json() is True
    shown = json2(odoo, "product.pricelist", "read", {"ids": pricelists, "fields": ["display_name", "write_date"]})
    assert [p["display_name"] for p in shown.json()] == [f"Nordic {p} (SEK)" for p in pricelists]
    after = json2(odoo, "res.partner", "read", {"ids": [c["id"] for c in customers],
                                               "fields": ["property_product_pricelist", "write_date"]}).json()
    assert [c["property_product_pricelist"] for c in after] == [[pricelists[1], f"Nordic {pricelists[1]} (SEK)"]] \
        * len(customers)
    assert [c["write_date"] for c in after] == [c["write_date"] for c in customers]
    again = json2(odoo, "product.pricelist.item", "read", {"ids": [r["id"] for r in rules],
                                                          "fields": ["pricelist_id", "currency_id", "write_date"]})
    assert {r["currency_id"][1] for r in again.json()} == {"SEK"}
    assert all(a["write_date"] > r["write_date"] for a, r in zip(again.json(), rules, strict=True))


def test_read_leaves_out_records_that_no_longer_exist_as_odoo_does(odoo):
    # BaseModel.read -> fetch ("Method fetch() should never raise a MissingError") -> _read_format, "one
    # dictionary per record that exists" (odoo/orm/models.py): a deleted id is left out, not refused
    p = partner(odoo)
    gone = p["id"] + 10_000_000
    got = json2(odoo, "res.partner", "read", {"ids": [p["id"], gone], "fields": ["name"]})
    assert got.status_code == 200 and [r["id"] for r in got.json()] == [p["id"]]
    assert json2(odoo, "res.partner", "read", {"ids": [gone], "fields": ["name"]}).json() == []
    assert jsonrpc(odoo, "res.partner", "read", [[gone]], {"fields": ["name"]})["result"] == []


def test_odoo_19_has_no_sales_warning_on_partners(odoo):
    # odoo/odoo#192211 removed res.partner.sale_warn (only sale_warn_msg is left in 19, OCA/sale-workflow#4422):
    # asking it is asking a field the model lacks (odoo/orm/models.py _determine_fields_to_fetch)
    p = partner(odoo)
    assert "sale_warn" not in p
    assert "sale_warn" not in json2(odoo, "res.partner", "fields_get", {"attributes": ["type"]}).json()
    resp = json2(odoo, "res.partner", "search_read", {"domain": [], "fields": ["name", "sale_warn"], "limit": 1})
    assert resp.status_code == 500 and resp.json()["message"] == "Invalid field 'sale_warn' on model 'res.partner'"
    resp = json2(odoo, "res.partner", "read", {"ids": [p["id"]], "fields": ["sale_warn"]})
    assert resp.status_code == 500 and resp.json()["name"] == "builtins.ValueError"
    h = erp.start(flavor="odoo", customers=5, seed=5, odoo_version=18)
    try:
        assert "sale_warn" in jsonrpc(h, "res.partner", "fields_get", [], {"attributes": ["type"]})["result"]
        # account.payment's memo came with 18 (OCA/OpenUpgrade#4931)
        assert "memo" in jsonrpc(h, "account.payment", "fields_get", [], {"attributes": ["type"]})["result"]
        bad = jsonrpc(h, "res.partner", "write", [[partner_id(h)], {"sale_warn": "sometimes"}])["error"]["data"]
        assert bad["name"] == "builtins.ValueError"
        assert bad["message"] == "Wrong value for res.partner.sale_warn: 'sometimes'"
    finally:
        h.stop()


@pytest.mark.parametrize("version", [17, 19])
def test_the_version_is_told_where_odoo_tells_it(records, version):
    """Odoo 19 answers GET /web/version and its JSON-2 twin /json/version alike (addons/rpc/controllers: one
    method for both routes); /json/version came with JSON-2, so 17 answers it 404. The sandbox had no
    /json/version."""
    for h in erp_sandbox("odoo", records, odoo_version=version):
        web = httpx.get(f"{h.base_url}/web/version")
        assert web.json() == {"version_info": [version, 0, 0, "final", 0, ""], "version": f"{version}.0"}
        twin = httpx.get(f"{h.base_url}/json/version")
        assert (twin.status_code, twin.json() if twin.status_code == 200 else None) == \
            ((200, web.json()) if version >= 19 else (404, None))
