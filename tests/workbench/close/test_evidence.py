"""Comments and evidence files on an exception: round trip with hashes, refused once certified."""

from __future__ import annotations

import hashlib

import pytest

from tests.workbench.export.test_workbook import make_run
from workbench.close import evidence
from workbench.close import signoff as close
from workbench.close.lock import PeriodLocked
from workbench.errors import InputError
from workbench.store.schema import Attachment, ExceptionRow



def test_an_attachment_round_trips_with_its_hash_and_an_edited_one_is_named(store, tmp_path):
    run_id = make_run(store)
    with store.session() as s:
        exc = s.query(ExceptionRow).filter_by(run_id=run_id).first()
        exc_id, key = exc.id, exc.key
    statement = tmp_path / "remittance advice.pdf"
    statement.write_bytes(b"%PDF-1.4 remittance 4,721.76 EUR\n")
    info = evidence.attach(store, exc_id, "ann", statement)
    assert info.sha256 == hashlib.sha256(statement.read_bytes()).hexdigest() and info.size == statement.stat().st_size
    evidence.add_comment(store, exc_id, "bob", "Customer paid on the 30th; bank posted on the 2nd.")
    with store.session() as s:
        [listed] = evidence.attachments(s, key)
        assert (listed.file_name, listed.uploader) == ("remittance advice.pdf", "ann")
        got_info, data = evidence.attachment_content(s, listed.id)
        assert data == statement.read_bytes()
        assert [(c.author, c.text) for c in evidence.comments(s, key)] == [
            ("bob", "Customer paid on the 30th; bank posted on the 2nd.")]
        s.get(Attachment, listed.id).content = b"%PDF-1.4 remittance 9,999.99 EUR\n"
    with store.session() as s, pytest.raises(InputError, match="does not match its recorded SHA-256"):
        evidence.attachment_content(s, listed.id)


def test_unreadable_files_and_empty_comments_are_refused(store, tmp_path):
    run_id = make_run(store)
    with store.session() as s:
        exc_id = s.query(ExceptionRow).filter_by(run_id=run_id).first().id
    with pytest.raises(InputError, match="not a readable file"):
        evidence.attach(store, exc_id, "ann", tmp_path)
    with pytest.raises(InputError, match="needs text"):
        evidence.add_comment(store, exc_id, "ann", "   ")


def test_no_evidence_is_added_to_a_certified_period(store, tmp_path):
    run_id = make_run(store)
    with store.session() as s:
        exc_id = s.query(ExceptionRow).filter_by(run_id=run_id).first().id
        crit = [e.key for e in s.query(ExceptionRow).filter_by(run_id=run_id, severity="critical")
                if e.status in close.OPEN_STATUSES]
    close.signoff(store, "2026-10", "ann")
    for k in crit:
        close.carry_forward(store, "2026-10", k, "ann", "next month")
    close.certify(store, "2026-10", "bob")
    with pytest.raises(PeriodLocked):
        evidence.add_comment(store, exc_id, "ann", "too late")
    f = tmp_path / "late.txt"
    f.write_text("late", encoding="utf-8")
    with pytest.raises(PeriodLocked):
        evidence.attach(store, exc_id, "ann", f)
