"""A local org that answers like Salesforce over HTTPS, for tests, demos and trying clients.

``start()`` seeds a SQLite-backed org from a scenario's CRM side (generated when
none is given), makes a CA and server certificate, and serves on 127.0.0.1 in a
background thread. ``handle.info`` holds everything a client needs; secrets in it
are the sandbox's own throwaway credentials, made fresh per state directory.
"""

from __future__ import annotations

import json
import secrets
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typing import TYPE_CHECKING

from workbench.sandbox.salesforce.objects import object_named

if TYPE_CHECKING:  # the CLI imports this package to build its parser: the server, TLS and store load on start()
    import pandas as pd

    from workbench.sandbox.salesforce import certs
    from workbench.sandbox.salesforce.faults import Faults
    from workbench.sandbox.salesforce.server import OrgState
    from workbench.sandbox.salesforce.store import OrgStore

DEFAULT_API_VERSION = "59.0"

__all__ = ["start", "SandboxHandle", "demo_config", "DEFAULT_API_VERSION"]


@dataclass
class SandboxHandle:
    info: dict[str, Any]
    faults: Faults
    org: OrgState
    _server: Any = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _tmp: Any = field(default=None, repr=False)

    @property
    def instance_url(self) -> str:
        return str(self.info["instance_url"])

    @property
    def api_calls(self) -> dict[str, int]:
        """API calls served so far, by resource (query, composite, jobs, sobjects, limits...)."""
        return dict(self.org.calls)

    def set_api_limit(self, max_requests: int, used: int | None = None) -> None:
        self.org.api_max = max_requests
        if used is not None:
            self.org.api_used = used

    def hide_field(self, obj: str, name: str) -> None:
        """Hide a field from the integration user, as field-level security does: gone from describe,
        refused by SOQL and writes as an unknown field."""
        self.org.hidden.setdefault(object_named(obj).name, set()).add(name.lower())

    def edit(self, obj: str, record_id: str, values: dict[str, Any]) -> str:
        """Change a record as another user would; returns its new SystemModstamp."""
        o = object_named(obj)
        return self.org.store.update(o, record_id, {o.spelled(k): v for k, v in values.items()})

    def delete(self, obj: str, record_id: str) -> None:
        self.org.store.delete(object_named(obj), record_id)

    def empty_recycle_bin(self, obj: str, record_ids: list[str]) -> int:
        """Remove deleted records for good, as a user emptying the Recycle Bin (or the org, its bin over its
        limit) does: see ``OrgStore.purge``. How many went."""
        return self.org.store.purge(object_named(obj), record_ids)

    def record(self, obj: str, record_id: str) -> dict[str, Any] | None:
        return self.org.store.get(object_named(obj), record_id)

    def write_count(self, obj: str, record_id: str) -> int:
        """How many updates the record has received (to prove a push wrote it exactly once)."""
        return self.org.store.write_count(object_named(obj), record_id)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self.org.store.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def __enter__(self) -> SandboxHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _credentials(state_dir: Path, material: certs.Material) -> dict[str, Any]:
    """The org's users and apps; kept in the state dir so a restarted sandbox accepts the same ones."""
    path = state_dir / "credentials.json"
    creds: dict[str, Any]
    if path.exists():
        creds = json.loads(path.read_text(encoding="utf-8"))
    else:
        creds = {
            "session": {"session_id": f"00DWb0000000001!{secrets.token_urlsafe(40)}"},
            "client_credentials": {"client_id": "3MVG9sandbox." + secrets.token_hex(16),
                                   "client_secret": secrets.token_hex(32)},
            "password": {"username": "controller@recon-workbench.sandbox", "password": secrets.token_urlsafe(12),
                         "security_token": secrets.token_hex(12)},
            "jwt": {"consumer_key": "3MVG9jwt." + secrets.token_hex(16),
                    "username": "integration@recon-workbench.sandbox"},
        }
        path.write_text(json.dumps(creds, indent=2), encoding="utf-8")
        path.chmod(0o600)
    creds["jwt"]["private_key_file"] = str(material.jwt_private_key)
    creds["jwt"]["certificate_file"] = str(material.jwt_certificate)
    return creds


def _crm_frames(scenario_dir: Path | None, state_dir: Path, customers: int, seed_: int) -> dict[str, pd.DataFrame]:
    from workbench.sandbox import scenario
    if scenario_dir is None:
        scenario_dir = state_dir / "scenario"
        if not (scenario_dir / "scenario.json").exists():
            scenario.generate(seed_, customers, scenario_dir)
    return scenario.load(Path(scenario_dir)).crm


def start(scenario_dir: Path | None = None, port: int = 0, state_dir: Path | None = None, *,
          customers: int = 200, seed: int = 7, frames: dict[str, pd.DataFrame] | None = None,
          api_max: int = 15000, single_currency: str | None = None) -> SandboxHandle:
    """Start the sandbox org on 127.0.0.1 and return once it accepts connections.

    The org's SQLite file lives in ``state_dir`` (a temporary directory when None) and
    is seeded only when empty, so a restart on the same state dir keeps earlier writes.
    ``frames`` (canonical CRM frames) seeds directly instead of a scenario. ``single_currency`` (an ISO
    code) makes an org without multicurrency: no object has CurrencyIsoCode, and getUserInfo names the code.
    """
    from workbench.sandbox.salesforce import certs
    from workbench.sandbox.salesforce.faults import Faults
    from workbench.sandbox.salesforce.server import API_VERSIONS, OrgState, make_server
    from workbench.sandbox.salesforce.store import OrgStore

    tmp = None
    if state_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="sf-sandbox-")
        state_dir = Path(tmp.name)
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    material = certs.generate(state_dir / "tls")
    creds = _credentials(state_dir, material)
    store = OrgStore(state_dir / "org.sqlite3")
    if store.is_empty():
        crm = frames if frames is not None else _crm_frames(scenario_dir, state_dir, customers, seed)
        _seed_into(store, crm)
    faults = Faults()
    org = OrgState(store, creds, material.jwt_certificate.read_bytes(), faults, api_max=api_max,
                   currency=single_currency)
    server = make_server(org, port)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(material.server_cert), str(material.server_key))
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    host, real_port = server.server_address[:2]
    org.instance_url = f"https://127.0.0.1:{real_port}"
    thread = threading.Thread(target=server.serve_forever, name="salesforce-sandbox", daemon=True)
    thread.start()
    info = {
        "instance_url": org.instance_url,
        "login_url": org.instance_url,
        "api_version": DEFAULT_API_VERSION,
        "api_versions": API_VERSIONS,
        "ca_bundle": str(material.ca_bundle),
        "state_dir": str(state_dir),
        "credentials": creds,
    }
    return SandboxHandle(info, faults, org, server, thread, tmp)


def _seed_into(store: OrgStore, crm: dict[str, pd.DataFrame]) -> None:
    from workbench.sandbox.salesforce.seed import seed

    seed(store, crm)


def demo_config(handle: SandboxHandle, *, auth: str = "jwt", env_prefix: str = "WORKBENCH_SF_SANDBOX"
                ) -> dict[str, Any]:
    """The ``[crm]`` table pointing the Salesforce connector at a running sandbox.

    Secrets travel through environment variables set here (named in the config by
    ``*_env`` keys), never as literal values in the config.
    """
    import os
    c = handle.info["credentials"]
    sf: dict[str, Any] = {"auth": auth, "login_url": handle.info["login_url"],
                          "instance_url": handle.info["instance_url"], "api_version": handle.info["api_version"],
                          "ca_bundle": handle.info["ca_bundle"], "bulk_poll_seconds": 0.05}
    if auth == "jwt":
        sf.update(username=c["jwt"]["username"], consumer_key=c["jwt"]["consumer_key"],
                  private_key_file=c["jwt"]["private_key_file"])
    elif auth == "client_credentials":
        os.environ[f"{env_prefix}_CLIENT_SECRET"] = c["client_credentials"]["client_secret"]
        sf.update(consumer_key=c["client_credentials"]["client_id"],
                  client_secret_env=f"{env_prefix}_CLIENT_SECRET")
    elif auth == "password":
        os.environ[f"{env_prefix}_PASSWORD"] = c["password"]["password"]
        os.environ[f"{env_prefix}_SECURITY_TOKEN"] = c["password"]["security_token"]
        sf.update(username=c["password"]["username"], password_env=f"{env_prefix}_PASSWORD",
                  security_token_env=f"{env_prefix}_SECURITY_TOKEN")
    elif auth == "session":
        os.environ[f"{env_prefix}_SESSION_ID"] = c["session"]["session_id"]
        sf.update(session_id_env=f"{env_prefix}_SESSION_ID")
    else:
        raise ValueError(f"unknown auth mode {auth!r}")
    return {"connector": "salesforce", "system": "salesforce", "salesforce": sf}
