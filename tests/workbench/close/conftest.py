"""The close tests' store: the suite's ``store`` (tests/conftest.py), and its URL for the commands run on it."""

from __future__ import annotations

import pytest


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"  # the file the suite's ``store`` fixture opens
