"""The Business Central sandbox's ``POST {api root}/$batch`` (JSON batch: "Using OData transactional $batch
requests", dev-itpro/webservices/use-odata-batch.md; at most 100 operations, operational-limits-online.md),
over real HTTP on loopback: strict as the service, each inner request served as if it came alone, and the
batch counted as one HTTP request with its inner requests counted apart."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.workbench.sandbox.erp.bc_http import bearer


def batch_url(h) -> str:
    return h.info["api_root"].rsplit("/companies(", 1)[0] + "/$batch"


def asks_json(h) -> dict[str, str]:
    """A batch's headers: its token, Accept: application/json (without it the answer is multipart), and
    Prefer: odata.continue-on-error (without it the service stops at the first inner request that fails)."""
    return bearer(h) | {"Accept": "application/json", "Prefer": "odata.continue-on-error"}


def company(h) -> str:
    return "companies(" + h.info["api_root"].rsplit("/companies(", 1)[1]


def test_a_batch_is_one_request_whose_inner_requests_are_answered_in_order_with_their_ids(bc):
    c = company(bc)
    before, ops = bc.requests, bc.batch_operations
    resp = httpx.post(batch_url(bc), headers=asks_json(bc), json={"requests": [
        {"id": "a", "method": "GET", "url": f"{c}/customers/$count"},
        {"id": "b", "method": "GET", "url": f"{c}/customers?$select=id,displayName",
         "headers": {"Prefer": "odata.maxpagesize=5"}},
        {"id": "c", "method": "GET", "url": f"{c}/customers(00000000-0000-0000-0000-000000000001)"}]})
    assert resp.status_code == 200  # an inner failure is its own status, not the batch's
    answers = resp.json()["responses"]
    assert [a["id"] for a in answers] == ["a", "b", "c"]
    assert [a["status"] for a in answers] == [200, 200, 404]
    # /$count's text/plain body is a JSON string (OData JSON Format v4.01, 19.2)
    assert answers[0]["body"] == str(bc.store.count("customers"))
    page = answers[1]["body"]
    assert len(page["value"]) == 5 and set(page["value"][0]) == {"@odata.etag", "id", "displayName"}
    # the next link is the service's own, and the same request outside a batch reads the next page
    nxt = httpx.get(page["@odata.nextLink"], headers={**bearer(bc), "Prefer": "odata.maxpagesize=5"})
    assert nxt.status_code == 200 and len(nxt.json()["value"]) == 5
    assert answers[2]["body"]["error"]["code"] == "Internal_RecordNotFound"
    assert bc.requests - before == 2  # the batch and the next page
    assert bc.batch_operations - ops == 3
    assert bc.inner_calls.get("GET $count") == 1


def test_an_inner_request_is_as_strict_as_the_same_request_alone(bc):
    c = company(bc)
    resp = httpx.post(batch_url(bc), headers=asks_json(bc), json={"requests": [
        {"id": "1", "method": "GET", "url": f"{c}/customers?$search=x"},
        {"id": "2", "method": "GET", "url": f"{c}/salesOrderLines"},
        {"id": "3", "method": "GET", "url": f"{c}/customers?$filter=nosuch eq 1"}]})
    alone = httpx.get(f"{bc.info['api_root']}/salesOrderLines", headers=bearer(bc))
    answers = resp.json()["responses"]
    assert resp.status_code == 200 and [a["status"] for a in answers] == [400, 400, 400]
    assert answers[1]["body"]["error"]["code"] == alone.json()["error"]["code"] == "Application_DialogException"


def test_more_than_100_operations_are_refused_whole(bc):
    c = company(bc)
    ops = bc.batch_operations

    def requests(n: int) -> list[dict]:
        return [{"id": str(i), "method": "GET", "url": f"{c}/customers/$count"} for i in range(n)]
    refused = httpx.post(batch_url(bc), headers=asks_json(bc), json={"requests": requests(101)})
    # the service's own words for it, as a partner got them back (demiliani.com, 2021-01-12)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "Unknown"
    assert refused.json()["error"]["message"].startswith(
        "The current batch message contains too many parts. A maximum number of '100' query operations")
    assert bc.batch_operations == ops  # none of them ran
    served = httpx.post(batch_url(bc), headers=asks_json(bc), json={"requests": requests(100)})
    assert served.status_code == 200 and len(served.json()["responses"]) == 100


@pytest.mark.parametrize("content_type", ["text/plain", "multipart/mixed; boundary=b", None])
def test_a_batch_needs_the_json_content_type(bc, content_type):
    body = json.dumps({"requests": [{"id": "1", "method": "GET", "url": f"{company(bc)}/customers/$count"}]})
    headers = bearer(bc) | ({"Content-Type": content_type} if content_type else {})
    resp = httpx.post(batch_url(bc), headers=headers, content=body)
    assert resp.status_code == 415 and "application/json" in resp.json()["error"]["message"]


@pytest.mark.parametrize("body", [{"requests": "x"}, {"requests": [{"id": "1", "url": "companies"}]},
                                  {"requests": [{"id": "1", "method": "GET", "url": "companies"},
                                                {"id": "1", "method": "GET", "url": "companies"}]}, []])
def test_a_malformed_batch_is_refused(bc, body):
    resp = httpx.post(batch_url(bc), headers=asks_json(bc), json=body)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "BadRequest"


def test_inner_requests_run_with_the_batch_s_credentials(bc):
    c = company(bc)
    body = {"requests": [{"id": "1", "method": "GET", "url": f"{c}/customers/$count"}]}
    assert httpx.post(batch_url(bc), json=body).status_code == 401  # no token: not even looked into
    # a bad token given on the inner request is that request's own refusal
    inner = {"requests": [{"id": "1", "method": "GET", "url": f"{c}/customers/$count",
                           "headers": {"Authorization": "Bearer nope"}},
                          {"id": "2", "method": "GET", "url": f"{c}/customers/$count"}]}
    answers = httpx.post(batch_url(bc), headers=asks_json(bc), json=inner).json()["responses"]
    assert [a["status"] for a in answers] == [401, 200]
    assert answers[0]["body"]["error"]["code"] == "Authentication_InvalidCredentials"


def test_faults_hit_inner_requests_one_by_one(bc):
    c = company(bc)
    bc.faults.rate_limit(times=1, retry_after=3)
    refused = httpx.post(batch_url(bc), headers=asks_json(bc), json={"requests": []})
    assert refused.status_code == 429  # the batch itself is a request like any other
    bc.faults.server_error(503, times=1, after=2)  # past the batch and its first inner request
    resp = httpx.post(batch_url(bc), headers=asks_json(bc), json={"requests": [
        {"id": "1", "method": "GET", "url": f"{c}/customers/$count"},
        {"id": "2", "method": "GET", "url": f"{c}/customers/$count"},
        {"id": "3", "method": "GET", "url": f"{c}/customers/$count"}]})
    assert resp.status_code == 200
    assert [a["status"] for a in resp.json()["responses"]] == [200, 503, 200]


def test_inner_urls_relative_absolute_path_or_this_service_only(bc):
    c = company(bc)
    root_path = batch_url(bc).split("127.0.0.1", 1)[1].split("/", 1)[1].rsplit("/$batch", 1)[0]
    answers = httpx.post(batch_url(bc), headers=asks_json(bc), json={"requests": [
        {"id": "1", "method": "GET", "url": f"/{root_path}/{c}/customers/$count"},
        {"id": "2", "method": "GET", "url": f"{bc.info['api_root']}/customers/$count"},
        {"id": "3", "method": "GET", "url": f"http://example.com/{root_path}/{c}/customers/$count"},
        {"id": "4", "method": "POST", "url": "$batch"}]}).json()["responses"]
    assert [a["status"] for a in answers] == [200, 200, 400, 400]


def test_depends_on_names_only_earlier_requests(bc):
    c = company(bc)
    ops = bc.batch_operations
    resp = httpx.post(batch_url(bc), headers=asks_json(bc), json={"requests": [
        {"id": "a", "method": "GET", "url": f"{c}/customers/$count", "dependsOn": ["b"]},
        {"id": "b", "method": "GET", "url": f"{c}/customers/$count"}]})
    assert resp.status_code == 400
    assert "Forward reference is not allowed" in resp.json()["error"]["message"]  # as the OData .NET library says
    assert bc.batch_operations == ops  # the batch was refused whole


def test_a_request_whose_dependency_failed_is_not_run_424(bc):
    c = company(bc)
    ops = bc.batch_operations
    resp = httpx.post(batch_url(bc), headers=asks_json(bc), json={"requests": [
        {"id": "a", "method": "GET", "url": f"{c}/customers(00000000-0000-0000-0000-000000000001)"},
        {"id": "b", "method": "GET", "url": f"{c}/customers/$count", "dependsOn": ["a"]},
        {"id": "c", "method": "GET", "url": f"{c}/customers/$count"}]})
    assert resp.status_code == 200
    assert [(a["id"], a["status"]) for a in resp.json()["responses"]] == [("a", 404), ("b", 424), ("c", 200)]
    assert bc.batch_operations - ops == 2 and bc.impl.not_run == 1  # "b" never ran


def test_without_accept_json_the_answer_is_multipart_as_business_central_gives_it(bc):
    c = company(bc)
    body = json.dumps({"requests": [{"id": "a", "method": "GET", "url": f"{c}/customers/$count"},
                                    {"id": "b", "method": "GET", "url": f"{c}/customers?$top=1&$select=id"}]})
    resp = httpx.post(batch_url(bc), headers=bearer(bc) | {"Content-Type": "application/json"}, content=body)
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("multipart/mixed; boundary=")
    boundary = resp.headers["content-type"].split("boundary=")[1]
    parts = resp.text.split(f"--{boundary}")[1:-1]
    assert len(parts) == 2 and all("Content-Type: application/http" in p for p in parts)
    assert "HTTP/1.1 200 OK" in parts[0] and parts[0].rstrip().endswith(str(bc.store.count("customers")))
    assert '"value":[{"@odata.etag"' in parts[1].replace(" ", "")


@pytest.mark.parametrize("prefer", [None, "odata.continue-on-error=false", "continue-on-error"])
def test_without_continue_on_error_the_batch_stops_at_the_first_failed_request(bc, prefer):
    # OData 4.01 Protocol 8.2.8.3: continue-on-error asks the service to go on past a failed request (also as
    # "continue-on-error", and "=false" asks it to stop); without it the service stops at the first error, the
    # default of the OData .NET stack Business Central runs on (OData/WebApi issue 447: stop-on-error since 5.7)
    c = company(bc)
    ops = bc.batch_operations
    headers = bearer(bc) | {"Accept": "application/json"} | ({"Prefer": prefer} if prefer else {})
    resp = httpx.post(batch_url(bc), headers=headers, json={"requests": [
        {"id": "a", "method": "GET", "url": f"{c}/customers/$count"},
        {"id": "b", "method": "GET", "url": f"{c}/customers(00000000-0000-0000-0000-000000000001)"},
        {"id": "c", "method": "GET", "url": f"{c}/customers/$count"}]})
    assert resp.status_code == 200
    goes_on = prefer == "continue-on-error"
    assert [(a["id"], a["status"]) for a in resp.json()["responses"]] == \
        [("a", 200), ("b", 404)] + ([("c", 200)] if goes_on else [])
    assert bc.batch_operations - ops == (3 if goes_on else 2)
    # "If the service encounters any errors processing the request and returns a successful response code, then it
    # MUST include a Preference-Applied response header containing the continue-on-error preference" (8.2.8.3)
    assert resp.headers.get("preference-applied") == ("odata.continue-on-error" if goes_on else None)
