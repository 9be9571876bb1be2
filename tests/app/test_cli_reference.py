"""docs/reference/cli.md is generated from the `workbench` command's parsers and must not drift."""

from __future__ import annotations

from pathlib import Path

from app.cli_reference import full_reference

DOC = Path(__file__).resolve().parents[2] / "docs" / "reference" / "cli.md"


def test_the_committed_cli_reference_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == full_reference(), (
        "docs/reference/cli.md is stale: python -m app.cli_reference > docs/reference/cli.md")


def test_the_reference_covers_the_window_commands_too():
    text = full_reference()
    assert "\n## workbench demo\n" in text and "`--no-gui`" in text
    assert "`workbench` with no command opens the desktop app" in text
