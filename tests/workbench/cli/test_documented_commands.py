"""Every `workbench …` command the README, the docs and the core's messages name is one the command line has.

A new user types what the page (or an error line) says: `workbench credentials set` was named by the config
error about a secret, by docs/secrets.md and by a comment in the Business Central connector, and did not exist.
"""

from __future__ import annotations

import argparse
import functools
import re
from pathlib import Path

from app.entry import add_gui_commands
from workbench.cli import build_parser
from workbench.cli.reference import commands

ROOT = Path(__file__).resolve().parents[3]
# `workbench` then words in lower case (the command, and its action when it has actions) where a command is
# written: not after a word and a space ("the workbench open", "ruff check workbench app") nor inside a path or
# URL (".venv/bin/workbench"), and followed by what follows a command (its end, an option, a placeholder, a
# comment), not by more prose ("workbench users and roles", "the workbench does not know").
CALL = re.compile(r"(?<![A-Za-z] )(?<![\w/.\-])workbench((?: [a-z][a-z-]*){1,2})"
                  r"(?=$|[)`'\",;.:\n]| -| \[| <| [A-Z0-9#|&>]| \.\.\.)", re.M)
CODE = re.compile(r"```.*?```|`[^`\n]+`", re.S)


def _groups() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Each command (as its words) and the actions it takes, () for a command without actions."""
    root = build_parser([add_gui_commands])
    found = {(): tuple(c.words[0] for c in commands(root) if len(c.words) == 1)}
    found.update({c.words: c.groups for c in commands(root)})
    return found


def _unknown(text: str, groups: dict[tuple[str, ...], tuple[str, ...]]) -> list[str]:
    bad = []
    for m in CALL.finditer(text):
        words = m.group(1).split()
        if words[0] not in groups[()]:
            bad.append(f"workbench {words[0]}")
        elif groups[(words[0],)] and len(words) > 1 and words[1] not in groups[(words[0],)]:
            bad.append(f"workbench {words[0]} {words[1]}")
    return bad


def _pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def test_every_command_written_in_the_docs_exists():
    groups = _groups()
    bad = []
    for page in _pages():
        for block in CODE.findall(page.read_text(encoding="utf-8")):
            bad += [f"{page.relative_to(ROOT)}: {call}" for call in _unknown(block, groups)]
    assert bad == []


def test_every_command_a_message_of_the_core_names_exists():
    groups = _groups()
    bad = []
    for source in sorted((ROOT / "workbench").rglob("*.py")) + sorted((ROOT / "app").rglob("*.py")):
        for line in source.read_text(encoding="utf-8").splitlines():
            line = line.split("  # ")[0]  # what the code says, not its comments
            if "workbench " in line and ('"' in line or "'" in line):
                bad += [f"{source.relative_to(ROOT)}: {call}" for call in _unknown(line, groups)]
    assert bad == []


# a command as written, and the rest of its line up to a comment or the next command of a pipeline
WRITTEN = re.compile(CALL.pattern.split("(?=")[0] + r"([^\n`#|;&]*)")


@functools.cache
def _parsers() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    return {c.words: c.parser for c in commands(build_parser([add_gui_commands]))}


def _unknown_options(text: str) -> list[str]:
    """Options written after a command that the command does not take (`workbench run --confg x`)."""
    parsers = _parsers()
    bad = []
    for m in WRITTEN.finditer(text):
        words = tuple(m.group(1).split())
        if words not in parsers:
            words = words[:1]
        if words not in parsers:
            continue  # an unknown command: the tests above name it
        taken = {o for a in parsers[words]._actions for o in a.option_strings}
        rest = m.group(1)[len(" ".join(words)) + 1:] + m.group(2)
        bad += [f"workbench {' '.join(words)} {o}" for o in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", rest)
                if o not in taken]
    return bad


def test_every_option_written_after_a_command_in_the_docs_is_one_it_takes():
    bad = []
    for page in _pages():
        for block in CODE.findall(page.read_text(encoding="utf-8")):
            bad += [f"{page.relative_to(ROOT)}: {call}" for call in _unknown_options(block)]
    assert bad == []
    assert _unknown_options("```\nworkbench close rates --period 2026-10 --fil r.csv  # --x\n```") == [
        "workbench close rates --fil"]


def test_a_command_that_does_not_exist_is_caught():
    groups = _groups()
    assert _unknown("`workbench credentals set`", groups) == ["workbench credentals"]
    assert _unknown("`workbench close certfy --period 2026-10`", groups) == ["workbench close certfy"]
    assert _unknown("`workbench run --config x.toml` and `workbench close status`", groups) == []


def test_every_column_the_app_pages_name_is_one_the_app_shows():
    # close-app.md sent users looking for an "Age (days)" column; the queue's column is "Age"
    source = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "app").rglob("*.py")))
    named = [(page.name, m) for page in (ROOT / "docs" / "guide").glob("*app*.md")
             for m in re.findall(r"\*\*([^*]+)\*\* column", page.read_text(encoding="utf-8"))]
    assert named  # the pages do name columns
    assert [(page, col) for page, col in named if f"\"{' '.join(col.split())}\"" not in source] == []
