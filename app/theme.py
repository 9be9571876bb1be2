"""Light and dark themes from the one palette (resources/palette/palette.toml)."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from workbench.palette import palette

MODES = ("light", "dark")


def resolve_mode(settings: QSettings, mode: str | None = None) -> str:
    """The theme a window opens with: the one asked for, else the one saved last, else light."""
    mode = mode or str(settings.value("window/theme") or "light")
    return mode if mode in MODES else "light"


def colors(mode: str) -> dict:
    return palette(mode if mode in MODES else "light")


def qpalette(mode: str) -> QPalette:
    c = colors(mode)
    bg, text, header, accent = (QColor(c[k]) for k in ("background", "text", "header", "accent"))
    pal = QPalette()
    R = QPalette.ColorRole
    for role, col in ((R.Window, header), (R.WindowText, text), (R.Base, bg), (R.AlternateBase, header),
                      (R.Text, text), (R.Button, header), (R.ButtonText, text), (R.ToolTipBase, bg),
                      (R.ToolTipText, text), (R.Highlight, accent), (R.HighlightedText, QColor("#ffffff")),
                      (R.PlaceholderText, QColor(c.get("absent", "#888888")).darker(160 if mode == "light" else 60)),
                      (R.Link, accent)):
        pal.setColor(role, col)
    pal.setColor(QPalette.ColorGroup.Disabled, R.Text, QColor("#8a8a8a"))
    pal.setColor(QPalette.ColorGroup.Disabled, R.ButtonText, QColor("#8a8a8a"))
    return pal


def apply(app: QApplication, mode: str) -> None:
    """Switch the whole application (Fusion style honours the palette on every platform)."""
    app.setStyle("Fusion")
    app.setPalette(qpalette(mode))
    c = colors(mode)
    app.setStyleSheet(
        f"QLabel#messageBar {{ background: {c['conflict']}; color: {c['text']}; padding: 6px; }}"
        f"QLabel#infoBar {{ background: {c['changed']}; color: {c['text']}; padding: 6px; }}"
        f"QLabel[role='heading'] {{ font-weight: 600; font-size: 13px; }}")
