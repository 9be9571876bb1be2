"""A Business Central sandbox and its bearer header, shared by the Business Central wire tests."""

from __future__ import annotations

import httpx


def bearer(h) -> dict[str, str]:
    return {"Authorization": f"Bearer {h.info['access_token']}"}


def first(h, entity: str) -> dict:
    if entity == "salesOrderLines":  # lines are listed only under an order
        order = httpx.get(f"{h.info['api_root']}/salesOrders", headers=bearer(h),
                          params={"$top": "1", "$expand": "salesOrderLines"}).json()["value"][0]
        return order["salesOrderLines"][0]
    return httpx.get(f"{h.info['api_root']}/{entity}", headers=bearer(h), params={"$top": "1"}).json()["value"][0]


def patch(h, entity: str, rec: dict, body: dict) -> httpx.Response:
    return httpx.patch(f"{h.info['api_root']}/{entity}({rec['id']})",
                       headers={**bearer(h), "If-Match": rec["@odata.etag"]}, json=body)
