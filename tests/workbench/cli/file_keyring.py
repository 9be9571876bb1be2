"""A keyring backend that keeps its entries in a JSON file: a real backend (keyring loads it by name from
PYTHON_KEYRING_BACKEND, as it would GNOME Keyring's), so a `workbench` process and the test see the same entries
without touching the user's keychain."""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend

ENV = "WORKBENCH_TEST_KEYRING_FILE"
BACKEND = "tests.workbench.cli.file_keyring.FileKeyring"


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def _entries(self) -> dict[str, str]:
        path = Path(os.environ[ENV])
        return json.loads(path.read_text()) if path.exists() else {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._entries().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        entries = {**self._entries(), f"{service}/{username}": password}
        Path(os.environ[ENV]).write_text(json.dumps(entries))

    def delete_password(self, service: str, username: str) -> None:
        entries = self._entries()
        entries.pop(f"{service}/{username}", None)
        Path(os.environ[ENV]).write_text(json.dumps(entries))
