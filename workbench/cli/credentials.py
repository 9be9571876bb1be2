"""`workbench credentials set`: store a connector's secret in the OS keyring from the command line.

The same entry the Connections screen's **Save to keyring** writes and the run reads
(``workbench.sources.credentials``): a secret never goes into the config, and the one config
error about a secret in a file points here. Where the machine has no keyring (a server without a
desktop session) it says so, with the environment variable to set instead.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys

from workbench.errors import ConfigError

# The names connectors ask for (sources/credentials.get_secret callers and the Connections screen's list)
KNOWN = ("client_secret", "password", "security_token", "api_key", "api_secret", "token", "session_id",
         "private_key")


def _read_value(name: str) -> str:
    """The secret typed without echo at a terminal, or what is piped on standard input (all of it, so a PEM
    private key keeps its lines; the line break `echo` adds is dropped)."""
    if sys.stdin.isatty():
        if name == "private_key":  # a terminal prompt takes one line; a key has many
            raise ConfigError("a private key has many lines: give it on standard input, e.g. "
                              "workbench credentials set --config FILE --side crm private_key < sf-jwt.key")
        value = getpass.getpass(f"{name} (not shown): ")
    else:
        value = sys.stdin.read().rstrip("\r\n")
    if not value:
        raise ConfigError(f"no value given for {name}: type it when asked, or pipe it on standard input")
    return value


def cmd_set(args: argparse.Namespace) -> int:
    from workbench import config
    from workbench.sources.credentials import set_secret

    name = args.name
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise ConfigError(f"secret name {name!r}: expected a setting name such as {', '.join(KNOWN)}")
    cfg = config.load(args.config)
    side = cfg.side(args.side)
    connector = str(side.get("connector"))
    if connector == "files":
        raise ConfigError(f"{cfg.where()}: [{args.side}] reads files (connector = \"files\"), which need no secret")
    found = side.get(connector)
    table: dict[str, object] = found if isinstance(found, dict) else {}
    # As the Connections screen does: the entry is <side>.<system>.<name> unless the table sets keyring_user
    side_cfg = {**table, "side": args.side, "system": side.get("system") or connector, "connector": connector}
    entry = set_secret(side_cfg, name, _read_value(name))
    print(f"{name} for [{args.side}.{connector}] saved in the OS keyring: service 'recon-workbench', entry '{entry}'")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("credentials", help="store a connector's secret (client secret, password, API key) in the "
                                           "OS keyring")
    csub = p.add_subparsers(dest="credentials_command", metavar="ACTION", required=True)
    s = csub.add_parser("set", help="store one secret of a run config's connector in the OS keyring",
                        description="Asks for the secret without showing it (or reads what is piped on standard "
                                    "input: a private key's file, say) and stores it where the run looks "
                                    "first: the OS keyring, service 'recon-workbench', entry "
                                    "<side>.<system>.<name> (or <keyring_user>.<name>). "
                                    "Without a keyring (a server with no desktop session) name an environment "
                                    "variable in the config instead: <name>_env = \"VARIABLE\".")
    s.add_argument("--config", required=True, metavar="FILE", help="the run config (.toml) whose connector uses it")
    s.add_argument("--side", required=True, choices=["crm", "erp"], help="which side's connector the secret is for")
    s.add_argument("name", metavar="NAME", help=f"the secret's name as the connector asks for it: {', '.join(KNOWN)}")
    s.set_defaults(func=cmd_set)
