"""Where connectors find their secrets: the OS keyring first, then environment variables.

Config files never hold a secret (``workbench.config`` refuses them); a source table
names where to look instead::

    [crm.salesforce]
    client_secret_env = "SF_CLIENT_SECRET"   # environment variable holding the secret
    keyring_user = "acme-prod"               # optional: keyring entry name prefix

The keyring entry is service ``recon-workbench``, user ``<side>.<system>.<key>``
(e.g. ``crm.salesforce.client_secret``), or ``<keyring_user>.<key>`` when the config
gives a ``keyring_user``. Values are never logged or put into messages.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Literal, overload

from workbench.errors import ConfigError

SERVICE = "recon-workbench"

log = logging.getLogger(__name__)


def keyring_name(side_cfg: dict[str, Any], key: str) -> str:
    """The keyring user name under which ``key`` is looked up for this source."""
    prefix = side_cfg.get("keyring_user")
    if not prefix:
        prefix = ".".join(str(p) for p in (side_cfg.get("side"), side_cfg.get("system")) if p)
    return f"{prefix}.{key}" if prefix else key


def _from_keyring(name: str) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # keyring is a declared dependency; be tolerant in stripped installs
        return None
    try:
        return keyring.get_password(SERVICE, name)
    except KeyringError as exc:
        # No usable backend (headless Linux without Secret Service): fall back to the environment.
        log.debug("keyring unavailable for %s: %s", name, type(exc).__name__)
        return None
    except Exception as exc:  # a broken backend must not take the run down; the env may still have it
        log.debug("keyring lookup failed for %s: %s", name, type(exc).__name__)
        return None


@overload
def get_secret(side_cfg: dict[str, Any], key: str, *, required: Literal[True] = True) -> str: ...


@overload
def get_secret(side_cfg: dict[str, Any], key: str, *, required: bool) -> str | None: ...


def get_secret(side_cfg: dict[str, Any], key: str, *, required: bool = True) -> str | None:
    """The secret ``key`` (password, client_secret, security_token, ...) for one source.

    ``side_cfg`` is the connector's settings table, ideally carrying ``side`` and
    ``system`` (connectors add them) so the keyring entry name is ``crm.salesforce.<key>``.
    Looks in the OS keyring, then the environment variable named by ``<key>_env``.
    Raises ConfigError naming both places when required and found in neither.
    """
    name = keyring_name(side_cfg, key)
    value = _from_keyring(name)
    if value:
        return value
    env_name = side_cfg.get(f"{key}_env")
    if env_name:
        value = os.environ.get(str(env_name))
        if value:
            return value
    if not required:
        return None
    where = f"keyring service '{SERVICE}' entry '{name}'"
    if env_name:
        where += f" or environment variable {env_name}"
    else:
        where += f" (or name an environment variable with '{key}_env' in the config)"
    raise ConfigError(f"no {key} found: looked in {where}")


def set_secret(side_cfg: dict[str, Any], key: str, value: str) -> str:
    """Store a secret in the OS keyring; returns the entry name used (never the value)."""
    import keyring
    from keyring.errors import KeyringError
    name = keyring_name(side_cfg, key)
    try:
        keyring.set_password(SERVICE, name, value)
    except KeyringError as exc:
        raise ConfigError(f"cannot store {key} in the OS keyring ({type(exc).__name__}); "
                          f"use an environment variable named by '{key}_env' instead") from None
    return name
