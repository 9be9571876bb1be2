"""benchmarks/record.py: the numbers in docs/benchmarks.md are the ones a script printed."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_record", ROOT / "benchmarks" / "record.py")
record = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(record)
WHEN = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)


def test_a_first_recording_is_added_and_a_second_replaces_it():
    doc = "# Benchmarks\n\n## The engine\n\nprose\n"
    once = record.update(doc, "bench_x", record.block("bench_x", "python b.py 10", "size 10  1.0 s\n", WHEN, "Linux"))
    assert once.startswith(doc.rstrip("\n")) and "## Latest recorded results" in once and "size 10  1.0 s" in once
    twice = record.update(once, "bench_x", record.block("bench_x", "python b.py 20", "size 20  2.0 s\n", WHEN, "Linux"))
    assert "size 20  2.0 s" in twice and "size 10" not in twice
    assert twice.count("<!-- results: bench_x -->") == 1 and twice.count("## Latest recorded results") == 1


def test_a_failing_script_leaves_the_doc_as_it_was(tmp_path, monkeypatch, capsys):
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n", encoding="utf-8")
    monkeypatch.setattr(record, "DOC", doc)
    ok, bad = tmp_path / "bench_ok.py", tmp_path / "bench_bad.py"
    ok.write_text("print('rows 1,000  0.5 s')\n", encoding="utf-8")
    bad.write_text("import sys\nprint('half a table')\nsys.exit(3)\n", encoding="utf-8")
    assert record.main([str(bad)]) == 3
    assert doc.read_text(encoding="utf-8") == "# Benchmarks\n"
    assert record.main([str(ok), "--quick"]) == 0
    text = doc.read_text(encoding="utf-8")
    assert "rows 1,000  0.5 s" in text and "bench_ok.py --quick" in text and sys.version.split()[0] in text
    assert "exited 3" in capsys.readouterr().err
