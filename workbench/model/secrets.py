"""What counts as a secret, and how a secret is masked in text: the one place that decides.

A secret is recognised by its *shape*, not by one spelling of one key name:

* a setting whose name means password, secret, token, bearer, credential, passphrase,
  session id or an API/private/access key, in any case or separator style
  (``clientSecret``, ``client_secret``, ``CLIENT-SECRET``, ``passwd``, ``auth_token``,
  ``apiKey``, ``api-key``, ``private_key``); names that say *where* a secret lives
  (``client_secret_env``, ``private_key_file``, ``token_url``, ``keyring_user``) are not secrets;
* a value that is a PEM block (``-----BEGIN … PRIVATE KEY-----``), a URL carrying a password
  (``scheme://user:password@host``), a secret-named query parameter (``?password=…``,
  ``access_token=…``) or an ``Authorization``-style ``Bearer …``/``Basic …`` credential.

Config loading refuses both (``refuse_in_config``); exports, logs and error messages pass
text through ``mask``. ``workbench.errors`` sits below this module, so it is handed
``mask`` at import (``set_mask``) rather than importing it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from workbench import errors
from workbench.errors import ConfigError

MASK = "***"

# Words that on their own name a secret.
SECRET_WORDS = frozenset({"password", "passwd", "pwd", "passphrase", "passcode", "secret", "secrets", "token",
                          "tokens", "bearer", "credential", "credentials", "apikey", "apikeys", "privatekey",
                          "sessionid", "cookie", "authorization"})
# "key" names a secret only with one of these before it (``api_key``, ``private_key``), so that
# mapping settings such as ``key``, ``primary_key`` or ``match_key`` stay ordinary.
KEY_QUALIFIERS = frozenset({"api", "private", "secret", "access", "signing", "sign", "encryption", "client",
                            "auth", "app", "master", "shared", "subscription", "account", "session", "license"})
# A last word that says where a secret lives, or what kind it is, not the secret itself.
REFERENCE_WORDS = frozenset({"env", "file", "path", "url", "uri", "endpoint", "user", "username", "name", "names",
                             "field", "fields", "column", "header", "type", "mode", "kind", "keyring", "label",
                             "expiry", "expires", "ttl", "format"})

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^A-Za-z0-9]+")

_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]{1,60})-----.*?(?:-----END \1-----|\Z)", re.DOTALL)
_URL_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^/@\s:?#]*):(?P<pw>[^/@\s?#]+)@")
# key=value, key: value, "key": "value", 'key'='value' (query strings, headers, JSON, reprs)
# Only names that may mean a secret are candidates (is_secret_key decides), so that an ordinary
# ``name:value`` never swallows the text after it.
# a key is no file's path or an endpoint's last part: "/etc/passwd: not a workbook" names a file, ".../token: 401" a URL
_PAIR = re.compile(r"(?i)(?<![\w./\\-])(?P<key>[\w.-]*?(?:pass|pwd|secret|token|bearer|credential|key|session|cookie|"
                   r"authorization)[\w.-]*)(?P<q1>[\"']?)(?P<sep>\s*[=:](?!//)\s*)"
                   r"(?:(?P<q2>[\"'])(?P<qval>[^\"'\n]*)(?P=q2)|(?P<val>[^&\s,;\"'}\]#]+))")
# "token" also starts plain words ("token endpoint unreachable"): after it, only a value with a digit or a
# symbol in it is taken for a credential, as every real token has
_SCHEME_AUTH = re.compile(r"(?i)\b(bearer|basic|oauth|token(?=\s+[A-Za-z]*[0-9._~+/=-]))\s+[A-Za-z0-9._~+/=-]{8,}")


def words(name: str) -> list[str]:
    """``clientSecret`` / ``client_secret`` / ``CLIENT-SECRET`` -> ["client", "secret"]."""
    return [w.lower() for w in _SPLIT.split(_CAMEL.sub("_", name)) if w]


def is_secret_key(name: str) -> bool:
    """Does a setting of this name hold a secret (whatever its case or separators)?"""
    ws = words(str(name))
    if not ws:
        return False
    if ws[-1] in REFERENCE_WORDS:
        return False
    if ws == ["pass"]:
        return True
    for i, w in enumerate(ws):
        if w in SECRET_WORDS:
            return True
        if w in ("key", "keys") and i > 0 and ws[i - 1] in KEY_QUALIFIERS:
            return True
        if w == "id" and i > 0 and ws[i - 1] == "session":
            return True
    # names written without separators: ``clientsecret``, ``authtoken``
    joined = "".join(ws)
    return any(s in joined for s in ("password", "passwd", "apikey", "privatekey", "secret", "token"))


def secret_in_text(text: str) -> str | None:
    """What kind of secret ``text`` carries by its shape (None when it carries none)."""
    if "-----BEGIN " in text and _PEM.search(text):
        return "a PEM block (key or certificate)"
    if "://" in text and _URL_USERINFO.search(text):
        return "a URL with a password in it (user:password@)"
    if _SCHEME_AUTH.search(text) and re.match(r"(?i)\s*(bearer|basic|oauth|token)\s", text):
        return "an Authorization credential (Bearer/Basic …)"
    for m in _PAIR.finditer(text):
        value = m["val"] if m["val"] is not None else m["qval"]
        if is_secret_key(m["key"]) and value and value != MASK:
            return f"a secret parameter ({m['key']}=…)"
    return None


def mask(text: str, known: Iterable[str] = ()) -> str:
    """``text`` with every secret by shape, and every ``known`` secret value, replaced by ``***``."""
    if not text:
        return text
    for s in sorted((k for k in known if k), key=len, reverse=True):
        if s in text:
            text = text.replace(s, MASK)
    if "-----BEGIN " in text:
        text = _PEM.sub(lambda m: f"-----BEGIN {m.group(1)}-----{MASK}-----END {m.group(1)}-----", text)
    if "://" in text:
        text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    text = _SCHEME_AUTH.sub(lambda m: f"{m.group(1)} {MASK}", text)
    if "=" in text or ":" in text:
        text = _PAIR.sub(_mask_pair, text)
    return text


def _mask_pair(m: re.Match[str]) -> str:
    if not is_secret_key(m["key"]):
        return m.group(0)
    q = m["q2"] or ""
    return f"{m['key']}{m['q1']}{m['sep']}{q}{MASK}{q}"


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def find_in_config(obj: Any, trail: str = "") -> tuple[str, str] | None:
    """The first secret in a parsed config: (key path, what it is), or None."""
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            path = f"{trail}.{k}" if trail else str(k)
            if is_secret_key(str(k)) and not _empty(v) and not isinstance(v, Mapping):
                return path, f"its name ({k!r}) says it holds a secret"
            found = find_in_config(v, path)
            if found is not None:
                return found
            if is_secret_key(str(k)) and isinstance(v, Mapping) and _leaves(v):
                return path, f"its name ({k!r}) says it holds a secret"
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            found = find_in_config(v, f"{trail}[{i}]")
            if found is not None:
                return found
    elif isinstance(obj, str):
        kind = secret_in_text(obj)
        if kind is not None:
            return trail, f"its value is {kind}"
    return None


def _leaves(obj: Any) -> bool:
    if isinstance(obj, Mapping):
        return any(_leaves(v) for k, v in obj.items() if not is_reference(str(k)))
    if isinstance(obj, list):
        return any(_leaves(v) for v in obj)
    return not _empty(obj)


def is_reference(name: str) -> bool:
    ws = words(name)
    return bool(ws) and ws[-1] in REFERENCE_WORDS


def refuse_in_config(raw: Mapping[str, Any], where: str) -> None:
    """Config files never hold secrets: the first one found is a ConfigError naming its key path."""
    found = find_in_config(raw)
    if found is None:
        return
    path, why = found
    leaf = re.split(r"[.\[]", path)[-1] or path
    raise ConfigError(
        f"{where}: '{path}' holds a secret ({why}); config files never hold secrets. Store it in the OS "
        f"keyring (workbench credentials set) or give the name of an environment variable as "
        f"'{leaf}_env' instead")


def mask_value(key: str, value: Any, known: Iterable[str] = ()) -> Any:
    """A setting as it may be shown: redacted whole when its name means a secret, else masked text."""
    if is_secret_key(key) and not _empty(value) and not isinstance(value, Mapping):
        return "(redacted)"
    return mask_obj(value, known)


def mask_obj(value: Any, known: Iterable[str] = ()) -> Any:
    """A JSON-like structure with secret-named settings redacted and every string masked."""
    known = tuple(known)
    if isinstance(value, Mapping):
        return {k: mask_value(str(k), v, known) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_obj(v, known) for v in value]
    if isinstance(value, str):
        return mask(value, known)
    return value


def _install() -> None:
    """Mask every log record of the workbench's loggers, whoever configures the handlers.

    A filter on the ``workbench`` logger would miss records of its children (filters do not
    apply to propagated records), so the mask sits in the record factory instead.
    """
    make = logging.getLogRecordFactory()
    if getattr(make, "_workbench_masks", False):
        return

    def record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        rec = make(*args, **kwargs)
        if rec.name == "workbench" or rec.name.startswith("workbench."):
            message = rec.getMessage()
            masked = mask(message)
            if masked != message:
                rec.msg, rec.args = masked, None
        return rec

    record._workbench_masks = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(record)
    errors.set_mask(mask)


_install()
