"""A local server that behaves like an ERP on the wire: Business Central, Odoo or ERPNext.

``start()`` seeds a SQLite store with the ERP side of a scenario (the shared seeded
scenario when available, else a small built-in data set), serves it on 127.0.0.1 in
a background thread and returns a handle with ready-to-use credentials in ``.info``,
switchable ``.faults`` and ``.stop()``. Pushes are written to the store, so the next
pull sees them, also after a restart on the same ``state_dir``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import uuid
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from workbench.errors import ConfigError
from workbench.sandbox.erp.bc_schema import ROUTE_PROPERTIES as BC_ROUTE_PROPERTIES, ROUTES as BC_ROUTES

if TYPE_CHECKING:  # the server and its store load on start(): `workbench --help` lists `sandbox erp` without them
    from workbench.sandbox.erp.faults import Faults
    from workbench.sandbox.erp.server import Flavor, HttpServer
    from workbench.sandbox.erp.store import RecordStore

FLAVORS = ("business-central", "odoo", "erpnext")
SECRET_ENV = {"business-central": "WORKBENCH_SANDBOX_BC_CLIENT_SECRET",
              "odoo": "WORKBENCH_SANDBOX_ODOO_API_KEY",
              "erpnext": "WORKBENCH_SANDBOX_ERPNEXT_SECRET"}


class SandboxHandle:
    def __init__(self, flavor: str, server: HttpServer, store: RecordStore, faults: Faults, impl: Any,
                 info: dict[str, Any], tmp: Path | None):
        self.flavor, self._server, self.store, self.faults, self.impl = flavor, server, store, faults, impl
        self.info = info
        self._tmp = tmp

    @property
    def base_url(self) -> str:
        return str(self.info["base_url"])

    @property
    def requests(self) -> int:
        """HTTP requests served so far (the benchmark reports it)."""
        return self._server.requests

    @property
    def calls(self) -> dict[str, int]:
        """Requests served so far per shape: ``GET salesInvoices ?$filter,$select`` -> n."""
        return dict(self._server.calls)

    @property
    def batch_operations(self) -> int:
        """Inner requests of ``$batch`` requests served so far (each batch is one of ``requests``)."""
        return self._server.batch_operations

    @property
    def inner_calls(self) -> dict[str, int]:
        """Inner requests of ``$batch`` requests per shape, as ``calls`` counts HTTP requests."""
        return dict(self._server.inner_calls)

    def stop(self) -> None:
        self._server.stop()
        self.store.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _rows(frame: Any) -> list[dict[str, Any]]:
    """Canonical frame -> records, with pandas' missing markers (NaN, NaT) as None."""
    if isinstance(frame, list):
        return frame
    obj = frame.astype(object)
    records: list[dict[str, Any]] = obj.where(obj.notna(), None).to_dict("records")
    return records


def seed_data(scenario_dir: Path | None, customers: int, seed: int, work: Path) -> dict[str, list[dict[str, Any]]]:
    """The ERP side in canonical records: from a scenario dir, the shared generator, or the fixture."""
    scenario_mod: ModuleType | None
    try:
        from workbench.sandbox import scenario as scenario_mod
    except ImportError:
        scenario_mod = None
    if scenario_dir is not None:
        if scenario_mod is None:
            raise ConfigError(f"{scenario_dir}: reading a scenario needs workbench.sandbox.scenario, "
                              f"which is not installed")
        return _scenario_records(scenario_mod.load(Path(scenario_dir)))
    if scenario_mod is not None and hasattr(scenario_mod, "generate"):
        out = work / "scenario"
        scenario_mod.generate(seed, customers, out)
        try:
            return _scenario_records(scenario_mod.load(out))
        except ImportError:  # the scenario reader's own dependencies are not installed yet
            pass
    from workbench.sandbox.erp import fixture
    return fixture.dataset(customers, seed)


def _scenario_records(scenario: Any) -> dict[str, list[dict[str, Any]]]:
    data = {k: _rows(v) for k, v in scenario.erp.items()}
    # the ERP-side Salesforce id exists only where the ERP has a field for it (Odoo's partner ref)
    xref = getattr(scenario, "erp_xref", None) or {}
    for c in data.get("customers", []):
        if not c.get("xref") and c.get("number") in xref:
            c["xref"] = xref[c["number"]]
    return data


def _credentials(store: RecordStore, flavor: str, seed: int) -> dict[str, str]:
    saved = store.get_meta("credentials")
    if saved:
        creds: dict[str, str] = json.loads(saved)
        return creds
    ns = uuid.UUID(int=seed)
    creds = {"tenant": str(uuid.uuid5(ns, "tenant")), "environment": "production",
             "company_id": str(uuid.uuid5(ns, "company")), "company_name": "CRONUS USA, Inc.",
             "client_id": str(uuid.uuid5(ns, "client")), "client_secret": secrets.token_urlsafe(24),
             "database": "recon_sandbox", "login": "admin", "api_key": secrets.token_hex(20),
             "erpnext_key": secrets.token_hex(8), "erpnext_secret": secrets.token_hex(8)}
    store.set_meta("credentials", json.dumps(creds))
    return creds


def start(scenario_dir: Path | None = None, flavor: str = "business-central", port: int = 0,
          state_dir: Path | None = None, *, customers: int = 200, seed: int = 7,
          data: dict[str, list[dict[str, Any]]] | None = None, odoo_version: int = 19) -> SandboxHandle:
    """Start the sandbox in a background thread; ``data`` (canonical records per kind) replaces
    the scenario, e.g. for the benchmark's synthetic million invoices."""
    from workbench.sandbox.erp.faults import Faults
    from workbench.sandbox.erp.server import HttpServer
    from workbench.sandbox.erp.store import RecordStore

    if flavor not in FLAVORS:
        raise ConfigError(f"unknown ERP sandbox flavor {flavor!r}, expected one of {', '.join(FLAVORS)}")
    tmp = None
    if state_dir is None:
        tmp = Path(tempfile.mkdtemp(prefix=f"erp-sandbox-{flavor}-"))
        state_dir = tmp
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    store = RecordStore(state_dir / f"{flavor}.sqlite3")
    faults = Faults()
    creds = _credentials(store, flavor, seed)
    impl: Flavor
    if flavor == "business-central":
        from workbench.sandbox.erp.business_central import BusinessCentralFlavor, from_canonical
        impl = BusinessCentralFlavor(store, faults, tenant=creds["tenant"], environment=creds["environment"],
                                     company_id=creds["company_id"], company_name=creds["company_name"],
                                     client_id=creds["client_id"], client_secret=creds["client_secret"])
    elif flavor == "odoo":
        from workbench.sandbox.erp.odoo import OdooFlavor, from_canonical
        impl = OdooFlavor(store, faults, database=creds["database"], login=creds["login"],
                          api_key=creds["api_key"], version=odoo_version)
    else:
        from workbench.sandbox.erp.erpnext import ErpNextFlavor, from_canonical
        impl = ErpNextFlavor(store, faults, api_key=creds["erpnext_key"], api_secret=creds["erpnext_secret"])
    if not store.is_seeded():
        records = data if data is not None else seed_data(scenario_dir, customers, seed, state_dir)
        for entity, rows in from_canonical(records):
            store.insert_many(entity, rows)
        store.set_meta("seeded", "1")
    server = HttpServer(impl, faults, port)
    server.start()
    base = f"http://127.0.0.1:{server.port}"
    info: dict[str, Any] = {"flavor": flavor, "base_url": base}
    if flavor == "business-central":
        info.update({
            "api_root": f"{base}/v2.0/{creds['tenant']}/{creds['environment']}/api/v2.0/"
                        f"companies({creds['company_id']})",
            "tenant": creds["tenant"], "environment": creds["environment"], "company_id": creds["company_id"],
            "company_name": creds["company_name"], "token_url": f"{base}/{creds['tenant']}/oauth2/v2.0/token",
            "client_id": creds["client_id"], "client_secret": creds["client_secret"],
            # impl is the BusinessCentralFlavor made above for this flavor
            "scope": "https://api.businesscentral.dynamics.com/.default",
            "access_token": impl.issue_token(86400)})  # type: ignore[union-attr]
    elif flavor == "odoo":
        info.update({"api_root": f"{base}/json/2" if odoo_version >= 19 else f"{base}/jsonrpc",
                     "database": creds["database"], "login": creds["login"], "api_key": creds["api_key"],
                     "version": f"{odoo_version}.0"})
    else:
        info.update({"api_root": f"{base}/api/resource", "api_key": creds["erpnext_key"],
                     "api_secret": creds["erpnext_secret"]})
    return SandboxHandle(flavor, server, store, faults, impl, info, tmp)


# The sandbox tenant's price list page (salesPrices, over its Price List Lines), published under its own API route
# (business_central.ROUTES), as its config maps it: API v2.0 has none (workbench.sources.business_central
# DEFAULT_OBJECTS)
PRICE_LIST_PAGE: dict[str, Any] = {"object": "salesPrices", "route": BC_ROUTES["salesPrices"], "fields": {
    "record_id": "id", "product_code": "itemNumber", "product_id": "itemId", "product_name": "itemDescription",
    "currency": "currencyCode", "unit_price": "unitPrice", "pricebook": "priceListCode",
    "effective_date": "startingDate", "end_date": "endingDate", "min_quantity": "minimumQuantity",
    "last_modified": "lastModifiedDateTime"}}


def demo_config(handle: SandboxHandle, *, page_size: int | None = None) -> dict[str, Any]:
    """The ``[erp]`` config table that points a connector at a running sandbox.

    The secret is handed over through an environment variable of this process (named in
    the ``*_env`` key), never written into the config."""
    info = handle.info
    env = SECRET_ENV[handle.flavor]
    if handle.flavor == "business-central":
        os.environ[env] = info["client_secret"]
        bc: dict[str, Any] = {
            "tenant": info["tenant"], "environment": info["environment"], "company": info["company_id"],
            "base_url": info["base_url"], "token_url": info["token_url"], "client_id": info["client_id"],
            "client_secret_env": env, "scope": info["scope"]}
        if page_size:
            bc["page_size"] = page_size
        # the sandbox's tenant publishes its price list lines and customers' bill-to numbers on pages of its own, as
        # API v2.0 does not
        # a copy: a caller may change its table (PRICE_LIST_PAGE serves every sandbox of this process)
        objects = {"prices": {**PRICE_LIST_PAGE, "fields": dict(PRICE_LIST_PAGE["fields"])},
                   # bill-to numbers on the tenant's own customers page (API v2.0's has none)
                   "customers": {"route": next(r for r, sets in BC_ROUTE_PROPERTIES.items() if "customers" in sets),
                                 "fields": {"parent_id": "billToCustomerNumber"}}}
        return {"connector": "business_central", "system": "business_central", "business_central": bc,
                "objects": objects}
    if handle.flavor == "odoo":
        os.environ[env] = info["api_key"]
        od: dict[str, Any] = {"url": info["base_url"], "database": info["database"], "login": info["login"],
                              "api": "auto", "api_key_env": env}
        if page_size:
            od["page_size"] = page_size
        return {"connector": "odoo", "system": "odoo", "odoo": od}
    os.environ[env] = f"{info['api_key']}:{info['api_secret']}"
    from workbench.sources.rest_profile import PROFILES_DIR
    rest: dict[str, Any] = {"profile": str(PROFILES_DIR / "erpnext.toml"), "base_url": info["base_url"],
                            "token_env": env}
    if page_size:
        rest["page_size"] = page_size
    return {"connector": "rest", "system": "erpnext", "rest": rest}


__all__ = ["start", "demo_config", "SandboxHandle", "FLAVORS"]
