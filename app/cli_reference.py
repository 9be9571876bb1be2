"""``python -m app.cli_reference > docs/reference/cli.md``: the reference of every `workbench` command.

The renderer is the core's (workbench.cli.reference); this module only adds the commands that
open windows, which live in the app, so the reference covers the command users really run.
"""

from __future__ import annotations

from app.entry import add_gui_commands
from workbench.cli import build_parser
from workbench.cli.reference import render


def full_reference() -> str:
    return render(build_parser([add_gui_commands]))


if __name__ == "__main__":
    print(full_reference(), end="")
