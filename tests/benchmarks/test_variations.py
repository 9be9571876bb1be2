"""benchmarks/variations: the variation probe runs from a clean checkout, scores by its own definitions and
stays independent of the engine. No accuracy figure is asserted here: the probe is a measurement."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.variations import cases, harness
from benchmarks.variations.__main__ import COLUMNS, main

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "benchmarks" / "variations"


def test_the_probe_imports_neither_the_engine_nor_the_project_generators():
    allowed = set(sys.stdlib_module_names) | {"faker", "benchmarks"}
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"
                if name.startswith("benchmarks"):
                    assert name.startswith("benchmarks.variations"), f"{path.name} imports {name}"


def test_a_class_is_the_same_whichever_classes_were_built_before_it():
    first = cases.cases("addresses")
    cases.cases("negatives")
    assert cases.cases("addresses") == first
    assert set(cases.PLAN) == set(cases.CLASSES)
    assert all(set(modes) <= set(harness.MODES) for modes in cases.PLAN.values())


def _case(idx, kind, diffs=()):
    return dict(idx=idx, kind=kind, crm_id=f"c{idx}" if kind != "erp_only" else None,
                erp_id=f"e{idx}" if kind != "crm_only" else None, erp_number=None, diffs=sorted(diffs),
                tag=f"t{idx}", crm_name=f"CRM {idx}", erp_name=f"ERP {idx}")


def _link(crm, erp, status):
    return dict(crm_id=crm, erp_id=erp, status=status, method="fuzzy", confidence=0.9)


def _exc(typ, crm, erp, field=None, family="customer"):
    return dict(family=family, type=typ, crm_id=crm, erp_id=erp, field=field, crm_value="a", erp_value="b",
                message="m")


def test_scoring_follows_the_definitions():
    truth = dict(mode="fuzzy", cases=[_case(1, "pair", {"name"}), _case(2, "pair"), _case(3, "pair", {"tax_id"}),
                                      _case(4, "pair"), _case(5, "crm_only"), _case(6, "erp_only")])
    links = dict(links=[_link("c1", "e1", "auto"), _link("c3", "e6", "auto")],
                 suggested=[_link("c2", "e2", "suggested"), _link("c5", "e4", "suggested")])
    exc = dict(exceptions=[
        _exc("customer.attribute_mismatch", "c1", "e1", "name"),    # a real difference, found
        _exc("customer.attribute_mismatch", "c1", "e1", "street"),  # not a difference
        _exc("customer.missing_in_erp", "c4", None),                # c4 has a counterpart
        _exc("customer.missing_in_crm", None, "e4"),                # so has e4
        _exc("customer.missing_in_erp", "c5", None),                # true: c5 is CRM only
        _exc("customer.missing_xref", "c1", "e1", "xref"),          # not scored
        _exc("customer.duplicate", "c2", None),                     # listed only
        _exc("invoice.total_mismatch", "c1", "e1", "total", family="invoice"),  # another family
    ])
    res, details = harness.score(truth, links, exc)
    assert res == dict(correct_auto=1, correct_sugg=1, wrong_auto=1, wrong_sugg=1, missed=1, false_exc=1,
                       missed_diff=1, true_diff=1, false_missing=2, pairs=4, singles=2, diffs_total=2)
    assert sorted(d[0] for d in details) == ["FALSE_EXC", "MISSED_DIFF", "MISSED_LINK", "OTHER_EXC",
                                             "SUGGESTED_ONLY", "WRONG_LINK_auto", "WRONG_LINK_sugg"]


def _rows(stdout: str) -> dict[tuple[str, str], dict[str, int]]:
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:2] == ["class", "mode"])
    assert lines[start].split()[2:] == list(COLUMNS)
    rows = {}
    for line in lines[start + 1:]:
        if not line.strip():
            break
        cells = line.split()
        key = ("total", "") if cells[0] == "total" else (cells[0], cells[1])
        rows[key] = dict(zip(COLUMNS, map(int, cells[-len(COLUMNS):])))
    return rows


def _details(stdout: str) -> dict[str, list[str]]:
    """--details: a "<set>: N listed" line, then one indented line per case."""
    sets: dict[str, list[str]] = {}
    current: list[str] = []
    for line in stdout.splitlines():
        if re.fullmatch(r"\S+: \d+ listed", line):
            current = sets.setdefault(line.split(":")[0], [])
        elif line.startswith("  "):
            current.append(line.strip())
    return sets


def test_one_class_end_to_end_through_the_workbench_cli(tmp_path):
    argv = ["order", "--out", str(tmp_path), "--details", "--jobs", "2"]
    proc = subprocess.run([sys.executable, "-m", "benchmarks.variations", *argv], cwd=ROOT, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = _rows(proc.stdout)
    listed_cases = _details(proc.stdout)
    built = cases.cases("order")
    pairs = sum(c["kind"] == "pair" for c in built)
    diffs = sum(len(c["diffs"]) for c in built)
    assert list(rows) == [("order", mode) for mode in cases.PLAN["order"]] + [("total", "")]
    for (_cls, mode), r in rows.items():
        if mode:
            assert (r["pairs"], r["singles"], r["diffs_total"]) == (pairs, 0, diffs)
            # the class holds pairs only and a CRM customer has one link at most: each pair is counted once
            assert r["correct_auto"] + r["correct_sugg"] + r["wrong_auto"] + r["wrong_sugg"] + r["missed"] == pairs
            # each real difference is found (one exception per field) or missed
            assert r["true_diff"] + r["missed_diff"] == diffs
            saved = json.loads((tmp_path / f"order_{mode}" / "score.json").read_text(encoding="utf-8"))
            assert saved["score"] == r
            listed = [d.split()[0] for d in listed_cases[f"order_{mode}"]]
            assert listed.count("MISSED_LINK") == r["missed"] and listed.count("FALSE_EXC") == r["false_exc"]
            assert (tmp_path / f"order_{mode}" / "store.sqlite3").is_file()
    assert rows[("total", "")] == {c: sum(r[c] for k, r in rows.items() if k[1]) for c in COLUMNS}
    assert "Traceback" not in proc.stderr


def test_a_failing_run_is_one_line_and_exit_1(monkeypatch, capsys):
    monkeypatch.setattr(harness, "CONFIG", '[run]\nname = "{name}"\n')  # no CRM, no ERP: workbench refuses it
    assert main(["negatives2"]) == 1
    out, err = capsys.readouterr()
    assert "variations: error: workbench run on negatives2_fuzzy exited 2" in err
    assert "Traceback" not in err and "class" not in out


@pytest.mark.parametrize("argv", [["nosuchclass"], ["--nosuchoption"]])
def test_bad_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
