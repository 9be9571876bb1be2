"""Where the audit chain's head is held so that a store editor cannot rewrite it.

The hash chain alone proves only that the events fit together: anyone who can write to the
store can cut its tail, empty it, or append or re-chain events with the published rule. Two
records outside the chain's reach tell those apart from the genuine trail:

* the ``audit_anchor`` row: the event count and head hash as the workbench last left them,
  with an HMAC-SHA256 whose key lives outside the store (``WORKBENCH_AUDIT_KEY``, else the OS
  keyring, created there on first use for a store on this computer);
* a local anchor file in the user data directory, keyed by store, holding the highest
  (count, head hash) this computer has written or verified: the trail must still contain
  that event with that hash.

docs/guide/audit.md says what each detects and what it cannot.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from workbench.errors import ConfigError
from workbench.store.schema import AuditAnchor, AuditEvent

KEY_ENV = "WORKBENCH_AUDIT_KEY"
KEYRING_SERVICE = "recon-workbench"
ANCHOR_ID = 1

_keys: dict[str, bytes | None] = {}  # keyring look-ups are slow on some systems: once per store
_no_keyring: set[str] = set()


def store_id(url: URL | str) -> str | None:
    """A stable name for a store (no password): the absolute file path of a SQLite store,
    the URL without password otherwise; None for an in-memory database."""
    u = make_url(url) if isinstance(url, str) else url
    if u.get_backend_name() == "sqlite":
        if not u.database or u.database == ":memory:":
            return None
        return "sqlite:" + str(Path(u.database).resolve())
    return u.render_as_string(hide_password=True)


def keyring_name(sid: str) -> str:
    return f"audit-key:{sid}"


def audit_key(url: URL | str, *, create: bool = True) -> bytes | None:
    """The key the anchor is MAC'd with: the environment first, then the keyring. A store on this
    computer (SQLite) gets a fresh random key in the keyring on first use; a shared store never
    does (every writer must hold the same key: give it through the environment)."""
    env = os.environ.get(KEY_ENV)
    if env:
        return env.encode("utf-8")
    sid = store_id(url)
    if sid is None:
        return None
    create = create and sid.startswith("sqlite:")
    if sid in _keys and (_keys[sid] is not None or not create or sid in _no_keyring):
        return _keys[sid]
    key = _from_keyring(sid, create=create)
    if key is None and create:
        _no_keyring.add(sid)  # creating failed (no usable keyring): do not ask again at every commit
    _keys[sid] = key
    return key


def _from_keyring(sid: str, *, create: bool) -> bytes | None:
    try:
        import keyring
        found = keyring.get_password(KEYRING_SERVICE, keyring_name(sid))
        if not found and create:
            keyring.set_password(KEYRING_SERVICE, keyring_name(sid), secrets.token_hex(32))
            found = keyring.get_password(KEYRING_SERVICE, keyring_name(sid))  # a null backend keeps nothing
    except Exception:  # no usable keyring on this system: the anchor is kept unkeyed, and verify says so
        return None
    return found.encode("utf-8") if found else None


def mac(key: bytes, events: int, head_hash: str) -> str:
    return hmac.new(key, f"{events}:{head_hash}".encode("ascii"), hashlib.sha256).hexdigest()


def anchor_values(url: URL | str, events: int, head_hash: str) -> tuple[int, str, str | None]:
    key = audit_key(url)
    return events, head_hash, (mac(key, events, head_hash) if key else None)


# Chained first by a writer that finds the trail not ending where its anchor says: its own events then move the
# anchor to the new end, which would erase the evidence of the edit; this event keeps it in the chain.
MISMATCH = "trail.anchor_mismatch"


def mismatch(session: Session) -> dict[str, Any] | None:
    """What the anchor records and where the trail ends, where the two differ (events edited, deleted or
    re-chained outside the workbench since the last write); None where they agree or there is no anchor yet
    (a store from before anchors). Read under the chain lock."""
    # columns, not the ORM object: sessions keep objects across commits (expire_on_commit=False), and record()
    # moves the anchor with a plain UPDATE, so an object loaded at an earlier commit would be stale here
    row = session.execute(select(AuditAnchor.events, AuditAnchor.head_hash, AuditAnchor.mac)
                          .where(AuditAnchor.id == ANCHOR_ID)).first()
    if row is None:
        return None
    last = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    events, head_hash = (int(last.id), str(last.hash)) if last is not None else (0, None)
    found = {"anchor_events": row.events, "anchor_head_hash": row.head_hash, "trail_events": events,
             "trail_head_hash": head_hash}
    if (row.events, row.head_hash) != (events, head_hash):
        return found
    # The anchor where the trail ends proves nothing by itself: an editor who re-chained events moves it too.
    # Its MAC is what they cannot make; signing such an anchor again would erase the evidence.
    bind = session.get_bind()
    key = audit_key(bind.engine.url if isinstance(bind, Connection) else bind.url)
    if key is not None and (row.mac is None or not hmac.compare_digest(row.mac, mac(key, row.events, row.head_hash))):
        return {**found, "anchor_mac": "did not verify"}
    return None


def recorded_mismatches(session: Session) -> list[str]:
    """One line per ``MISMATCH`` event: the trail was changed outside the workbench before it."""
    out = []
    for ev_id, at, detail in session.execute(select(AuditEvent.id, AuditEvent.at, AuditEvent.detail)
                                             .where(AuditEvent.action == MISMATCH).order_by(AuditEvent.id)):
        d = detail or {}
        if d.get("anchor_mac"):
            out.append(f"event {ev_id} ({at:%Y-%m-%d %H:%M} UTC): the next write found the anchor's MAC did not "
                       f"verify with the audit key (anchor at event {d.get('anchor_events')}, hash "
                       f"{str(d.get('anchor_head_hash'))[:12]}…): the anchor, and the events before it, were "
                       "rewritten outside the workbench, or written by a computer without this store's audit key")
            continue
        out.append(f"event {ev_id} ({at:%Y-%m-%d %H:%M} UTC): the next write found the trail ending at event "
                   f"{d.get('trail_events')} where its anchor recorded event {d.get('anchor_events')} (hash "
                   f"{str(d.get('anchor_head_hash'))[:12]}…): the trail was changed outside the workbench before then")
    return out


def record(session: Session, events: int, head_hash: str) -> None:
    """Move the anchor to the new head (in the chaining transaction, under the chain lock)."""
    bind = session.get_bind()
    url = bind.engine.url if isinstance(bind, Connection) else bind.url
    n, h, m = anchor_values(url, events, head_hash)
    if m is None and session.execute(select(AuditAnchor.mac).where(AuditAnchor.id == ANCHOR_ID)).scalar():
        # Writing on would leave a signed trail unsigned: the next writer holding the key could not tell this
        # write from a store editor's, and would record it as one (mismatch).
        sid = store_id(url) or ""
        fix = (f"the key is in the OS keyring (service {KEYRING_SERVICE}, entry {keyring_name(sid)}), which this "
               f"process cannot reach: run it in your desktop session, or set {KEY_ENV} to that key"
               if sid.startswith("sqlite:") else
               f"set {KEY_ENV} to the key every member of the team uses (ask whoever set up the database)")
        raise ConfigError(f"nothing was saved: this store's audit trail is signed with an audit key this process "
                          f"does not have ({KEY_ENV} is not set, and the keyring holds none for this store); {fix}")
    done = session.execute(update(AuditAnchor).where(AuditAnchor.id == ANCHOR_ID)
                           .values(events=n, head_hash=h, mac=m).execution_options(synchronize_session=False))
    if getattr(done, "rowcount", 0) != 1:
        session.execute(insert(AuditAnchor).values(id=ANCHOR_ID, events=n, head_hash=h, mac=m))


# ---------------------------------------------------------------- the local anchor file


def _local_path(sid: str) -> Path:
    from platformdirs import user_data_dir
    name = hashlib.sha256(sid.encode("utf-8")).hexdigest()[:32]
    return Path(user_data_dir("recon-workbench", appauthor=False)) / "audit-anchors" / f"{name}.json"


def read_local(url: URL | str) -> tuple[int, str] | None:
    sid = store_id(url)
    if sid is None:
        return None
    try:
        data = json.loads(_local_path(sid).read_text(encoding="utf-8"))
        return int(data["events"]), str(data["head_hash"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_local(url: URL | str, events: int, head_hash: str) -> None:
    """Remember the head this computer saw; never moves back (a later, shorter record by a
    slower process would only weaken the check, never raise a false alarm)."""
    sid = store_id(url)
    if sid is None:
        return
    seen = read_local(url)
    if seen is not None and seen[0] >= events:
        return
    path = _local_path(sid)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"store": sid, "events": events, "head_hash": head_hash}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: the keyed anchor in the store still stands


# ---------------------------------------------------------------- checking


@dataclass
class AnchorCheck:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check(session: Session, url: URL | str, events: int, head_hash: str) -> AnchorCheck:
    """Compare the chain's head (``events``, ``head_hash``) with the keyed anchor and the local file."""
    out = AnchorCheck()
    row = session.get(AuditAnchor, ANCHOR_ID)
    key = audit_key(url, create=False)
    if row is None:
        if events:
            out.problems.append(f"the trail holds {events} event(s) but its anchor row is gone: "
                                "the anchor was deleted outside the workbench")
    else:
        if row.events > events:
            out.problems.append(f"the trail ends at event {events} but its anchor records {row.events} event(s): "
                                f"{row.events - events} event(s) were deleted")
        elif row.events < events:
            out.problems.append(f"the trail holds {events} event(s) but its anchor records {row.events}: "
                                "events were appended outside the workbench")
        elif row.head_hash != head_hash:
            out.problems.append(f"the trail's last event {events} does not have the hash its anchor records: "
                                "events were rewritten and re-chained")
        if key is None:
            out.notes.append(f"no audit key here ({KEY_ENV} or the keyring): the anchor's MAC was not checked")
        elif row.mac is None or not hmac.compare_digest(row.mac, mac(key, row.events, row.head_hash)):
            out.problems.append("the anchor's MAC does not match this store's audit key: the anchor was "
                                "rewritten outside the workbench (or written with another key)")
    seen = read_local(url)
    if seen is not None:
        n, h = seen
        if n > events and _now_holds(session, n) == h:
            pass  # written by this computer after the snapshot being checked began: nothing was deleted
        elif n > events:
            out.problems.append(f"this computer recorded event {n} of this store; the trail now ends at "
                                f"event {events}: events were deleted")
        else:
            got = session.execute(select(AuditEvent.hash).where(AuditEvent.id == n)).scalar()
            if got != h:
                out.problems.append(f"event {n} no longer has the hash this computer recorded for it: "
                                    "the trail was rewritten from there")
    return out


def _now_holds(session: Session, event_id: int) -> str | None:
    """The hash event ``event_id`` has now, read outside ``session``'s snapshot (the local file is not in it)."""
    bind = session.get_bind()
    with bind.engine.connect() as conn:
        return conn.execute(select(AuditEvent.hash).where(AuditEvent.id == event_id)).scalar()
