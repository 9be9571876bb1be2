"""docs/reference/fields.md is generated from the code and must not drift from it."""

from __future__ import annotations

from pathlib import Path

from workbench.model.records import KINDS, field_names
from workbench.sources.field_reference import meaning, render

DOC = Path(__file__).resolve().parents[3] / "docs" / "reference" / "fields.md"


def test_the_committed_field_reference_is_up_to_date():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/reference/fields.md is stale: python -m workbench.sources.field_reference > docs/reference/fields.md")


def test_every_canonical_field_is_explained():
    missing = [f"{k}.{f}" for k in KINDS for f in field_names(k) if not meaning(k, f)]
    assert missing == []


def test_the_reference_names_external_ref_and_its_default_columns():
    text = render()
    row = next(line for line in text.splitlines() if line.startswith("| `external_ref`"))
    assert "`externalDocumentNumber`" in row and "`Reference`" in row
