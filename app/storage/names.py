"""Names people read on reports and pick from lists: one spelling each, nothing hidden in them.

A trainee name identifies the results on every report, so two names that look the same on
screen must not be two trainees, and a name must not carry a line break (it would forge a row
in a listing) or an invisible character. Names are stored in NFC (so "José" typed on any
system is one string) and compared by `look_alike` (case-folded, compatibility forms, inner
spaces collapsed).
"""
from __future__ import annotations

import unicodedata

_HIDDEN = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}  # control, format (zero-width), private, unassigned


class NameError_(ValueError):
    """A name that cannot be stored; str() says what is wrong with it."""


def clean_name(text: str | None, what: str = "name") -> str:
    """-> the name as stored (NFC, trimmed, inner spaces single); NameError_ when it is empty or
    holds control or invisible characters."""
    name = unicodedata.normalize("NFC", (text or "").strip())
    bad = sorted({f"U+{ord(c):04X}" for c in name if unicodedata.category(c) in _HIDDEN})
    if bad:
        raise NameError_(f"a {what} cannot hold control or invisible characters ({', '.join(bad)}); type it again")
    name = " ".join(name.split())
    if not name:
        raise NameError_(f"a {what} cannot be empty")
    if len(name) > 80:
        raise NameError_(f"a {what} is at most 80 characters ({len(name)} given)")
    return name


def look_alike(name: str) -> str:
    """Two names with the same key look the same on screen."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
