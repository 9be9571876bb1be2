"""Done-when targets of the engine on the independent corpus (docs/accuracy.md), 2,000 customers.

The corpus is read exactly as a user's run reads it: the run config it ships, the files
connector, then the engine. Every figure is record-level against the corpus's own truth.
"""

from __future__ import annotations

import pytest

from benchmarks.corpus import generate
from benchmarks.corpus.evaluate import run, table


@pytest.fixture(scope="module", params=["business_central", "odoo"])
def scored(request, tmp_path_factory):
    d = tmp_path_factory.mktemp(f"corpus-{request.param}")
    paths = generate(d, customers=2000, seed=11, erp=request.param)
    score, _ = run(d, paths["config"].name)
    print(table(score))
    return score


@pytest.mark.parametrize("family", ["customer", "pricing", "invoice"])
def test_every_family_is_found_and_nothing_else_is_reported(scored, family):
    f = scored.families[family]
    missed = {k: v["n"] - v["found"] for k, v in scored.kinds.items() if k[0] == family and v["found"] < v["n"]}
    assert f["recall"] >= 0.99, f"{scored.erp} {family}: recall {f['recall']:.4f}; missed per kind {missed}"
    wrong = {t: v["records"] - v["true"] for t, v in scored.types.items()
             if t.startswith(family + ".") and v["records"] > v["true"]}
    assert f["precision"] >= 0.99, \
        f"{scored.erp} {family}: precision {f['precision']:.4f}; false records per exception type {wrong}"


def test_customer_links_are_right(scored):
    lk = scored.links
    assert lk["precision"] >= 0.995 and lk["recall"] >= 0.98, f"{scored.erp} links: {lk}"


def test_no_decoy_class_is_reported_on_more_than_one_percent(scored):
    over = {c: f"{d['reported']}/{d['instances']} ({d['share']:.1%})" for c, d in scored.decoys.items()
            if d["share"] > 0.01}
    assert not over, f"{scored.erp} decoys reported: {over}"
