"""One rule for what a secret is and how it is masked, whatever the key's spelling or the value's shape."""

from __future__ import annotations

import logging

import pytest

from workbench.errors import ConfigError, InputError
from workbench.model import secrets

PEM = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"


@pytest.mark.parametrize("name", ["password", "Password", "PASSWORD", "passwd", "pwd", "pass", "clientSecret",
                                  "client_secret", "CLIENT-SECRET", "client.secret", "clientsecret", "auth_token",
                                  "authToken", "access_token", "security_token", "bearer", "api-key", "apiKey",
                                  "API_KEY", "private_key", "privateKey", "session_id", "sessionId", "credentials",
                                  "passphrase", "consumer_secret"])
def test_names_that_mean_a_secret(name):
    assert secrets.is_secret_key(name)


@pytest.mark.parametrize("name", ["client_secret_env", "clientSecretEnv", "private_key_file", "token_url",
                                  "keyring_user", "client_id", "key", "primary_key", "match_key", "auth", "name",
                                  "consumer_key", "username", "instance_url"])
def test_names_that_say_where_a_secret_lives_or_are_ordinary(name):
    assert not secrets.is_secret_key(name)


@pytest.mark.parametrize("text, leaked", [
    ("postgresql+psycopg://recon@db/recon?password=hunter2&sslmode=require", "hunter2"),
    ("postgresql+psycopg://recon:hunter2@db/recon", "hunter2"),
    ('{"client_secret": "s3 cr3t", "name": "a"}', "s3 cr3t"),
    ("{'apiKey': 'k-123456'}", "k-123456"),
    ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc", "eyJhbGciOiJIUzI1NiJ9"),
    ("GET /query?q=SELECT+Id&access_token=00Dxx!AQ4AQ", "00Dxx!AQ4AQ"),
    (f"key: {PEM}", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"),
])
def test_mask_removes_the_secret_and_keeps_the_rest(text, leaked):
    out = secrets.mask(text)
    assert leaked not in out and secrets.MASK in out
    assert out[:8] == text[:8]  # the message around the secret stays readable


def test_mask_leaves_ordinary_text_alone():
    text = "row 3, column 'key': got 'C100', expected time 12:30 and a ratio=5"
    assert secrets.mask(text) == text


@pytest.mark.parametrize("text", [
    "/etc/passwd: not an Excel workbook (BadZipFile), expected an .xlsx audit workbook",
    r"C:\exports\tokens: no such folder",
    "POST https://login.microsoftonline.com/t/oauth2/v2.0/token: invalid_client",
    # an unreachable Business Central read 'token *** http://127.0.0.1:9/…/token ***: ConnectError'
    "token endpoint http://127.0.0.1:9/tenant/oauth2/v2.0/token unreachable: ConnectError",
])
def test_a_path_or_an_endpoint_named_like_a_secret_keeps_its_message(text):
    # the word ends a path, so what follows its colon is the message about it, not a secret's value
    assert secrets.mask(text) == text


def test_a_token_after_the_word_token_is_still_masked():
    assert secrets.mask("token eyJhbGciOiJIUzI1NiJ9.e30.sig") == "token ***"
    assert "abcdefgh12345" not in secrets.mask("Authorization: Token abcdefgh12345")


def test_every_user_facing_error_line_is_masked():
    err = ConfigError("cannot open the database postgresql://u@h/db?password=hunter2")
    assert "hunter2" not in err.one_line() and "password=***" in err.one_line()
    assert "tok-123456" not in InputError("bad", got="access_token=tok-123456").one_line()


def test_log_records_of_the_workbench_are_masked(caplog):
    with caplog.at_level(logging.INFO, logger="workbench.http"):
        logging.getLogger("workbench.http").info("GET %s", "https://h/x?api_key=k-998877")
    assert "k-998877" not in caplog.text and "api_key=***" in caplog.text


def test_a_secret_in_a_config_is_named_by_its_key_path():
    with pytest.raises(ConfigError, match=r"'erp\.odoo\.apiKey' holds a secret"):
        secrets.refuse_in_config({"erp": {"odoo": {"apiKey": "abc"}}}, "run.toml")
    assert secrets.find_in_config({"erp": {"odoo": {"api_key_env": "ODOO_KEY", "key": "x_studio_id"}}}) is None
