"""Signing in to Salesforce and the HTTP session every call goes through.

The connector performs the OAuth / SOAP login itself against the configured login
URL (simple-salesforce builds ``https://{domain}.salesforce.com`` and cannot reach a
My Domain with a port, a proxy-rewritten host or the local sandbox), then hands the
session id and instance URL to simple-salesforce for the API calls.
"""

from __future__ import annotations

import base64
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, UTC
from pathlib import Path
from typing import Any
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

import jwt
import requests
from requests.adapters import HTTPAdapter
from simple_salesforce.exceptions import SalesforceAuthenticationFailed
from simple_salesforce.login import soap_login, token_login

from workbench.errors import ConfigError, SourceError
from workbench.sources.credentials import get_secret

AUTH_MODES = ("jwt", "client_credentials", "session", "password")
AUTH_WORDS = {"jwt": "OAuth 2.0 JWT bearer", "client_credentials": "OAuth 2.0 client credentials",
              "session": "session id", "password": "username/password + security token (SOAP login)"}
PASSWORD_RETIREMENT = ("username/password login is being retired by Salesforce (SOAP login() off for new orgs "
                       "from Winter '26, removed in Summer '27): switch to JWT bearer or client credentials")


class _Adapter(HTTPAdapter):
    """Puts a timeout on every call and pins the CA bundle.

    requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override ``Session.verify``; the
    adapter is the last word, so the configured bundle is the one used.
    """

    def __init__(self, timeout: float, verify: str | bool | None):
        super().__init__(pool_maxsize=4)
        self.timeout, self.verify = timeout, verify

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: float | tuple[float, float] | tuple[float, None] | None = None, verify: bool | str = True,
             cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
             proxies: Mapping[str, str] | None = None) -> requests.Response:
        if timeout is None:
            timeout = self.timeout
        if self.verify is not None:
            verify = self.verify
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)


@dataclass
class ApiMeter:
    """Counts the API calls this connector made and keeps the org's last reported usage."""

    calls: int = 0
    by_resource: dict[str, int] = field(default_factory=dict)
    used: int | None = None
    max: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def hook(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        path = urlsplit(response.url).path
        m = re.match(r"/services/data/v[\d.]+/(\w+)", path)
        if not m:
            return
        with self._lock:
            self.calls += 1
            self.by_resource[m.group(1)] = self.by_resource.get(m.group(1), 0) + 1
            info = response.headers.get("Sforce-Limit-Info", "")
            u = re.search(r"(?:^|[^-])api-usage=(\d+)/(\d+)", info)
            if u:
                self.used, self.max = int(u.group(1)), int(u.group(2))

    @property
    def remaining(self) -> int | None:
        return None if self.used is None or self.max is None else max(0, self.max - self.used)

    def as_dict(self) -> dict[str, Any]:
        return {"calls": self.calls, "by_resource": dict(self.by_resource), "used": self.used, "max": self.max,
                "remaining": self.remaining}

    def words(self) -> str:
        if self.used is None:
            return f"{self.calls} API calls made; the org did not report its daily usage"
        return (f"{self.calls} API calls made; org daily usage {self.used:,} of {self.max:,} "
                f"({self.remaining:,} left)")


def build_session(sf_cfg: dict[str, Any], resolve: Callable[[str], Path], meter: ApiMeter) -> requests.Session:
    s = requests.Session()
    ca = sf_cfg.get("ca_bundle")
    verify: str | bool | None = None
    if ca:
        path = resolve(ca)
        if not Path(path).exists():
            raise ConfigError(f"[crm.salesforce] ca_bundle = {ca!r}: file not found ({path})")
        verify = str(path)
        s.verify = verify
    timeout = float(sf_cfg.get("timeout_seconds", 60))
    adapter = _Adapter(timeout, verify)
    s.mount("https://", adapter)
    s.mount("http://", adapter)
    s.hooks["response"].append(meter.hook)
    return s


@dataclass
class Login:
    session_id: str
    instance_url: str
    mode: str
    user: str | None


def login_url(sf_cfg: dict[str, Any]) -> str:
    url = sf_cfg.get("login_url")
    if url:
        return str(url).rstrip("/")
    domain = sf_cfg.get("domain") or "login"
    return f"https://{domain}.salesforce.com"


def _audience(sf_cfg: dict[str, Any], url: str) -> str:
    if sf_cfg.get("jwt_audience"):
        return str(sf_cfg["jwt_audience"])
    host = urlsplit(url).hostname or ""
    if host.endswith("salesforce.com"):
        # Salesforce wants the generic login host as audience, even for My Domain logins
        return "https://test.salesforce.com" if host.startswith("test.") or ".sandbox." in host \
            else "https://login.salesforce.com"
    return url


def _need(sf_cfg: dict[str, Any], key: str, mode: str) -> str:
    v = sf_cfg.get(key)
    if not v:
        raise ConfigError(f"[crm.salesforce] auth = {mode!r} needs '{key}'")
    return str(v)


def login(sf_cfg: dict[str, Any], secrets_cfg: dict[str, Any], session: requests.Session,
          resolve: Callable[[str], Path], api_version: str) -> Login:
    """Sign in with the configured mode; raises SourceError carrying Salesforce's words."""
    mode = sf_cfg.get("auth", "jwt")
    if mode not in AUTH_MODES:
        raise ConfigError(f"[crm.salesforce] auth = {mode!r}, expected one of {', '.join(AUTH_MODES)}")
    url = login_url(sf_cfg)
    try:
        if mode == "session":
            sid = get_secret(secrets_cfg, "session_id")
            return Login(sid, _need(sf_cfg, "instance_url", mode).rstrip("/"), mode, sf_cfg.get("username"))
        if mode == "jwt":
            user = _need(sf_cfg, "username", mode)
            key_file = sf_cfg.get("private_key_file")
            if key_file:
                path = resolve(key_file)
                if not Path(path).exists():
                    raise ConfigError(f"[crm.salesforce] private_key_file = {key_file!r}: file not found")
                key: bytes | str = Path(path).read_bytes()
            else:
                key = get_secret(secrets_cfg, "private_key")  # PEM kept in the keyring
            claims: dict[str, Any] = {"iss": _need(sf_cfg, "consumer_key", mode), "sub": user,
                                      "aud": _audience(sf_cfg, url),
                                      "exp": int((datetime.now(UTC) + timedelta(minutes=3)).timestamp())}
            try:
                assertion = jwt.encode(claims, key, algorithm="RS256")
            except (ValueError, TypeError, jwt.PyJWTError) as exc:
                raise ConfigError(f"[crm.salesforce] the JWT private key cannot sign: {type(exc).__name__}") from None
            sid, inst = token_login(f"{url}/services/oauth2/token",
                                    {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
                                     "assertion": assertion}, url, claims["iss"], None, None, session)
            return Login(sid, "https://" + inst, mode, user)
        if mode == "client_credentials":
            if urlsplit(url).hostname in ("login.salesforce.com", "test.salesforce.com"):
                # the flow is served by the org's My Domain only (Salesforce Help, "OAuth 2.0 Client Credentials
                # Flow for Server-to-Server Integration"); simple-salesforce likewise takes it only for a domain
                # other than login or test (login.py SalesforceLogin)
                raise ConfigError("[crm.salesforce] auth = 'client_credentials' needs the org's My Domain as "
                                  "login_url (https://<name>.my.salesforce.com): Salesforce serves that flow on no "
                                  f"generic login host such as {url}")
            key = _need(sf_cfg, "consumer_key", mode)
            secret = get_secret(secrets_cfg, "client_secret")
            basic = base64.b64encode(f"{key}:{secret}".encode()).decode()
            sid, inst = token_login(f"{url}/services/oauth2/token", {"grant_type": "client_credentials"},
                                    url, key, {"Authorization": f"Basic {basic}"}, None, session)
            return Login(sid, "https://" + inst, mode, sf_cfg.get("username"))
        user = _need(sf_cfg, "username", mode)
        password = get_secret(secrets_cfg, "password")
        token = get_secret(secrets_cfg, "security_token", required=False) or ""
        body = _SOAP_LOGIN.format(user=escape(user), password=escape(password + token))
        sid, inst = soap_login(f"{url}/services/Soap/u/{api_version}", body,
                               {"content-type": "text/xml", "charset": "UTF-8", "SOAPAction": "login"}, None, session)
        return Login(sid, "https://" + inst, mode, user)
    except SalesforceAuthenticationFailed as exc:
        raise SourceError(f"Salesforce refused the {AUTH_WORDS[mode]} login at {url}: "
                          f"{exc.code}: {' '.join(str(exc.message).split())}") from None
    except requests.exceptions.SSLError:
        raise SourceError(f"cannot verify the TLS certificate of {url}; set [crm.salesforce] ca_bundle to the "
                          f"CA that signed it") from None
    except requests.exceptions.RequestException as exc:
        raise SourceError(f"cannot reach Salesforce at {url}: {type(exc).__name__}", transient=True) from None


_SOAP_LOGIN = """<?xml version="1.0" encoding="utf-8" ?>
<env:Envelope xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="urn:partner.soap.sforce.com">
  <env:Header><urn:CallOptions><urn:client>recon-workbench</urn:client></urn:CallOptions></env:Header>
  <env:Body><n1:login xmlns:n1="urn:partner.soap.sforce.com">
    <n1:username>{user}</n1:username><n1:password>{password}</n1:password>
  </n1:login></env:Body>
</env:Envelope>"""
