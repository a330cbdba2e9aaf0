"""What `verify` finds: one line per problem, naming the record it concerns."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of verify: session (id or None), seq (chain entry or None), what (one line)."""

    session: int | None
    seq: int | None
    what: str
    where: str | None = None   # what else it is about: "trainee 3", "user 2", "audit row 17", "database"
    trainee: int | None = None  # the trainee whose record it concerns (their results are in doubt)

    def __str__(self) -> str:
        where = (f"session {self.session}" if self.session is not None else self.where if self.where else
                 f"chain entry {self.seq}" if self.seq is not None else "chain")
        return f"{where}: {self.what}"


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """entries: chain entries read; sessions: session rows; problems: every finding, in order."""

    entries: int
    sessions: int
    problems: tuple[Problem, ...]
    audit_rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def failing_sessions(self) -> set[int]:
        return {p.session for p in self.problems if p.session is not None}
