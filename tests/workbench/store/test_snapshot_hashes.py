"""Every connector's record hash is the SHA-256 of the record's payload text: the contract the store
relies on to keep payloads without their hashes and give each hash back, recomputed, when read."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.helpers.sandboxes import erp_connector, erp_sandbox, salesforce_org
from tests.helpers.stored_runs import store_side
from tests.workbench.sandbox.salesforce.frames import crm_frames
from workbench import config as cfg
from workbench.config import from_dict
from workbench.sandbox import erp
from workbench.sandbox import salesforce as sf_sandbox
from workbench.sandbox.scenario import generate
from workbench.sources import open_source
from workbench.sources.base import Extract, Source
from workbench.store import snapshots


def _pulled(source: Source) -> Extract:
    try:
        return source.pull()
    finally:
        source.close()


def _pull_files(tmp: Path) -> Extract:
    scenario = generate(11, 12, tmp / "s", invoices_per_customer=3)
    return _pulled(open_source("erp", cfg.load(scenario / "run.toml")))


def _pull_salesforce(tmp: Path) -> Extract:
    handle = salesforce_org(crm_frames(12), tmp / "sf")
    try:
        crm = sf_sandbox.demo_config(next(handle))
        return _pulled(open_source("crm", from_dict({"crm": crm, "erp": {"connector": "files"}})))
    finally:
        handle.close()


def _pull_erp(flavor: str, tmp: Path) -> Extract:
    handle = erp_sandbox(flavor, erp.seed_data(None, 12, 3, tmp / "scenario"))
    try:
        return _pulled(erp_connector(next(handle)))
    finally:
        handle.close()


PULLS = {"files": _pull_files, "salesforce": _pull_salesforce,
         "business-central": lambda tmp: _pull_erp("business-central", tmp),
         "odoo": lambda tmp: _pull_erp("odoo", tmp), "erpnext (REST profile)": lambda tmp: _pull_erp("erpnext", tmp)}


@pytest.mark.parametrize("connector", list(PULLS))
def test_each_connectors_record_hash_is_its_payloads_sha256_and_reads_back_from_the_store(connector, store, tmp_path):
    pulled = PULLS[connector](tmp_path)
    snaps = pulled.snapshots
    assert len(snaps) > 12 and set(snaps["kind"]) >= {"customers", "invoices"}
    for payload, digest in zip(snaps["payload"], snaps["content_hash"], strict=True):
        assert digest == hashlib.sha256(payload.encode("utf-8")).hexdigest()
    run_id = store_side(store, pulled)
    back = snapshots.load_extract(store, run_id, pulled.meta.side)
    assert back.snapshots["content_hash"].tolist() == snaps["content_hash"].tolist()
    assert back.snapshots["payload"].tolist() == snaps["payload"].tolist()
    assert back.finish().meta.content_hash == pulled.meta.content_hash
