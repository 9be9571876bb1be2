"""The one table of keyboard shortcuts. Menus, tooltips and the docs read it from here."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QKeySequence


@dataclass(frozen=True)
class Shortcut:
    action: str            # id the window dispatches on
    keys: tuple[str, ...]  # QKeySequence strings; the first is shown in menus
    text: str              # what it does, in words

    def sequences(self) -> list[QKeySequence]:
        return [QKeySequence(k) for k in self.keys]


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("next_exception", ("Alt+Down", "F8"), "Next exception"),
    Shortcut("previous_exception", ("Alt+Up", "F7"), "Previous exception"),
    Shortcut("take_crm", ("Alt+Left",), "Take the CRM value as the proposed correction"),
    Shortcut("take_erp", ("Alt+Right",), "Take the ERP value as the proposed correction"),
    Shortcut("search", ("Ctrl+F",), "Search the queue"),
    Shortcut("export", ("Ctrl+E",), "Export the run's audit workbook"),
    Shortcut("select_all_matching", ("Ctrl+Shift+A",), "Select all exceptions matching the filter"),
    Shortcut("reload", ("F5",), "Reload the run"),
)

BY_ACTION = {s.action: s for s in SHORTCUTS}


def label(action: str) -> str:
    """'Next exception (Alt+Down, F8)' for tooltips."""
    s = BY_ACTION[action]
    return f"{s.text} ({', '.join(s.keys)})"
