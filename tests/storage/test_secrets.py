"""Passwords and PINs: salted scrypt, never stored in clear, checked in constant time."""
import pytest

from app.storage.secrets import SecretError, check_secret, hash_secret, verify_secret


def test_a_secret_is_stored_salted_and_verifies_only_itself():
    a, b = hash_secret("correct horse"), hash_secret("correct horse")
    assert a != b and "correct horse" not in a and a.startswith("scrypt$16384$8$1$")  # fresh salt each time
    assert verify_secret("correct horse", a) and verify_secret("correct horse", b)
    assert not verify_secret("correct hors", a) and not verify_secret("", a)
    cheap = hash_secret("1234", n=2 ** 10)  # the cost is in the record: old hashes still verify
    assert verify_secret("1234", cheap) and not verify_secret("1235", cheap)


@pytest.mark.parametrize("stored", ["", "plain", "md5$1$2$3$00$00", "scrypt$x$8$1$00$00", "scrypt$16384$8$1$zz$00"])
def test_a_malformed_record_never_verifies(stored):
    assert not verify_secret("anything", stored)


def test_weak_secrets_are_refused_with_what_would_do():
    assert check_secret("12345", pin=True) == "12345"
    for bad, pin, msg in (("12a4", True, "4 to 12 digits"), ("123", True, "4 to 12 digits"),
                          ("short", False, "at least 8")):
        with pytest.raises(SecretError, match=msg):
            check_secret(bad, pin)
