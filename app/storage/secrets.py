"""Passwords and PINs as salted scrypt hashes (hashlib), never in clear (issue 6's sign-in).

Stored form: "scrypt$n$r$p$salt_hex$hash_hex", so the cost can be raised later and old
hashes still verify. Verification compares in constant time (hmac.compare_digest).
"""
from __future__ import annotations

import hashlib
import hmac
import os

# n = 2**14, r = 8: ~16 MB and 46 ms per check on this CPU (measured) — slow for a guesser, quick for a person
N, R, P, SALT_BYTES, KEY_BYTES = 2 ** 14, 8, 1, 16, 32


class SecretError(ValueError):
    """A password or PIN that cannot be used; str() says what a usable one looks like."""


STAFF_MIN = 10  # staff hashes guard every result: long enough that an offline guess takes years, not seconds


def check_secret(secret: str, pin: bool = False, staff: bool = False) -> str:
    """A PIN is 4-12 digits, not all one digit; a password at least 8 characters (STAFF_MIN for
    staff), not digits only. -> the secret; SecretError says why not."""
    if pin:
        if not (secret.isdigit() and 4 <= len(secret) <= 12):
            raise SecretError("a PIN is 4 to 12 digits")
        if len(set(secret)) == 1:
            raise SecretError(f"a PIN of one digit repeated ({secret[0]} x{len(secret)}) is the first guess; choose another")
        return secret
    least = STAFF_MIN if staff else 8
    if len(secret) < least:
        raise SecretError(f"a {'staff ' if staff else ''}password needs at least {least} characters")
    if secret.isdigit():
        raise SecretError("a password of digits only is a PIN; add letters")
    return secret


def hash_secret(secret: str, n: int = N, r: int = R, p: int = P) -> str:
    """-> the stored form of `secret` with a fresh random salt."""
    salt = os.urandom(SALT_BYTES)
    key = hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=KEY_BYTES, maxmem=64 * 1024 * 1024)
    return f"scrypt${n}${r}${p}${salt.hex()}${key.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    """True when `secret` matches the stored form; False for a wrong secret or a malformed record."""
    try:
        kind, n, r, p, salt, key = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(secret.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(bytes.fromhex(key)), maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, bytes.fromhex(key))
