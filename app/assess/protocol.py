"""Protocols: which named checks a test applies to each event, and its own thresholds, as data
files (assets/protocols/*.json, or an admin's own), validated on load.

Format: {"name", "example": bool, "source", "events": {event: {"checks": [reason, ...],
"thresholds": {name: number}}}}. A check not listed is not judged (its rep is not refused for
it); thresholds override the defaults (app.assess.thresholds) for that protocol. Stored by name
with each session (Judgement.protocol).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from app.assess.rules import all_reasons
from app.assess.thresholds import DEFAULTS, Thresholds
from app.core.jsonfile import read_json
from app.core.types import EXERCISES
from app.paths import assets_dir

PROTOCOL_DIR = assets_dir() / "protocols"
DEFAULT_PROTOCOL = "us_army_apft_example"


class ProtocolError(ValueError):
    """A protocol that cannot be used; str() names the file, the value and the fix."""


@dataclass(frozen=True, slots=True)
class Protocol:
    """name (shown and stored), example / source (where its rules come from), checks {event:
    (reason, ...)}, overrides {name: value} of the thresholds, path (the file it came from)."""

    name: str
    example: bool
    source: str
    checks: dict = field(compare=False, hash=False)
    overrides: dict = field(default_factory=dict, compare=False, hash=False)
    path: str = ""

    def thresholds(self, base: Thresholds = DEFAULTS) -> Thresholds:
        """`base` (the admin's numbers) with this protocol's own on top."""
        return base.replace(**self.overrides) if self.overrides else base

    def applies(self, exercise: str) -> tuple[str, ...]:
        return self.checks.get(exercise, ())


def load_protocol(path: str | Path) -> Protocol:
    p = Path(path)
    data = read_json(p, ProtocolError, f"no such protocol file; choose one of {', '.join(names())}",
                     "fix the protocol file")
    if not isinstance(data, dict) or not isinstance(data.get("events"), dict):
        raise ProtocolError(f"{p}: a protocol is a JSON object with \"name\" and \"events\"; see {PROTOCOL_DIR}")
    name = str(data.get("name") or p.stem)
    known = set(all_reasons())
    checks, overrides = {}, {}
    for ex, spec in data["events"].items():
        if ex not in EXERCISES:
            raise ProtocolError(f"{p}: event {ex!r} is not one of {', '.join(EXERCISES)}")
        listed = spec.get("checks") if isinstance(spec, dict) else None
        if not isinstance(listed, list):
            raise ProtocolError(f"{p}: events.{ex}.checks must be a list of check names")
        for reason in listed:
            if reason not in all_reasons(ex):
                near = difflib.get_close_matches(str(reason), known, n=1)
                hint = f"; did you mean {near[0]!r}?" if near else ""
                raise ProtocolError(f"{p}: events.{ex}: no {ex} check named {reason!r}{hint} "
                                    f"({', '.join(all_reasons(ex))})")
        checks[ex] = tuple(listed)
        for k, v in (spec.get("thresholds") or {}).items():
            overrides[k] = v
    try:
        DEFAULTS.replace(**overrides)
    except (ValueError, TypeError) as e:
        raise ProtocolError(f"{p}: {e}") from None
    return Protocol(name, bool(data.get("example", False)), str(data.get("source", "")), checks,
                    {k: float(v) for k, v in overrides.items()}, str(p))


def names() -> list[str]:
    """The bundled protocols' file stems."""
    return sorted(x.stem for x in PROTOCOL_DIR.glob("*.json"))


def find_protocol(name_or_path: str | None) -> Protocol:
    """A bundled protocol by file stem or shown name, or a file; None = the default."""
    key = name_or_path or DEFAULT_PROTOCOL
    p = Path(key)
    if p.suffix == ".json" and p.exists():
        return load_protocol(p)
    if (PROTOCOL_DIR / f"{key}.json").exists():
        return load_protocol(PROTOCOL_DIR / f"{key}.json")
    for stem in names():
        proto = load_protocol(PROTOCOL_DIR / f"{stem}.json")
        if proto.name.lower() == key.lower():
            return proto
    raise ProtocolError(f"no protocol {key!r}; choose one of {', '.join(names())} or give a protocol .json file")
