"""Roles and the acting user: who may do what, checked in storage so that a command line or a
script gets the same refusals as the window. Nothing here touches the database (accounts and
the audit log both build on it)."""
from __future__ import annotations

from dataclasses import dataclass

from app.storage.errors import AccessError

ADMIN, INSTRUCTOR, TRAINEE = "admin", "instructor", "trainee"
ROLES = (ADMIN, INSTRUCTOR, TRAINEE)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: user_id (users.id), username, role (admin | instructor | trainee),
    trainee_id (the trainee a trainee account belongs to; None for staff)."""

    user_id: int
    username: str
    role: str
    trainee_id: int | None = None

    def __str__(self) -> str:
        return f"{self.username} ({self.role})"


def require(actor: Actor | None, *roles: str, to: str = "do this") -> Actor:
    """-> actor when its role is one of `roles`; AccessError naming who may otherwise."""
    if actor is None:
        raise AccessError(f"sign in to {to}")
    if actor.role not in roles:
        who = " or ".join(f"an {r}" if r[0] in "aeiou" else f"a {r}" for r in roles)
        raise AccessError(f"{actor} may not {to}; ask {who}")
    return actor


def can_see_trainee(actor: Actor, trainee_id: int) -> bool:
    return actor.role in (ADMIN, INSTRUCTOR) or actor.trainee_id == trainee_id
