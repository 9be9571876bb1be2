import pytest

from workbench.model.ids import InvalidSalesforceId, checksum, object_for, to_15, to_18


def test_15_char_ids_get_the_case_safe_suffix():
    # Salesforce's documented example pair
    assert to_18("001D000000IqhSL") == "001D000000IqhSLIAZ"
    assert to_15("001D000000IqhSLIAZ") == "001D000000IqhSL"


def test_18_char_ids_are_kept_and_whitespace_trimmed():
    assert to_18("  001D000000IqhSLIAZ ") == "001D000000IqhSLIAZ"
    assert to_18("001D000000IqhSLiaz") == "001D000000IqhSLIAZ"  # suffix case does not matter


def test_a_lowercased_id_is_restored_from_its_checksum():
    assert to_18("001d000000iqhsliaz") == "001D000000IqhSLIAZ"


@pytest.mark.parametrize("bad,why", [
    ("001D000000IqhS", "15 or 18 characters"),
    ("001D000000IqhSL-", "15 or 18"),
    ("001D00000!IqhSL", "15 letters/digits"),
    ("001D000000IqhSLAAA", "checksum"),
])
def test_bad_ids_are_rejected_with_the_value_and_reason(bad, why):
    with pytest.raises(InvalidSalesforceId, match=why) as e:
        to_18(bad)
    assert repr(bad.strip()) in str(e.value) or repr(bad) in str(e.value)


def test_two_ids_differing_only_in_case_are_different_records():
    a, b = "001D000000IqhSL", "001D000000IQhSL"
    assert to_18(a) != to_18(b)
    assert checksum(a) != checksum(b)


def test_key_prefix_names_the_object():
    assert object_for("001D000000IqhSL") == "Account"
