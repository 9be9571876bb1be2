"""The command-line reference (docs/reference/cli.md), generated from the argparse parsers.

``python -m app.cli_reference > docs/reference/cli.md`` writes it from the parser the
``workbench`` command builds (the app adds its window commands to the core's, and the core
never imports the app); a test fails when the committed file differs, so the reference
cannot drift from the options the commands really take. argparse has no public way to
walk a parser, so this reads its ``_actions``; the synopsis is built here rather than by
argparse's usage formatter, whose wording and wrapping change between Python versions.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    words: tuple[str, ...]            # ("corrections", "push")
    summary: str                      # the one-line help shown in the parent's list
    parser: argparse.ArgumentParser
    groups: tuple[str, ...] = ()      # subcommand words, when this command only groups others

    @property
    def name(self) -> str:
        return " ".join(("workbench", *self.words))

    @property
    def anchor(self) -> str:
        return self.name.replace(" ", "-")


def _subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[argparse.ArgumentParser] | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return None


def commands(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> list[Command]:
    """Every command under ``parser``, depth first, in the order they were registered."""
    sub = _subcommands(parser)
    if sub is None:
        return []
    summaries = {choice.dest: choice.help or "" for choice in sub._choices_actions}
    found: list[Command] = []
    for word, child in sub.choices.items():
        inner = _subcommands(child)
        group = tuple(inner.choices) if inner is not None else ()
        found.append(Command((*words, word), summaries.get(word, ""), child, group))
        found += commands(child, (*words, word))
    return found


def _shown(action: argparse.Action) -> bool:
    return not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)) \
        and action.help is not argparse.SUPPRESS


def _metavar(action: argparse.Action) -> str:
    if isinstance(action.metavar, str):
        return action.metavar
    if action.choices is not None:
        return "{" + ",".join(str(c) for c in action.choices) + "}"
    return action.dest if not action.option_strings else action.dest.upper()


def _args(action: argparse.Action) -> str:
    """What follows the option (or stands for the positional), as argparse counts it."""
    if action.nargs == 0:
        return ""
    m = _metavar(action)
    if action.nargs is None:
        return m
    if isinstance(action.nargs, int):
        return " ".join([m] * action.nargs)
    return {"?": f"[{m}]", "*": f"[{m} ...]", "+": f"{m} [{m} ...]"}.get(action.nargs, f"{m} ...")


def _term(action: argparse.Action) -> str:
    if not action.option_strings:
        return _args(action)
    value = _args(action)
    return ", ".join(f"{o} {value}".strip() for o in action.option_strings)


def synopsis(cmd: Command) -> str:
    parser = cmd.parser
    grouped = {id(a): g for g in parser._mutually_exclusive_groups for a in g._group_actions}
    parts: list[str] = [cmd.name]
    done: set[int] = set()
    for action in parser._actions:
        if not _shown(action) or isinstance(action, argparse._VersionAction) or id(action) in done:
            continue
        group = grouped.get(id(action))
        if group is not None:
            members = [a for a in group._group_actions if _shown(a)]
            done.update(id(a) for a in members)
            alternatives = " | ".join(_short(a) for a in members)
            parts.append(f"({alternatives})" if group.required else f"[{alternatives}]")
            continue
        text = _short(action)
        parts.append(text if action.required or not action.option_strings else f"[{text}]")
    if cmd.groups:
        parts.append("{" + ",".join(cmd.groups) + "} ...")
    return " ".join(parts)


def _short(action: argparse.Action) -> str:
    if not action.option_strings:
        return _args(action)
    return f"{action.option_strings[-1]} {_args(action)}".strip()


def _meaning(action: argparse.Action) -> str:
    text = " ".join((action.help or "").split())
    notes: list[str] = []
    if action.required and action.option_strings:
        notes.append("required")
    if isinstance(action, argparse._AppendAction) and "repeatable" not in text:
        notes.append("repeatable")
    default = action.default
    if action.option_strings and default not in (None, False, argparse.SUPPRESS) and "default" not in text:
        notes.append(f"default `{default}`")
    return "; ".join(t for t in (text, *notes) if t)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _section(cmd: Command) -> list[str]:
    parser = cmd.parser
    about = " ".join((parser.description or cmd.summary).split())
    lines = [f"## {cmd.name}", "", about[:1].upper() + about[1:] + ("" if about.endswith(".") else "."), "",
             "```", synopsis(cmd), "```", ""]
    if cmd.groups:
        listed = ", ".join(f"[`{w}`](#{cmd.anchor}-{w})" for w in cmd.groups)
        return lines + [f"Subcommands: {listed}.", ""]
    rows = [a for a in parser._actions if _shown(a)]
    if rows:
        lines += ["| Argument | Meaning |", "|---|---|"]
        lines += [f"| `{_cell(_term(a))}` | {_cell(_meaning(a))} |" for a in rows]
        lines.append("")
    return lines


def render(parser: argparse.ArgumentParser) -> str:
    found = commands(parser)
    has_gui = any(c.words == ("gui",) for c in found)
    lines = ["# Command-line reference", "",
             "Generated by `python -m app.cli_reference` from the parsers the `workbench` command builds;",
             "do not edit by hand. `workbench --help` and `workbench COMMAND --help` print the same from the",
             "installed version.", "",
             "Exit codes, for every command: 0 done (with or without exceptions found), 2 bad input or",
             "configuration (one line naming the file, row, field or setting and what was expected),",
             "1 any other failure (one line; details in the log file it names), 130 interrupted.",
             "`--db URL` defaults to `$WORKBENCH_DB`, else the SQLite store in your user data directory.", ""]
    if has_gui:
        lines += ["`workbench` with no command opens the desktop app, like [`workbench gui`](#workbench-gui).", ""]
    lines += ["| Command | What it does |", "|---|---|"]
    lines += [f"| [`{c.name}`](#{c.anchor}) | {_cell(' '.join(c.summary.split()))} |" for c in found]
    lines.append("")
    for cmd in found:
        lines += _section(cmd)
    return "\n".join(lines)
