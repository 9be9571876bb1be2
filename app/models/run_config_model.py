"""The run config the Connections, Mapping and Run screens work on: one per window.

The three screens edit and use the same TOML file, so they share one document object
(path + parsed dict) that tells them when it changes. The demo's config is adopted
when no file was chosen yet, so a first-time user sees a working setup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

SETTINGS_KEY = "run/config_path"


class RunConfigDoc(QObject):
    changed = Signal()

    def __init__(self, ctx, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.path: Path | None = None
        self.raw: dict[str, Any] = {}
        saved = ctx.settings.value(SETTINGS_KEY)
        if saved and Path(str(saved)).is_file():
            self.open(Path(str(saved)), quiet=True)
        ctx.runs_changed.connect(self.adopt_demo)
        self.adopt_demo()

    def adopt_demo(self) -> None:
        demo = getattr(self.ctx, "demo", None)
        if demo is not None and (self.path is None or not self.path.is_file()):
            self.open(Path(demo.config_path), quiet=True)

    def open(self, path: Path, *, quiet: bool = False) -> bool:
        from workbench.sources.mapping_suggest import load_raw
        from workbench.errors import WorkbenchError
        try:
            raw = load_raw(path)
        except WorkbenchError as exc:
            if not quiet:
                self.ctx.error(exc.one_line())
            return False
        self.path, self.raw = Path(path), raw
        self.ctx.settings.setValue(SETTINGS_KEY, str(self.path))
        self.changed.emit()
        return True

    def reload(self) -> bool:
        return self.open(self.path) if self.path else False

    def save(self, raw: dict[str, Any], path: Path | None = None) -> Path:
        """Validate and write (raises ConfigError/InputError with a one-line message)."""
        from workbench.sources.mapping_suggest import save_config
        target = Path(path or self.path or "run.toml")
        save_config(target, raw)
        self.path, self.raw = target, raw
        self.ctx.settings.setValue(SETTINGS_KEY, str(target))
        self.changed.emit()
        return target

    def config(self):
        """A RunConfig of the current document (relative paths against the file's folder)."""
        from workbench import config as cfg
        from workbench.errors import ConfigError
        if not self.raw:
            raise ConfigError("no run config open: choose a run config file (TOML) on the Connections screen")
        return cfg.from_dict(self.raw, path=self.path)


def run_config_doc(ctx) -> RunConfigDoc:
    """The window's one document (made on first use, owned by the context)."""
    doc = getattr(ctx, "_run_config_doc", None)
    if doc is None:
        doc = RunConfigDoc(ctx, parent=ctx)
        ctx._run_config_doc = doc
    return doc
