"""`workbench export --xlsx` and `workbench export --verify` as a user runs them."""

from __future__ import annotations

from openpyxl import load_workbook

from tests.workbench.export.test_workbook import make_run
from workbench.cli import main


def test_export_latest_run_then_verify(store, tmp_path, monkeypatch, capsys):
    make_run(store, monkeypatch=monkeypatch)
    rid = make_run(store, monkeypatch=monkeypatch)  # the latest completed run is the default
    out = tmp_path / "audit.xlsx"
    assert main(["export", "--db", store.url, "--xlsx", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"(run {rid})" in printed and "Exceptions 5" in printed and "Data manifest (SHA-256): " in printed
    cover = {r[0]: r[1] for r in load_workbook(out)["Cover"].iter_rows(values_only=True) if r and r[0]}
    assert cover["Run id"] == rid

    assert main(["export", "--db", store.url, "--verify", str(out)]) == 0
    assert "OK" in capsys.readouterr().out


def test_verify_reports_the_tampered_cell_and_fails(store, tmp_path, monkeypatch, capsys):
    rid = make_run(store, monkeypatch=monkeypatch)
    out = tmp_path / "audit.xlsx"
    assert main(["export", "--db", store.url, "--run", str(rid), "--xlsx", str(out)]) == 0
    wb = load_workbook(out)
    wb["Corrections"]["T2"].value = "nobody"  # who approved it
    wb.save(out)
    capsys.readouterr()
    assert main(["export", "--db", store.url, "--verify", str(out)]) == 1
    text = capsys.readouterr().out
    assert "NOT VERIFIED" in text
    assert "Corrections!T2: workbook has 'nobody', the store gives 'tom'" in text


def test_export_errors_are_one_line_with_exit_2(store, tmp_path, monkeypatch, capsys):
    assert main(["export", "--db", store.url, "--xlsx", str(tmp_path / "a.xlsx")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("workbench: error: no completed run") and err.count("\n") == 1
    make_run(store, monkeypatch=monkeypatch)
    assert main(["export", "--db", store.url, "--run", "999", "--xlsx", str(tmp_path / "a.xlsx")]) == 2
    assert "there is no run 999" in capsys.readouterr().err
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"not a zip at all" * 100)
    assert main(["export", "--db", store.url, "--verify", str(garbage)]) == 2
    err = capsys.readouterr().err
    assert "garbage.xlsx" in err and "not an Excel workbook" in err and "Traceback" not in err
    assert not (tmp_path / "a.xlsx").exists()


def test_verify_with_run_refuses_another_runs_workbook_in_one_line(store, tmp_path, monkeypatch, capsys):
    first = make_run(store, monkeypatch=monkeypatch)
    second = make_run(store, monkeypatch=monkeypatch)
    out = tmp_path / "r2.xlsx"
    assert main(["export", "--db", store.url, "--run", str(second), "--xlsx", str(out)]) == 0
    capsys.readouterr()
    assert main(["export", "--db", store.url, "--run", str(first), "--verify", str(out)]) == 1
    printed = capsys.readouterr().out
    assert printed.count("\n") == 1 and "OK" not in printed
    assert printed.startswith(f"{out}: NOT VERIFIED: this workbook is the export ")
    assert printed.rstrip().endswith(f"of run {second}, not of run {first}")
    assert main(["export", "--db", store.url, "--run", str(second), "--verify", str(out)]) == 0
    assert "OK" in capsys.readouterr().out
    assert main(["export", "--db", store.url, "--run", "99", "--verify", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("workbench: error: there is no run 99")
    assert captured.err.count("\n") == 1


def test_a_blank_cell_is_said_in_words_never_as_none(store, tmp_path, monkeypatch, capsys):
    rid = make_run(store, monkeypatch=monkeypatch)
    out = tmp_path / "audit.xlsx"
    assert main(["export", "--db", store.url, "--run", str(rid), "--xlsx", str(out)]) == 0
    wb = load_workbook(out)
    wb["Corrections"]["T2"].value = None  # who approved it
    wb.save(tmp_path / "cleared.xlsx")
    export_id = next(r for r in wb["Cover"].iter_rows() if r[0].value == "Export id")[1]
    export_id.value = None
    wb.save(tmp_path / "no_id.xlsx")
    capsys.readouterr()
    assert main(["export", "--db", store.url, "--verify", str(tmp_path / "cleared.xlsx")]) == 1
    assert "Corrections!T2: workbook has (blank), the store gives 'tom'" in capsys.readouterr().out
    assert main(["export", "--db", store.url, "--verify", str(tmp_path / "no_id.xlsx")]) == 1
    text = capsys.readouterr().out
    assert "NOT VERIFIED" in text and "None" not in text
    assert f"the Cover names no export id (Cover!{export_id.coordinate} is blank" in text
