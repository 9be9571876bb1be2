"""Review of the Odoo sandbox's aggregate methods against Odoo's own source. Fails on the code reviewed."""

from __future__ import annotations

import odoorpc
import pytest

from workbench.sandbox import erp


def test_odoo_17_over_json_rpc_refuses_formatted_read_group_as_odoo_17_does():
    """Odoo 17 has no ``formatted_read_group``. Its JSON-RPC (odoo/service/model.py execute_kw -> odoo/api.py
    ``call_kw``) answers a method the model lacks with ``AttributeError(f"The method '{name}' does not exist on the
    model '{model._name}'")``, serialized as ``builtins.AttributeError``. The sandbox answers
    ``werkzeug.exceptions.NotFound`` "The method 'account.move.formatted_read_group' does not exist" (the JSON-2
    shape of Odoo 19): a client telling the two apart by the error's name (as the connector's JSON-RPC fallback does,
    on ``builtins.TypeError``) is not proven against what Odoo sends."""
    h = erp.start(flavor="odoo", customers=5, seed=5, odoo_version=17)
    try:
        client = odoorpc.ODOO("127.0.0.1", port=int(h.base_url.rsplit(":", 1)[1]))
        client.login(h.info["database"], h.info["login"], h.info["api_key"])
        with pytest.raises(odoorpc.error.RPCError) as e:
            client.execute_kw("account.move", "formatted_read_group", [[]],
                              {"groupby": [], "aggregates": ["__count", "id:sum"]})
        data = e.value.info["data"]
        assert (data["name"], data["message"]) == (
            "builtins.AttributeError", "The method 'formatted_read_group' does not exist on the model 'account.move'")
    finally:
        h.stop()
