"""The `workbench` command line.

Each command group lives in its own module with ``register(subparsers)``; handlers
return an exit code. Exit codes: 0 done (exceptions found or not), 2 bad input or
config (one-line reason), 1 any other failure (one-line reason, details in the log
file). Never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TypeAlias

from workbench import __version__
from workbench.errors import ConfigError, WorkbenchError, user_message

COMMAND_MODULES = [
    "workbench.cli.runs",         # run, exceptions, runs, scenario
    "workbench.cli.links",        # links
    "workbench.cli.export",       # export
    "workbench.cli.sandbox",      # sandbox salesforce|erp
    "workbench.cli.corrections",  # corrections ..., audit verify
    "workbench.cli.db",           # db upgrade|migrate-sqlite, users
    "workbench.cli.close",        # close status|signoff|certify|reopen|carry-forward|rates
    "workbench.cli.credentials",  # credentials set
]

log = logging.getLogger("workbench")
# What a command module's register() adds its subcommands to.
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def build_parser(extra: Sequence[Callable[[Subcommands], None]] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description="Recon Workbench: CRM/ERP reconciliation")
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for add in extra:
        add(sub)
    return parser


def db_url(value: str) -> str:
    """``--db``: a database URL (``store.db.check_url``)."""
    from workbench.store.db import check_url
    try:
        return check_url(value)
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_db_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", type=db_url,
                   help="database URL (default: $WORKBENCH_DB or SQLite in the user data dir)")


def run_handler(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        return int(func(args) or 0)
    except WorkbenchError as exc:
        print(f"workbench: error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # last resort: one line for the user, the traceback in the log
        print(f"workbench: {user_message(exc)}", file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None,
         extra: Sequence[Callable[[Subcommands], None]] = (),
         default: Callable[[argparse.Namespace], int] | None = None) -> int:
    parser = build_parser(extra)
    args = parser.parse_args(argv)
    func = getattr(args, "func", None) or default
    if func is None:
        parser.print_help()
        return 0
    return run_handler(func, args)


if __name__ == "__main__":
    sys.exit(main())
