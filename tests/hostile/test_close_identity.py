"""workbench exceptions/close commands in team mode: --user may only name yourself (as corrections, run, users).
It was taken as typed: a preparer certified and reopened the close, or commented and assigned, as the approver."""

from __future__ import annotations

import pytest
from tests.hostile.test_identity import _fingerprint, _refused, team  # noqa: F401  (fixture)

CLOSE_SPOOFS = {
    "preparer comments as the admin": ("bob", "ann", ["exceptions", "comment", "--id", "1", "--text", "fine"]),
    "auditor assigns as the admin": ("dave", "ann", ["exceptions", "assign", "--id", "1", "--to", "bob"]),
    "preparer certifies the close as the approver": ("bob", "carol", ["close", "certify", "--period", "2026-10"]),
    "preparer reopens the close as the admin": ("bob", "ann", ["close", "reopen", "--period", "2026-10",
                                                              "--reason", "x"]),
}


@pytest.mark.parametrize("role, user, argv", CLOSE_SPOOFS.values(), ids=CLOSE_SPOOFS.keys())
def test_team_mode_close_and_exception_commands_refuse_acting_as_someone_else(team, role, user, argv, capsys):  # noqa: F811
    store, urls, _ = team
    before = _fingerprint(store)
    _refused(capsys, argv + ["--user", user, "--db", urls[role]],
             says=[f"you are authenticated as '{role}'", "acting as another user"])
    assert _fingerprint(store) == before
