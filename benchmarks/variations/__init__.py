"""The variation probe: customer matching on hand-written cases, one set per variation class and mode.

    .venv/bin/python -m benchmarks.variations [CLASS ...] [--out DIR] [--details] [--jobs N]

Classes (cases.py): translit, legal, order, abbrev, addresses, taxids, negatives, negatives2, regional, entities,
samesite, cjk, emerging, tradenames, taxfmt, fieldlimits, roundtrip, branches, lookalikes. Each is
written as a Salesforce and a Business Central extract with a run config and a truth (harness.py), run
through the ``workbench`` command line as a user runs it, and scored from the CLI's JSON against the
truth. Written without the engine, ``workbench scenario`` or ``benchmarks/corpus``, and importing none
of them (tests/benchmarks/test_variations.py checks the imports). See docs/accuracy.md.
"""
