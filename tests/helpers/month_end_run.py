"""A run like the demo's month end, for the screens' tests at a controller's window sizes: every exception
type (long words such as "Customer cross-reference points elsewhere"), long customer names, six-figure
amounts in six currencies (JPY without decimals), nothing at risk on customer-level exceptions, and
Business Central's block value ("All") on a blocked customer."""

from __future__ import annotations

from decimal import Decimal

from workbench.model.labels import TYPE_LABELS
from workbench.store.schema import ExceptionRow
from tests.app.conftest import _exc, seed_run

CURRENCIES = ("EUR", "USD", "GBP", "JPY", "SEK", "CHF")


def seed_month_end(store) -> int:
    """The conftest's run plus one exception of every type; returns the run id."""
    rid = seed_run(store, run_name="Demo: Salesforce sandbox vs Business Central sandbox")
    with store.session() as s:
        for n, code in enumerate(sorted(TYPE_LABELS)):
            ccy = CURRENCIES[n % len(CURRENCIES)]
            customer_level = code.startswith(("customer.", "data_quality."))
            kw = {"amount_at_risk": Decimal("0"), "currency": None} if customer_level else \
                {"amount_at_risk": Decimal("255796") if ccy == "JPY" else Decimal("255796.67"), "currency": ccy}
            if code == "credit.blocked_in_erp":  # what the engine stores for a customer blocked in BC
                kw = {"field": "blocked", "crm_value": "active", "erp_value": "All",
                      "amount_at_risk": Decimal("49777.89"), "currency": "EUR"}
            s.add(ExceptionRow(**_exc(rid, 200 + n, type=code, severity="critical" if n % 3 == 0 else "high",
                                      crm_object="customers", crm_id=f"0015g00000va{n:04d}AAA",
                                      crm_number=f"ACC-1000{n:02d}", message="differs",
                                      customer_name=f"Schmidt & Schneider Maschinenbau GmbH & Co. KG {n}", **kw)))
    return rid
