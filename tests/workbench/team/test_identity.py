"""Names are compared as people: case, spaces, invisible characters and look-alike letters."""

from __future__ import annotations

import pytest

from tests.workbench.team.conftest import add_team
from workbench.errors import ConfigError, PermissionDenied
from workbench.team.identity import DATA, clean_name, same_person
from workbench.team.users import find_user, register_user, require

BOB_VARIANTS = {
    "capitalised": "Bob",
    "trailing space": "bob ",
    "leading space": " bob",
    "cyrillic o": "b\u043eb",
    "zero-width space": "b\u200bob",
    "fullwidth letters": "\uff42\uff4f\uff42",
    "digit zero for o": "b0b",
    "no-break space": "\u00a0bob",
    "soft hyphen": "bo\u00adb",
    "right-to-left mark": "\u200fbob",
}


@pytest.mark.parametrize("variant", BOB_VARIANTS.values(), ids=BOB_VARIANTS.keys())
def test_each_spelling_of_bob_is_bob(variant):
    assert same_person(variant, "bob")


@pytest.mark.parametrize("a, b", [("bob", "rob"), ("bob", "bób"), ("ann", "anna"), ("cara", "carol")])
def test_different_people_stay_different(a, b):
    assert not same_person(a, b)


def test_the_stored_form_drops_what_cannot_be_seen_but_keeps_case():
    assert clean_name("  Ann\u200b  Smith\u00a0") == "Ann Smith"


def test_the_skeleton_uses_the_whole_unicode_table():
    # the file is Unicode's own, complete: its closing count matches its data lines
    lines = DATA.read_text(encoding="utf-8-sig").splitlines()
    data = [x for x in lines if x[:1].isalnum()]
    assert lines[-1] == f"# total: {len(data)}" and len(data) > 6000
    assert same_person("\u0391\u039d\u039d", "ANN")  # Greek capitals
    assert same_person("Ian", "ian") and same_person("Ian", "lan")  # I, l and 1 look alike
    assert not same_person("\u03b1\u03bd\u03bd", "ann")  # small Greek nu reads as v: ανν is avv


def test_a_user_that_looks_like_another_cannot_be_registered(any_store):
    add_team(any_store)
    with any_store.session() as s:
        with pytest.raises(ConfigError, match="'b\u043eb': it reads as the existing user 'bob'"):
            register_user(s, "ann", "b\u043eb", ["approver"])
        with pytest.raises(ConfigError, match="it reads as the existing user 'bob'"):
            register_user(s, "ann", "BOB", ["approver"])
        assert find_user(s, " Bob").name == "bob"


def test_roles_follow_the_person_not_the_spelling(any_store):
    add_team(any_store)
    with any_store.session() as s:
        with pytest.raises(PermissionDenied, match="user 'dave' \\(auditor\\) may not approve"):
            require(s, "DAVE", "approve")
        require(s, "B\u043eb", "prepare")  # bob's preparer role, whatever the spelling
