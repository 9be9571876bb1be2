"""The `workbench` console script: the core CLI plus the commands that open windows.

Lives in the app package because the core (workbench) never imports Qt or app.
Qt is imported only when a window is really needed, so the CLI starts fast.
"""

from __future__ import annotations

import argparse
import sys

from workbench import cli


def _gui(args: argparse.Namespace) -> int:
    from app.main_window import run_gui  # imports Qt
    return run_gui(args)


def add_gui_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gui", help="open the desktop app")
    cli.add_db_option(p)
    p.set_defaults(func=_gui)


def main(argv=None) -> int:
    return cli.main(argv, extra=[add_gui_commands], default=_gui)


if __name__ == "__main__":
    sys.exit(main())
