"""Vectorised id makers for the scenario generator: Salesforce ids, GUIDs, money text."""

from __future__ import annotations

import numpy as np
import pandas as pd

_B62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8)
_CHK = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", dtype=np.uint8)


def salesforce_ids(prefix: str, start: int, n: int, pod: str = "5g") -> np.ndarray:
    """n 18-character Salesforce ids with the given key prefix and valid checksums.

    Layout as real orgs show it: 3-char key prefix, 2-char pod, "0000", 6 base-62
    sequence characters (mixed case, so the 15-char form is case-sensitive).
    """
    seq = np.arange(start, start + n, dtype=np.int64)
    powers = 62 ** np.arange(5, -1, -1, dtype=np.int64)
    digits = (seq[:, None] // powers) % 62
    head = np.frombuffer((prefix + pod + "0000").encode(), dtype=np.uint8)
    body = np.empty((n, 18), dtype=np.uint8)
    body[:, :9] = head
    body[:, 9:15] = _B62[digits]
    upper = (body[:, :15] >= 65) & (body[:, :15] <= 90)
    weights = 1 << np.arange(5)
    for chunk in range(3):
        bits = (upper[:, chunk * 5:chunk * 5 + 5] * weights).sum(axis=1)
        body[:, 15 + chunk] = _CHK[bits]
    return body.view("S18").ravel().astype(str)


def guids(rng: np.random.Generator, n: int) -> np.ndarray:
    """n lower-case GUIDs as Business Central shows them (8-4-4-4-12)."""
    raw = rng.bytes(16 * n).hex()
    out = np.empty(n, dtype=object)
    for i in range(n):
        h = raw[32 * i:32 * i + 32]
        out[i] = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    return out.astype(str)


def money_text(minor: np.ndarray, decimals: np.ndarray) -> np.ndarray:
    """Amounts held as integer minor units -> plain decimal text ("1234.50", "98000")."""
    minor = np.asarray(minor, dtype=np.int64)
    decimals = np.asarray(decimals)
    s = pd.Series(minor)
    neg = s < 0
    a = s.abs()
    two = (a // 100).astype(str) + "." + (a % 100).astype(str).str.zfill(2)
    zero = a.astype(str)
    out = np.where(decimals == 0, zero.to_numpy(), two.to_numpy())
    out = np.where(neg.to_numpy(), np.char.add("-", out.astype(str)), out)
    return out.astype(str)


def date_text(days: np.ndarray) -> np.ndarray:
    """numpy datetime64[D] -> ISO date text."""
    return np.datetime_as_string(np.asarray(days, dtype="datetime64[D]"), unit="D")


def timestamp_text(days: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """A day plus seconds into it -> "2026-10-01T08:15:02.000Z" (Salesforce / BC style)."""
    ts = np.asarray(days, dtype="datetime64[D]").astype("datetime64[ms]") + \
        np.asarray(seconds, dtype=np.int64).astype("timedelta64[s]")
    return np.char.add(np.datetime_as_string(ts, unit="ms"), "Z")
