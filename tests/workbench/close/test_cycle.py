"""The whole month-end close through the command line, on SQLite and PostgreSQL: a run, its FX table and
materiality, sign-off, maker-checker certification, every change refused while certified, reopening with a
reason, a change, re-certification, and the workbook an auditor reads back."""

from __future__ import annotations

import hashlib
import tomllib
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.helpers.pg_roles import login_urls
from workbench.cli import main
from workbench.close.fx import currencies_in_use
from workbench.close.proof import check_close
from workbench.model.money import quantize
from workbench.store.db import open_store
from workbench.store.schema import AuditEvent, ExceptionRow, Run


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db(request, tmp_path):
    if request.param == "postgres":
        url = request.getfixturevalue("pg_db_url")
        assert main(["db", "upgrade", "--db", url]) == 0
        return url
    return f"sqlite:///{tmp_path / 'wb.db'}"


def _as_person(args: list[str]) -> list[str]:
    """On PostgreSQL a person acts as their own database role (``--user`` may only name yourself):
    connect each ``--user NAME`` command as the login role NAME."""
    if "--user" not in args or "--db" not in args:
        return args
    db_at = args.index("--db") + 1
    if not args[db_at].startswith("postgresql"):
        return args
    name = args[args.index("--user") + 1]
    return [*args[:db_at], login_urls(args[db_at], name)[name], *args[db_at + 1:]]


def wb(capsys, *args: str, code: int = 0) -> str:
    got = main(_as_person(list(args)))
    out = capsys.readouterr()
    assert got == code, out.err or out.out
    return out.err if code else out.out


def _events(store) -> int:
    with store.session() as s:
        return int(s.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def _open_items(store, run_id: int) -> list[ExceptionRow]:
    with store.session() as s:
        return list(s.execute(select(ExceptionRow).where(ExceptionRow.run_id == run_id)
                              .order_by(ExceptionRow.id)).scalars())


def test_the_close_cycle_through_the_cli(db, tmp_path, capsys):
    scen = tmp_path / "scenario"
    wb(capsys, "scenario", "--seed", "7", "--customers", "60", "--out", str(scen))
    cfg = str(scen / "run.toml")
    period = tomllib.loads((scen / "run.toml").read_text(encoding="utf-8"))["run"]["period"]
    P = ("--period", period, "--db", db)
    wb(capsys, "run", "--config", cfg, "--db", db, "--user", "ann")
    store = open_store(db)
    try:
        _cycle(store, db, cfg, period, P, tmp_path, capsys)
    finally:
        store.dispose()


def _cycle(store, db, cfg, period, P, tmp_path, capsys) -> None:
    with store.session() as s:
        used = currencies_in_use(s, period)
    assert used, "the scenario has amounts at risk"
    rates = {cur: Decimal("0.9") + Decimal(i) / 10 for i, cur in enumerate(used)}
    rep = next(c for c in ("CHF", "SEK", "NOK", "PLN") if c not in used)  # a reporting currency none uses

    # A rate table missing a currency in use: refused, nothing written.
    bad = tmp_path / "short.csv"
    bad.write_text("currency,rate\n" + "".join(f"{c},{r}\n" for c, r in list(rates.items())[1:]), encoding="utf-8")
    err = wb(capsys, "close", "rates", *P, "--file", str(bad), "--reporting-currency", rep, code=2)
    assert f"no rate for {used[0]}" in err and "short.csv" in err and len(err.strip().splitlines()) == 1
    rates_file = tmp_path / "rates.csv"
    rates_file.write_text("currency,rate\n" + "".join(f"{c},{r}\n" for c, r in rates.items()), encoding="utf-8")
    wb(capsys, "close", "rates", *P, "--file", str(rates_file), "--reporting-currency", rep)

    # Materiality: a threshold that waives some open items and not others, applied by the next run.
    with store.session() as s:
        first = s.execute(select(func.max(Run.id))).scalar_one()
    sized = sorted((quantize(abs(e.amount_at_risk) * rates[e.currency], rep), e.key)
                   for e in _open_items(store, first)
                   if e.status == "open" and e.severity != "critical" and e.amount_at_risk is not None and e.currency)
    assert len(sized) >= 3
    threshold = sized[len(sized) // 3][0]
    immaterial = {key for amount, key in sized if amount <= threshold}
    wb(capsys, "close", "materiality", *P, "--absolute", str(threshold), "--user", "ann")
    wb(capsys, "run", "--config", cfg, "--db", db, "--user", "ann")
    with store.session() as s:
        run_id = s.execute(select(func.max(Run.id))).scalar_one()
        waived = {e.detail["key"]: e.detail for e in s.execute(
            select(AuditEvent).where(AuditEvent.action == "exception.auto_waived")).scalars()}
    assert set(waived) == immaterial
    assert all(d["rule"] == "materiality.absolute" and Decimal(d["threshold"]) == threshold for d in waived.values())
    items = _open_items(store, run_id)
    assert {e.key for e in items if e.status == "waived" and (e.resolution or "").startswith("auto-waived")} \
        == immaterial

    out = wb(capsys, "close", "status", *P)
    assert f"Period {period}: open" in out and "aging: 0–30 days:" in out and "overdue:" in out
    assert f"materiality ({rep}): absolute {threshold}" in out and f"at risk in {rep}:" in out

    # Sign-off, then maker-checker: the preparer can neither sign twice nor certify.
    assert "signed off by ann" in wb(capsys, "close", "signoff", *P, "--user", "ann")
    assert "already signed off by ann" in wb(capsys, "close", "signoff", *P, "--user", "ann", code=2)
    assert "someone else must certify" in wb(capsys, "close", "certify", *P, "--user", "ann", code=2)
    critical = [e.key for e in items if e.severity == "critical" and e.status in ("open", "in_review", "reopened")]
    assert critical, "the scenario has open critical items"
    assert "open critical item" in wb(capsys, "close", "certify", *P, "--user", "bob", code=2)
    for key in critical:
        wb(capsys, "close", "carry-forward", *P, "--key", key, "--reason", "customer disputes it", "--user", "ann")
    assert "certified by bob" in wb(capsys, "close", "certify", *P, "--user", "bob")

    # Certified: every change is refused with who certified it and how to reopen; nothing is written.
    target = next(e for e in items if e.status == "open")
    evidence = tmp_path / "remittance.pdf"
    evidence.write_bytes(b"%PDF-1.4 remittance advice 2026-10-28\n")
    before = _events(store)
    for args in (["exceptions", "comment", "--id", str(target.id), "--text", "called the customer"],
                 ["exceptions", "attach", "--id", str(target.id), "--file", str(evidence)],
                 ["exceptions", "assign", "--id", str(target.id), "--to", "carol"],
                 ["corrections", "waive", str(target.id), "--reason", "immaterial"],
                 ["run", "--config", cfg]):
        err = wb(capsys, *args, "--db", db, "--user", "ann", code=2)
        assert f"period {period} is certified by bob" in err and "workbench close reopen" in err, args
    assert _events(store) == before
    assert next(e for e in _open_items(store, run_id) if e.id == target.id).assignee == target.assignee

    # Reopen with a reason, change, sign off and certify again.
    wb(capsys, "close", "reopen", *P, "--user", "bob", "--reason", "late remittance to document")
    wb(capsys, "exceptions", "comment", "--id", str(target.id), "--text", "remittance received 28 Oct",
       "--db", db, "--user", "ann")
    out = wb(capsys, "exceptions", "attach", "--id", str(target.id), "--file", str(evidence), "--db", db,
             "--user", "ann")
    sha = hashlib.sha256(evidence.read_bytes()).hexdigest()
    assert sha in out
    out = wb(capsys, "exceptions", "evidence", "--id", str(target.id), "--db", db)
    assert "ann: remittance received 28 Oct" in out
    assert f"remittance.pdf ({evidence.stat().st_size} bytes, sha256 {sha})" in out
    wb(capsys, "close", "signoff", *P, "--user", "ann")
    wb(capsys, "close", "certify", *P, "--user", "bob")

    # The workbook: the cover tells the certification chain, the Close sheet the items behind it.
    xlsx = tmp_path / "audit.xlsx"
    wb(capsys, "export", "--run", str(run_id), "--xlsx", str(xlsx), "--db", db)
    book = load_workbook(xlsx)
    cover = [[c for c in row if c is not None] for row in book["Cover"].iter_rows(values_only=True)]
    chain_at = cover.index(["Certification chain", "By", "At (UTC)", "Reason or note", "Snapshot SHA-256",
                            "Audit trail head"])
    chain = [row[:2] for row in cover[chain_at + 1:chain_at + 6]]
    assert chain == [["Signed off (preparer)", "ann"], ["Certified (reviewer)", "bob"], ["Reopened", "bob"],
                     ["Signed off (preparer)", "ann"], ["Certified (reviewer)", "bob"]]
    assert cover[chain_at + 3][3] == "late remittance to document"
    assert ["State", "certified"] in cover and ["Period", period] in cover
    assert any(row[:1] == [f"Total in {rep}"] for row in cover)
    assert any(row[0] == "FX table" and row[1].startswith("rates.csv sha256:") for row in cover if row)
    assert ["Materiality, absolute", f"{threshold} {rep} (not critical items)"] in cover
    close = list(book["Close"].iter_rows(values_only=True))
    assert close[0][:2] == ("Kind", "Exception key")
    assert {r[1] for r in close if r[0] == "Auto-waiver"} == immaterial
    assert {r[1] for r in close if r[0] == "Carried forward"} == set(critical)
    assert [(r[1], r[3], r[4]) for r in close if r[0] == "Comment"] == [(target.key, "ann",
                                                                         "remittance received 28 Oct")]
    assert [(r[1], r[7]) for r in close if r[0] == "Evidence file"] == [(target.key, sha)]
    assert "ok — export" in wb(capsys, "export", "--verify", str(xlsx), "--db", db).lower()
    with store.session() as s:  # what audit verify proves of the close: every period record as the trail has it
        assert check_close(s) == []
