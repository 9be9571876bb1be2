"""A Business Central sandbox and its bearer header, shared by the Business Central wire tests."""

from __future__ import annotations

import httpx

from workbench.sandbox.erp.bc_schema import ROUTES


def bearer(h) -> dict[str, str]:
    return {"Authorization": f"Bearer {h.info['access_token']}"}


def set_url(h, entity: str) -> str:
    """The URL of ``entity`` of the sandbox's company, under the API route the tenant publishes it under."""
    api = h.info["api_root"]
    return f"{api.replace('/api/v2.0/', f'/api/{ROUTES[entity]}/')}/{entity}" if entity in ROUTES else f"{api}/{entity}"


def first(h, entity: str) -> dict:
    if entity == "salesOrderLines":  # lines are listed only under an order
        order = httpx.get(f"{h.info['api_root']}/salesOrders", headers=bearer(h),
                          params={"$top": "1", "$expand": "salesOrderLines"}).json()["value"][0]
        return order["salesOrderLines"][0]
    return httpx.get(set_url(h, entity), headers=bearer(h), params={"$top": "1"}).json()["value"][0]


def patch(h, entity: str, rec: dict, body: dict) -> httpx.Response:
    return httpx.patch(f"{set_url(h, entity)}({rec['id']})",
                       headers={**bearer(h), "If-Match": rec["@odata.etag"]}, json=body)
