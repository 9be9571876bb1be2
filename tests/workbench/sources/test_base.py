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


def test_one_requests_failure_keeps_the_answers_of_the_writes_before_it():
    # Business Central re-reads a record that answered 412 (If-Match): a 429 on that read raises
    from workbench.sources.base import WriteRequest, WriteResult, push_each
    from workbench.sources.http_common import HttpFailure

    def push_one(req: WriteRequest) -> WriteResult:
        if req.correction_id == 2:
            raise HttpFailure("HTTP 429 reading customers(2)", status=429, transient=True)
        if req.correction_id == 3:
            raise HttpFailure("HTTP 400 reading customers(3)", status=400)
        return WriteResult(req.correction_id, "applied", "PATCH customers(1) city")

    reqs = [WriteRequest(correction_id=i, idempotency_key=f"wb-{i}", object="customers", record_id=str(i),
                         field="city", old_value="Leeds", new_value="York", seen_version=None) for i in (1, 2, 3)]
    got = push_each(reqs, push_one, None, "Business Central")
    assert [(r.correction_id, r.outcome) for r in got] == [(1, "applied"), (2, "transient"), (3, "permanent")]
    assert got[1].message == "HTTP 429 reading customers(2)"
