"""Salesforce's response shapes: JSON with exact decimals, error bodies, SOAP envelopes."""

from __future__ import annotations

import json
import re
import secrets
from decimal import Decimal
from email.utils import formatdate
from typing import Any
from xml.sax.saxutils import escape

_MARK = "@@dec" + secrets.token_hex(6) + ":"
_MARK_RE = re.compile('"' + re.escape(_MARK) + r'([-0-9.Ee+]+)"')


def _prep(v: Any) -> Any:
    if isinstance(v, Decimal):
        return _MARK + format(v, "f")
    if isinstance(v, dict):
        return {k: _prep(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_prep(x) for x in v]
    return v


def dumps(payload: Any) -> bytes:
    """JSON with Decimal values written as exact numbers (as Salesforce writes currency)."""
    text = json.dumps(_prep(payload), ensure_ascii=False, separators=(",", ":"))
    return _MARK_RE.sub(r"\1", text).encode("utf-8")


def error(code: str, message: str, fields: list[str] | None = None) -> list[dict[str, Any]]:
    """Salesforce's REST error body: a JSON list of {message, errorCode, fields}."""
    return [{"message": message, "errorCode": code, "fields": fields or []}]


def record_error(code: str, message: str, fields: list[str] | None = None) -> dict[str, Any]:
    """Per-record error inside sObject Collections results (``statusCode``, not ``errorCode``)."""
    return {"statusCode": code, "message": message, "fields": fields or []}


def http_date(ts: float) -> str:
    return formatdate(ts, usegmt=True)


def soap_login_response(session_id: str, instance_url: str, api_version: str, org_id: str, user_id: str,
                        username: str) -> bytes:
    server = f"{instance_url}/services/Soap/u/{api_version}/{org_id}"
    meta = f"{instance_url}/services/Soap/m/{api_version}/{org_id}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><loginResponse><result>\
<metadataServerUrl>{escape(meta)}</metadataServerUrl><passwordExpired>false</passwordExpired><sandbox>true</sandbox>\
<serverUrl>{escape(server)}</serverUrl><sessionId>{escape(session_id)}</sessionId><userId>{user_id}</userId>\
<userInfo><organizationId>{org_id}</organizationId><userName>{escape(username)}</userName></userInfo>\
</result></loginResponse></soapenv:Body></soapenv:Envelope>""".encode()


def soap_user_info_response(org_id: str, user_id: str, username: str, currency: str | None) -> bytes:
    """getUserInfoResponse (SOAP API Developer Guide, GetUserInfoResult): orgDefaultCurrencyIsoCode only in a
    single-currency org (``currency``), userDefaultCurrencyIsoCode only in a multicurrency one."""
    money = (f"<orgDefaultCurrencyIsoCode>{escape(currency)}</orgDefaultCurrencyIsoCode>"
             "<organizationMultiCurrency>false</organizationMultiCurrency>" if currency else
             '<orgDefaultCurrencyIsoCode xsi:nil="true"/><organizationMultiCurrency>true</organizationMultiCurrency>'
             "<userDefaultCurrencyIsoCode>USD</userDefaultCurrencyIsoCode>")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="urn:partner.soap.sforce.com" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><getUserInfoResponse><result>\
<accessibilityMode>false</accessibilityMode>{money}<organizationId>{org_id}</organizationId>\
<organizationName>Recon Workbench Sandbox</organizationName><userId>{user_id}</userId>\
<userName>{escape(username)}</userName></result></getUserInfoResponse></soapenv:Body></soapenv:Envelope>""".encode()


def soap_fault(code: str, message: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" \
xmlns:sf="urn:fault.partner.soap.sforce.com" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>sf:{code}</faultcode>\
<faultstring>{code}: {escape(message)}</faultstring><detail><sf:LoginFault xsi:type="sf:LoginFault">\
<sf:exceptionCode>{code}</sf:exceptionCode><sf:exceptionMessage>{escape(message)}</sf:exceptionMessage>\
</sf:LoginFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>""".encode()
