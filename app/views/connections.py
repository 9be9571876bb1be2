"""Connections: the CRM and ERP profiles of the run config, secrets into the OS keyring,
and "Test connection" that says in words what works and what does not.

Settings (URLs, tenant, client id, auth mode...) live in the run config; secrets never do:
they go to the OS keyring (``workbench.sources.credentials``) or an environment variable
named in the config. The test runs the connector's own ``test_connection()`` off the GUI
thread, so a slow or dead server never freezes the window.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget)

from app.context import AppContext
from app.models.rows_model import Column, RowsModel
from app.models.run_config_model import run_config_doc
from app.screens import Screen, register_screen
from workbench.model import secrets

CONNECTORS = {"crm": ("salesforce", "files"), "erp": ("business_central", "odoo", "rest", "files")}
CONNECTOR_WORDS = {"salesforce": "Salesforce", "files": "Files (CSV / Excel extracts)",
                   "business_central": "Business Central", "odoo": "Odoo", "rest": "REST profile"}
SECRET_KEYS = ("client_secret", "password", "security_token", "api_key", "token", "session_id")
SIDE_WORDS = {"crm": "CRM", "erp": "ERP"}
# The settings a new profile of each connector needs (values to fill in; secrets go to the keyring).
TEMPLATES = {
    "salesforce": ("auth", "login_url", "instance_url", "api_version", "username", "consumer_key",
                   "private_key_file"),
    "business_central": ("tenant", "environment", "company", "client_id", "scope"),
    "odoo": ("url", "database", "login", "api"),
    "rest": ("profile", "base_url"),
    "files": ("dir",),
}


def parse_setting(text: str | None) -> Any:
    """A typed value from the settings table: whole numbers, decimals and true/false keep their type."""
    if text is None:
        return None
    t = text.strip()
    if t.lower() in ("true", "false"):
        return t.lower() == "true"
    for conv in (int, float):
        try:
            return conv(t)
        except ValueError:
            pass
    return t


def show_setting(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    return "" if v is None else str(v)


def test_side(raw: dict[str, Any], path: Path | None, side: str) -> list[tuple[str, bool, str]]:
    """Open the side's connector and run its checks (worker thread)."""
    from workbench import config as cfg
    from workbench.errors import WorkbenchError
    from workbench.sources import open_source
    try:
        source = open_source(side, cfg.from_dict(raw, path=path))
    except WorkbenchError as exc:
        return [("configuration", False, exc.one_line())]
    try:
        return list(source.test_connection())
    finally:
        source.close()


class SidePanel(QGroupBox):
    """One side's profile: connector, settings, secret, test and its answers."""

    tested = Signal(str, list)  # side, checks

    def __init__(self, screen: ConnectionsScreen, side: str):
        super().__init__(f"{SIDE_WORDS[side]} connection")
        self.screen, self.side, self.ctx = screen, side, screen.ctx
        self.setAccessibleName(f"{SIDE_WORDS[side]} connection")
        self.connector = QComboBox()
        self.connector.setAccessibleName(f"{SIDE_WORDS[side]} connector")
        for c in CONNECTORS[side]:
            self.connector.addItem(CONNECTOR_WORDS[c], c)
        self.connector.currentIndexChanged.connect(self._connector_changed)
        self.system = QLineEdit()
        self.system.setAccessibleName(f"{SIDE_WORDS[side]} system name")
        self.system.setPlaceholderText("system (labels, status defaults)")

        self.settings = RowsModel([Column("key", "Setting"),
                                   Column("value", "Value", show=show_setting, editable=True)], self)
        self.settings.edited.connect(lambda *_: self._update_warning())
        self.table = QTableView()
        self.table.setAccessibleName(f"{SIDE_WORDS[side]} connection settings")
        self.table.setModel(self.settings)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.new_key = QLineEdit()
        self.new_key.setPlaceholderText("new setting name")
        self.new_key.setAccessibleName(f"{SIDE_WORDS[side]} new setting name")
        self.add_key = QPushButton("Add setting")
        self.add_key.setAccessibleName(f"Add a {SIDE_WORDS[side]} setting")
        self.add_key.clicked.connect(self._add_setting)
        self.remove_key = QPushButton("Remove setting")
        self.remove_key.setAccessibleName(f"Remove the selected {SIDE_WORDS[side]} setting")
        self.remove_key.clicked.connect(self._remove_setting)

        self.secret_key = QComboBox()
        self.secret_key.setEditable(True)
        self.secret_key.addItems(SECRET_KEYS)
        self.secret_key.setAccessibleName(f"{SIDE_WORDS[side]} secret name")
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("secret (stored in the OS keyring, never in the config)")
        self.secret.setAccessibleName(f"{SIDE_WORDS[side]} secret value")
        self.save_secret = QPushButton("Save to keyring")
        self.save_secret.setAccessibleName(f"Save the {SIDE_WORDS[side]} secret to the OS keyring")
        self.save_secret.clicked.connect(self._save_secret)

        self.warning = QLabel("")
        self.warning.setObjectName("messageBar")
        self.warning.setWordWrap(True)
        self.warning.setAccessibleName(f"{SIDE_WORDS[side]} warning")
        self.warning.hide()

        self.test_button = QPushButton("Test connection")
        self.test_button.setAccessibleName(f"Test the {SIDE_WORDS[side]} connection")
        self.test_button.clicked.connect(self.test)
        self.status = QLabel("")
        self.status.setAccessibleName(f"{SIDE_WORDS[side]} test status")
        self.status.setWordWrap(True)
        self.checks = RowsModel([Column("check", "Check"),
                                 Column("ok", "Result", show=lambda ok: "works" if ok else "FAILS"),
                                 Column("words", "What it says", tooltip=lambda r: r.get("words") or "")], self,
                                tint=lambda r: self.ctx.palette["missing"] if r.get("ok") else
                                self.ctx.palette["conflict"])
        self.check_view = QTableView()
        self.check_view.setAccessibleName(f"{SIDE_WORDS[side]} connection test results")
        self.check_view.setModel(self.checks)
        self.check_view.verticalHeader().hide()
        self.check_view.setWordWrap(True)
        hh = self.check_view.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        hh.setStretchLastSection(True)

        top = QHBoxLayout()
        top.addWidget(QLabel("Connector"))
        top.addWidget(self.connector, 1)
        top.addWidget(QLabel("System"))
        top.addWidget(self.system, 1)
        keys = QHBoxLayout()
        keys.addWidget(self.new_key, 1)
        keys.addWidget(self.add_key)
        keys.addWidget(self.remove_key)
        sec = QHBoxLayout()
        sec.addWidget(self.secret_key)
        sec.addWidget(self.secret, 1)
        sec.addWidget(self.save_secret)
        test = QHBoxLayout()
        test.addWidget(self.test_button)
        test.addWidget(self.status, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 3)
        lay.addLayout(keys)
        lay.addLayout(sec)
        lay.addWidget(self.warning)
        lay.addLayout(test)
        lay.addWidget(self.check_view, 2)
        for a, b in ((self.connector, self.system), (self.system, self.table), (self.table, self.new_key),
                     (self.new_key, self.add_key), (self.add_key, self.remove_key),
                     (self.remove_key, self.secret_key), (self.secret_key, self.secret),
                     (self.secret, self.save_secret), (self.save_secret, self.test_button),
                     (self.test_button, self.check_view)):
            QWidget.setTabOrder(a, b)
        self._loading = False

    # ---- the profile <-> the config dict ----------------------------------------------------
    def load(self, raw: dict[str, Any]) -> None:
        self._loading = True
        tbl = raw.get(self.side) or {}
        conn = tbl.get("connector") or CONNECTORS[self.side][0]
        i = self.connector.findData(conn)
        self.connector.setCurrentIndex(i if i >= 0 else 0)
        self.system.setText(str(tbl.get("system") or ""))
        self._fill_settings(tbl.get(conn) or {})
        self._loading = False
        self._update_warning()

    def _fill_settings(self, settings: dict[str, Any]) -> None:
        rows = [{"key": k, "value": v} for k, v in settings.items() if not isinstance(v, dict)]
        if not rows:  # a new profile: offer the keys this connector needs
            rows = [{"key": k, "value": None} for k in TEMPLATES.get(self.connector.currentData(), ())]
        self.settings.set_rows(rows)

    def profile(self) -> dict[str, Any]:
        """{"connector", "system", "<connector>": settings} as edited."""
        conn = self.connector.currentData()
        vals = {r["key"]: parse_setting(r["value"]) if isinstance(r["value"], str) else r["value"]
                for r in self.settings.rows if r["value"] not in (None, "")}
        out: dict[str, Any] = {"connector": conn, conn: vals}
        if self.system.text().strip():
            out["system"] = self.system.text().strip()
        return out

    def merged(self, raw: dict[str, Any]) -> dict[str, Any]:
        """``raw`` with this side's profile written in (objects, field maps kept)."""
        out = copy.deepcopy(raw)
        tbl = out.setdefault(self.side, {})
        prof = self.profile()
        conn = prof["connector"]
        tbl["connector"] = conn
        if "system" in prof:
            tbl["system"] = prof["system"]
        # keep nested tables of the connector settings (e.g. [erp.rest.auth]) the table does not show
        nested = {k: v for k, v in (tbl.get(conn) or {}).items() if isinstance(v, dict)}
        tbl[conn] = {**prof[conn], **nested}
        return out

    def _connector_changed(self, _: int) -> None:
        if self._loading:
            return
        raw = self.screen.doc.raw
        conn = self.connector.currentData()
        self._fill_settings(((raw.get(self.side) or {}).get(conn)) or {})
        self._update_warning()

    def _add_setting(self) -> None:
        key = self.new_key.text().strip()
        if not key:
            self.ctx.error("Type the name of the setting to add (e.g. base_url)")
            return
        if secrets.is_secret_key(key):
            self.ctx.error(f"'{key}' is a secret: save it to the keyring below, or add '{key}_env' naming an "
                           "environment variable")
            return
        if any(r["key"] == key for r in self.settings.rows):
            self.ctx.error(f"'{key}' is already a setting of this connection")
            return
        self.settings.append({"key": key, "value": None})
        self.new_key.clear()
        self.table.setCurrentIndex(self.settings.index(len(self.settings.rows) - 1, 1))
        self.table.edit(self.table.currentIndex())

    def _remove_setting(self) -> None:
        row = self.table.currentIndex().row()
        if row >= 0:
            self.settings.remove(row)
            self._update_warning()

    def _setting(self, key: str) -> Any:
        return next((r["value"] for r in self.settings.rows if r["key"] == key), None)

    def _update_warning(self) -> None:
        from workbench.sources.salesforce_auth import PASSWORD_RETIREMENT
        legacy = self.connector.currentData() == "salesforce" and str(self._setting("auth") or "") == "password"
        self.warning.setText(f"Legacy login: {PASSWORD_RETIREMENT}." if legacy else "")
        self.warning.setVisible(legacy)

    # ---- actions ----------------------------------------------------------------------------
    def _save_secret(self) -> None:
        from workbench.errors import WorkbenchError
        from workbench.sources.credentials import set_secret
        key, value = self.secret_key.currentText().strip(), self.secret.text()
        if not key or not value:
            self.ctx.error("Choose the secret's name and type its value before saving it to the keyring")
            return
        prof = self.profile()
        side_cfg = {**prof[prof["connector"]], "side": self.side,
                    "system": prof.get("system") or prof["connector"]}
        try:
            name = set_secret(side_cfg, key, value)
        except WorkbenchError as exc:
            self.ctx.error(exc.one_line())
            return
        finally:
            self.secret.clear()  # the value leaves the window either way
        self.ctx.info(f"{SIDE_WORDS[self.side]} {key} saved in the OS keyring as '{name}'")

    def test(self) -> None:
        raw = self.merged(self.screen.doc.raw or {})
        other = "erp" if self.side == "crm" else "crm"
        raw.setdefault(other, {"connector": "files"})  # the config needs both tables; only this side is opened
        self.test_button.setEnabled(False)
        self.status.setText("Testing…")
        self.checks.set_rows([])

        def done(checks: list[tuple[str, bool, str]]) -> None:
            self.test_button.setEnabled(True)
            self.checks.set_rows([{"check": c, "ok": bool(ok), "words": w} for c, ok, w in checks])
            self.check_view.resizeRowsToContents()  # a handful of rows; long words wrap
            bad = [c for c, ok, _ in checks if not ok]
            self.status.setText("Everything works" if not bad else f"Not working: {', '.join(bad)}")
            self.tested.emit(self.side, checks)

        def failed(message: str) -> None:
            self.test_button.setEnabled(True)
            self.checks.set_rows([{"check": "connection", "ok": False, "words": message}])
            self.status.setText("Not working: connection")
            self.tested.emit(self.side, [("connection", False, message)])

        self.ctx.jobs.submit(test_side, raw, self.screen.doc.path, self.side, on_done=done, on_error=failed)


class ConnectionsScreen(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setAccessibleName("Connections")
        self.doc = run_config_doc(ctx)
        self.path = QLineEdit()
        self.path.setReadOnly(True)
        self.path.setPlaceholderText("no run config open")
        self.path.setAccessibleName("Run config file")
        self.open_button = QPushButton("Open config…")
        self.open_button.setAccessibleName("Open a run config file")
        self.open_button.clicked.connect(self._choose)
        self.save_button = QPushButton("Save connections")
        self.save_button.setAccessibleName("Save both connections into the run config")
        self.save_button.clicked.connect(self.save)
        head = QHBoxLayout()
        head.addWidget(QLabel("Run config"))
        head.addWidget(self.path, 1)
        head.addWidget(self.open_button)
        head.addWidget(self.save_button)
        self.crm = SidePanel(self, "crm")
        self.erp = SidePanel(self, "erp")
        sides = QHBoxLayout()
        sides.addWidget(self.crm, 1)
        sides.addWidget(self.erp, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addLayout(sides, 1)
        QWidget.setTabOrder(self.open_button, self.save_button)
        QWidget.setTabOrder(self.save_button, self.crm.connector)
        QWidget.setTabOrder(self.crm.check_view, self.erp.connector)
        self.doc.changed.connect(self._load)
        self._load()

    def _load(self) -> None:
        self.path.setText(str(self.doc.path or ""))
        self.crm.load(self.doc.raw)
        self.erp.load(self.doc.raw)

    def _choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open run config", str(self.doc.path or ""),
                                              "Run config (*.toml)")
        if name:
            self.doc.open(Path(name))

    def save(self) -> bool:
        from workbench.errors import WorkbenchError
        raw = self.erp.merged(self.crm.merged(self.doc.raw or {}))
        try:
            path = self.doc.save(raw)
        except WorkbenchError as exc:
            self.ctx.error(exc.one_line())
            return False
        self.ctx.info(f"Connections saved to {path}")
        return True

    # ---- screenshots ------------------------------------------------------------------------
    def screenshot_states(self) -> list[str]:
        return ["tested"]

    def enter_screenshot_state(self, state: str) -> None:
        self.crm.test()
        self.erp.test()


register_screen(Screen(key="connections", title="Connections", factory=ConnectionsScreen, order=10,
                       accessible_name="Connections"))
