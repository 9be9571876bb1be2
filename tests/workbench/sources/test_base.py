"""Record hashes over Arrow text: the same digests as hashing each text in Python."""

from __future__ import annotations

import hashlib

import pyarrow as pa
import pytest

from workbench.sources.base import sha256_each

TEXTS = ['{"Name":"Müller GmbH"}', "", None, '{"Id":"a0X5g"}', "日本語"]


def _expected(values: list[str | None]) -> list[str | None]:
    return [None if v is None else hashlib.sha256(v.encode("utf-8")).hexdigest() for v in values]


@pytest.mark.parametrize("text_type", [pa.string(), pa.large_string()])
def test_each_text_hashes_as_its_utf8_bytes_and_a_missing_text_has_no_hash(text_type):
    assert sha256_each(pa.array(TEXTS, type=text_type)).to_pylist() == _expected(TEXTS)


def test_a_slice_of_an_array_hashes_its_own_values():
    sliced = pa.array(TEXTS, type=pa.string()).slice(3, 2)
    assert sha256_each(sliced).to_pylist() == _expected(TEXTS[3:])
    assert sha256_each(pa.array([], type=pa.string())).to_pylist() == []
