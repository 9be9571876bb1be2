"""Per-user app settings (window layout, column widths, filters, theme) in an INI file.

Kept in the platform's user config directory, so tests isolate it through
XDG_CONFIG_HOME like every other per-user path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings


def settings_path() -> Path:
    from platformdirs import user_config_dir
    p = Path(user_config_dir("recon-workbench", appauthor=False))
    p.mkdir(parents=True, exist_ok=True)
    return p / "app.ini"


def open_settings() -> QSettings:
    return QSettings(str(settings_path()), QSettings.Format.IniFormat)


def get_json(s: QSettings, key: str, default: Any = None) -> Any:
    raw = s.value(key)
    if raw in (None, ""):
        return default
    try:
        return json.loads(str(raw))
    except ValueError:
        return default  # a hand-edited or older value: fall back rather than fail to open


def set_json(s: QSettings, key: str, value: Any) -> None:
    s.setValue(key, json.dumps(value))
