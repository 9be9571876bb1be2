"""How screens plug into the main window.

A screen module calls ``register_screen`` at import time::

    from app.screens import Screen, register_screen

    class RunScreen(QWidget):
        def __init__(self, ctx: AppContext): ...

    register_screen(Screen(key="run", title="Run", factory=RunScreen, order=20))

The window imports every module in ``SCREEN_MODULES`` that exists and shows one tab
per registered screen, ordered by ``order``. A screen talks to the rest of the app
only through the ``AppContext`` it is given (signals ``run_changed``,
``data_changed``, ``theme_changed``; ``app.operations.run_action`` for a core action
that changes data; ``ctx.db.submit`` for reading; ``ctx.jobs`` for long jobs with a
``QtProgress``). Optional hooks on the widget:
``screenshot_states() -> list[str]`` and ``enter_screenshot_state(name)`` let
``workbench screenshots`` render more than the screen's resting state.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from collections.abc import Callable

from PySide6.QtWidgets import QWidget

# Screens in display order of their modules; each registers itself on import.
SCREEN_MODULES = (
    "app.views.connections",
    "app.views.mapping",
    "app.views.run",
    "app.views.review",
    "app.views.links",
    "app.views.approvals",
    "app.views.dashboard",
    "app.views.close",
)


@dataclass(frozen=True)
class Screen:
    key: str
    title: str
    factory: Callable[..., QWidget]  # factory(ctx: AppContext) -> QWidget
    order: int = 100
    accessible_name: str | None = None


_REGISTRY: dict[str, Screen] = {}


def register_screen(screen: Screen) -> None:
    _REGISTRY[screen.key] = screen


def load_screen_modules(modules: tuple[str, ...] = SCREEN_MODULES) -> None:
    for name in modules:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise  # a screen that exists but is broken must not vanish silently


def screens() -> list[Screen]:
    load_screen_modules()
    return sorted(_REGISTRY.values(), key=lambda s: (s.order, s.key))
