"""Secret lookup: keyring first, then the environment variable the config names."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend

from workbench.errors import ConfigError
from workbench.sources.credentials import SERVICE, get_secret, set_secret


class MemoryKeyring(KeyringBackend):
    """A real keyring backend kept in memory, so tests never touch the user's keychain."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.entries = {}

    def get_password(self, service, username):
        return self.entries.get((service, username))

    def set_password(self, service, username, password):
        self.entries[(service, username)] = password

    def delete_password(self, service, username):
        self.entries.pop((service, username), None)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


def test_keyring_entry_named_after_side_and_system_wins_over_environment(memory_keyring, monkeypatch):
    cfg = {"side": "crm", "system": "salesforce", "client_secret_env": "SF_SECRET"}
    monkeypatch.setenv("SF_SECRET", "from-env")
    memory_keyring.set_password(SERVICE, "crm.salesforce.client_secret", "from-keyring")
    assert get_secret(cfg, "client_secret") == "from-keyring"


def test_keyring_user_from_config_names_the_entry(memory_keyring):
    cfg = {"side": "crm", "system": "salesforce", "keyring_user": "acme-prod"}
    assert set_secret(cfg, "password", "s3cret") == "acme-prod.password"
    assert get_secret(cfg, "password") == "s3cret"


def test_environment_variable_used_when_keyring_has_nothing(memory_keyring, monkeypatch):
    monkeypatch.setenv("SF_TOKEN", "tok")
    assert get_secret({"side": "crm", "system": "salesforce", "security_token_env": "SF_TOKEN"},
                      "security_token") == "tok"


def test_missing_secret_names_both_places_and_never_a_value(monkeypatch):
    monkeypatch.delenv("SF_SECRET", raising=False)
    cfg = {"side": "crm", "system": "salesforce", "client_secret_env": "SF_SECRET"}
    with pytest.raises(ConfigError) as err:
        get_secret(cfg, "client_secret")
    text = str(err.value)
    assert "crm.salesforce.client_secret" in text and "SF_SECRET" in text
    assert get_secret(cfg, "client_secret", required=False) is None


def test_failing_keyring_backend_falls_back_to_environment(monkeypatch):
    # conftest installs keyring's null backend (as on a headless server): env must still work
    monkeypatch.setenv("SF_SECRET", "env-value")
    assert get_secret({"side": "crm", "system": "salesforce", "client_secret_env": "SF_SECRET"},
                      "client_secret") == "env-value"
