"""The two values derived from what is never kept (sources.md §4): ``person_key`` from the
national insurance number and ``age_band`` from the date of birth.

person_key = the first 32 hex digits of HMAC-SHA256(secret, NI number in upper case without
spaces).  It is computed in SQL, as the standard HMAC construction over DuckDB's ``sha256``
(inner hash over the key XOR ipad and the message, outer over the key XOR opad and the inner
digest): the pads are derived from the secret here, once, and bound as parameters, so the NI
numbers of a file are hashed in one vectorised statement and never leave it.
:func:`person_key` is the same function in Python, for tests and for anyone checking a key.
(No key is remembered between files: a cache would keep NI numbers beyond the statement, and
it saved about 3 s of a 109 s benchmark run.)
"""

from __future__ import annotations

import hashlib
import hmac

from core.contract import AGE_BANDS

NI_PATTERN = r"[A-Z]{2}[0-9]{6}[A-D]"  # after upper-casing and removing spaces
KEY_HEX_DIGITS = 32
SECRET_SETTING = "WORKFORCE_PERSON_KEY_SECRET"
_BLOCK = 64  # SHA-256's block size in bytes


def normalise_ni(text: str) -> str:
    return text.upper().replace(" ", "")


def person_key(ni_number: str, secret: str) -> str:
    """The person_key of an NI number (normalised here), as the ingest computes it."""
    digest = hmac.new(secret.encode("utf-8"), normalise_ni(ni_number).encode(), hashlib.sha256)
    return digest.hexdigest()[:KEY_HEX_DIGITS]


def hmac_pads(secret: str) -> tuple[bytes, bytes]:
    """(key XOR ipad, key XOR opad) of RFC 2104 for the secret's UTF-8 bytes."""
    key = secret.encode("utf-8")
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def normalised_sql(column: str) -> str:
    """SQL: the NI number column upper-cased, without spaces."""
    return f"replace(upper({column}), ' ', '')"


def valid_sql(normalised: str) -> str:
    """SQL: whether a normalised NI number is two letters, six digits and one of A-D."""
    return f"regexp_full_match({normalised}, '{NI_PATTERN}')"


def hmac_sql(normalised: str, ipad: str, opad: str) -> str:
    """SQL: the person_key of a normalised NI number (``ipad``/``opad``: placeholders bound to
    :func:`hmac_pads`)."""
    inner = f"from_hex(sha256({ipad} || encode({normalised})))"
    return f"left(sha256({opad} || {inner}), {KEY_HEX_DIGITS})"


def person_key_sql(column: str, ipad: str, opad: str) -> str:
    """SQL: the person_key of the NI number ``column``, null when it is not a valid number."""
    ni = normalised_sql(column)
    return f"CASE WHEN {valid_sql(ni)} THEN {hmac_sql(ni, ipad, opad)} END"


def age_sql(birth: str, on: str) -> str:
    """SQL: whole years from the date ``birth`` to the date ``on``."""
    return (
        f"(year({on}) - year({birth}) - CASE WHEN month({on}) * 100 + day({on})"
        f" < month({birth}) * 100 + day({birth}) THEN 1 ELSE 0 END)"
    )


def age_band_sql(age: str) -> str:
    """SQL: the contract's age band of an age in years; null under 16."""
    lows = [int(band.split("-")[0].rstrip("+")) for band in AGE_BANDS]
    cases = " ".join(
        f"WHEN {age} >= {low} THEN '{band}'"
        for low, band in sorted(zip(lows, AGE_BANDS, strict=True))[::-1]
    )
    return f"CASE {cases} END"
