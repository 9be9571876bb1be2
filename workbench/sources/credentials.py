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


# Why the keyring could not be asked, when it could not: a headless Linux server has no Secret Service, and
# keyring then falls back to its "fail" backend, which refuses every call (keyring.errors.NoKeyringError).
_NO_KEYRING = ("this machine has no usable OS keyring (none is set up, as on a server without a desktop "
               "session)")


def _from_keyring(name: str) -> tuple[str | None, str | None]:
    """The keyring's value for ``name`` (or None), and why the keyring could not be asked (or None)."""
    try:
        import keyring
        from keyring.errors import KeyringError, NoKeyringError
    except ImportError:  # keyring is a declared dependency; be tolerant in stripped installs
        return None, _NO_KEYRING
    try:
        return keyring.get_password(SERVICE, name), None
    except NoKeyringError:
        log.debug("no keyring backend for %s", name)
        return None, _NO_KEYRING
    except KeyringError as exc:  # a backend that is there but refused (locked, no D-Bus session): try the env
        log.debug("keyring unavailable for %s: %s", name, type(exc).__name__)
        return None, f"the OS keyring could not be read ({type(exc).__name__})"
    except Exception as exc:  # a broken backend must not take the run down; the env may still have it
        log.debug("keyring lookup failed for %s: %s", name, type(exc).__name__)
        return None, f"the OS keyring could not be read ({type(exc).__name__})"


_CONNECTORS_NAMED_AS_SYSTEM = ("salesforce", "business_central", "odoo")


def _env_advice(side_cfg: dict[str, Any], key: str) -> str:
    """How to give ``key`` through the environment instead: the variable the config names, or how to name one."""
    env_name = side_cfg.get(f"{key}_env")
    if env_name:
        return f"set the environment variable {env_name} before the run"
    # The connector's table: [<side>.<connector>]; only the rest connector reads other systems (ERPNext, ...)
    system = str(side_cfg.get("system") or "")
    connector = side_cfg.get("connector") or (system if system in _CONNECTORS_NAMED_AS_SYSTEM else "rest")
    where = f"to [{side_cfg['side']}.{connector}] " if side_cfg.get("side") else ""
    return f"add {key}_env = \"NAME\" {where}in the run config and set the environment variable NAME before the run"


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
    value, unusable = _from_keyring(name)
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
    if unusable:  # storing it in the keyring cannot help here: say how to give it by environment variable
        raise ConfigError(f"no {key} found: looked in {where}; {unusable}: {_env_advice(side_cfg, key)}")
    raise ConfigError(f"no {key} found: looked in {where}; store it in the keyring (workbench credentials set, "
                      f"or Save to keyring on the Connections screen) or {_env_advice(side_cfg, key)}")


def set_secret(side_cfg: dict[str, Any], key: str, value: str) -> str:
    """Store a secret in the OS keyring; returns the entry name used (never the value)."""
    import keyring
    from keyring.errors import KeyringError, NoKeyringError
    name = keyring_name(side_cfg, key)
    try:
        keyring.set_password(SERVICE, name, value)
    except NoKeyringError:
        raise ConfigError(f"cannot store {key} in the OS keyring: {_NO_KEYRING}; instead "
                          f"{_env_advice(side_cfg, key)}") from None
    except KeyringError as exc:
        raise ConfigError(f"cannot store {key} in the OS keyring ({type(exc).__name__}); instead "
                          f"{_env_advice(side_cfg, key)}") from None
    # keyring's null backend (PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring) accepts and drops every value
    if _from_keyring(name)[0] != value:
        backend = type(keyring.get_keyring()).__module__
        raise ConfigError(f"cannot store {key} in the OS keyring: its backend ({backend}) kept nothing; instead "
                          f"{_env_advice(side_cfg, key)}")
    return name
