"""Sandbox servers for tests: each starts on an OS-assigned loopback port and stops when the
test (or module) that asked for it is done, whether it passed or not.

Fixtures stay thin by yielding from these: ``yield from erp_sandbox("odoo", records)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.config import from_dict
from workbench.sandbox import erp, salesforce
from workbench.sources import open_source
from workbench.sources.base import Source


def erp_sandbox(flavor: str, data: dict[str, list[dict[str, Any]]] | None = None,
                **options: Any) -> Iterator[erp.SandboxHandle]:
    """An ERP sandbox of ``flavor`` serving ``data`` (or its own seeded scenario)."""
    handle = erp.start(flavor=flavor, data=data, **options)
    try:
        yield handle
    finally:
        handle.stop()


def salesforce_org(frames: dict[str, pd.DataFrame], state_dir: Path) -> Iterator[salesforce.SandboxHandle]:
    """A Salesforce sandbox org seeded with ``frames``, keeping its state in ``state_dir``."""
    handle = salesforce.start(frames=frames, state_dir=state_dir)
    try:
        yield handle
    finally:
        handle.stop()


def erp_connector(handle: erp.SandboxHandle, **settings: Any) -> Source:
    """The ERP connector a run config pointing at ``handle`` opens, with ``settings`` on top of
    its table (retries back off 10 ms so a test of retrying does not sit waiting)."""
    table = erp.demo_config(handle)
    table[table["connector"]].update({"backoff": 0.01, **settings})
    return open_source("erp", from_dict({"crm": {"connector": "files"}, "erp": table}))


def simple_salesforce(org: salesforce.SandboxHandle) -> Any:
    """simple-salesforce's own client on the sandbox's session, trusting the sandbox's CA and nothing else:
    the client we did not write, for proving the sandbox behaves as Salesforce does."""
    import requests
    from simple_salesforce import Salesforce

    session = requests.Session()
    session.trust_env = False
    session.verify = org.info["ca_bundle"]
    return Salesforce(instance_url=org.instance_url, session_id=org.info["credentials"]["session"]["session_id"],
                      session=session, version="59.0")
