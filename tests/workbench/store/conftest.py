"""The store tests' fixtures: each test that takes ``any_store`` runs on SQLite and on PostgreSQL."""

import pytest


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request):
    return request.getfixturevalue("store" if request.param == "sqlite" else "pg_store")
