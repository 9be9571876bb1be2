"""The ERP sandbox tests' shared fixtures: a small data set and a Business Central sandbox serving it, fresh for
each test (a test's pushes, deletions and faults never reach the next one)."""

from __future__ import annotations

import pytest

from tests.helpers.sandboxes import erp_sandbox
from workbench.sandbox.erp import fixture


@pytest.fixture(scope="module")
def small():
    return fixture.dataset(12, seed=3)


@pytest.fixture
def bc(small):
    yield from erp_sandbox("business-central", small)
