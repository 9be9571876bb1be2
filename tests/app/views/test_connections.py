"""Connections screen against the real sandboxes: test connection in words, secrets into the
keyring (never into the config), the legacy-login warning, profiles saved into the TOML."""

from __future__ import annotations

import tomllib

import keyring
import pytest
from keyring.backend import KeyringBackend

from app.main_window import build_window
from app.models.run_config_model import run_config_doc
from workbench import demo as demo_mod
from tests.helpers.qt import WAIT_MS


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = demo_mod.prepare_demo(tmp_path_factory.mktemp("demo"), customers=12)
    yield d
    d.stop()


@pytest.fixture
def screen(qtbot, store, demo, tmp_path):
    win = build_window(store, user="alice")
    qtbot.addWidget(win)
    # a copy of the demo config, so tests that save do not change what other tests read
    path = tmp_path / "run.toml"
    path.write_bytes(demo.config_path.read_bytes())
    run_config_doc(win.ctx).open(path)
    win.show_screen("connections")
    yield win.screens["connections"]
    win.close()
    assert not win.ctx.jobs.busy and not win.ctx.db.busy


def _test(qtbot, panel):
    with qtbot.wait_signal(panel.tested, timeout=WAIT_MS) as blocker:
        panel.test_button.click()
    return {c: (ok, words) for c, ok, words in blocker.args[1]}


def _set(panel, key, value):
    m = panel.settings
    row = next(i for i, r in enumerate(m.rows) if r["key"] == key)
    assert m.setData(m.index(row, 1), value)


def test_testing_both_sandboxes_reports_what_works_in_words(qtbot, screen):
    crm = _test(qtbot, screen.crm)
    assert crm["auth"][0] and "JWT bearer" in crm["auth"][1]
    assert crm["API version"][0] and "v59.0" in crm["API version"][1]
    assert crm["objects readable"][0] and "Account" in crm["objects readable"][1]
    assert crm["API usage"][0] and "left" in crm["API usage"][1]
    assert screen.crm.status.text() == "Everything works"
    erp = _test(qtbot, screen.erp)
    assert erp["sign-in"][0] and erp["read customers"] == (True, "readable")
    # what the user reads is the table on screen
    m = screen.erp.checks
    assert [m.index(r, 1).data() for r in range(m.rowCount())] == ["works"] * m.rowCount()
    assert not screen.crm.warning.isVisible() and not screen.crm.warning.text()


def test_a_wrong_client_id_is_reported_as_not_working_with_the_systems_words(qtbot, screen):
    _set(screen.erp, "client_id", "00000000-0000-0000-0000-000000000000")
    erp = _test(qtbot, screen.erp)
    ok, words = erp["sign-in"]
    assert not ok and words  # the token endpoint's refusal, in words
    assert screen.erp.status.text() == "Not working: sign-in"
    m = screen.erp.checks
    assert m.index(0, 1).data() == "FAILS"


def test_username_password_login_works_but_warns_that_salesforce_retires_it(qtbot, screen, demo):
    from workbench.sandbox import salesforce as sf_sandbox
    sf = next(h for h in demo.handles if hasattr(h, "org"))
    raw = dict(screen.doc.raw)
    raw["crm"] = sf_sandbox.demo_config(sf, auth="password")
    screen.doc.save(raw)
    assert screen.crm.warning.isVisibleTo(screen) and "retired" in screen.crm.warning.text()
    crm = _test(qtbot, screen.crm)
    assert crm["auth"][0] and "being retired" in crm["auth"][1]
    _set(screen.crm, "auth", "jwt")
    assert not screen.crm.warning.isVisibleTo(screen)


class MemoryKeyring(KeyringBackend):
    """A keyring backend of this process (the test machine has no desktop keyring)."""
    priority = 1

    def __init__(self):
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        self.items.pop((service, username), None)


def test_a_secret_goes_to_the_keyring_never_into_the_config_and_the_test_then_uses_it(qtbot, screen, monkeypatch):
    ring = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    try:
        env = next(r["value"] for r in screen.erp.settings.rows if r["key"] == "client_secret_env")
        import os
        secret = os.environ[env]
        monkeypatch.delenv(env)  # from now on only the keyring has it
        erp = _test(qtbot, screen.erp)
        ok, words = next(iter(erp.values()))
        assert not ok and "no client_secret found" in words and "keyring" in words  # where it looked, in words
        screen.erp.secret_key.setCurrentText("client_secret")
        screen.erp.secret.setText(secret)
        screen.erp.save_secret.click()
        assert ring.items[("recon-workbench", "erp.business_central.client_secret")] == secret
        assert screen.erp.secret.text() == ""  # the value leaves the window
        assert _test(qtbot, screen.erp)["sign-in"][0]
        assert screen.save()
        text = screen.doc.path.read_text(encoding="utf-8")
        assert secret not in text
    finally:
        keyring.set_keyring(previous)


def test_saving_connections_keeps_types_and_refuses_a_secret_as_a_setting(qtbot, screen):
    messages = []
    screen.ctx.message.connect(lambda level, text: messages.append((level, text)))
    screen.erp.new_key.setText("page_size")
    screen.erp.add_key.click()
    _set(screen.erp, "page_size", "2")
    assert screen.save()
    raw = tomllib.loads(screen.doc.path.read_text(encoding="utf-8"))
    assert raw["erp"]["business_central"]["page_size"] == 2
    assert raw["crm"]["salesforce"]["auth"] == "jwt" and raw["run"]["name"].startswith("Demo")
    screen.erp.new_key.setText("client_secret")
    screen.erp.add_key.click()
    assert not any(r["key"] == "client_secret" for r in screen.erp.settings.rows)
    assert messages[-1][0] == "error" and "keyring" in messages[-1][1]


def test_checks_model_passes_the_model_tester(qtbot, qtmodeltester, screen):
    _test(qtbot, screen.erp)
    qtmodeltester.check(screen.erp.checks)
    qtmodeltester.check(screen.erp.settings)


def test_switching_to_a_connector_without_a_profile_offers_its_settings(qtbot, screen):
    erp = screen.erp
    erp.connector.setCurrentIndex(erp.connector.findData("odoo"))
    assert [r["key"] for r in erp.settings.rows] == ["url", "database", "login", "api"]
    erp.connector.setCurrentIndex(erp.connector.findData("business_central"))
    assert "client_id" in [r["key"] for r in erp.settings.rows]  # the saved profile comes back
    assert next(r["value"] for r in erp.settings.rows if r["key"] == "environment") == "production"
