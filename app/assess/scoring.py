"""Scoring tables: data files (assets/scoring/*.json) mapping reps to points.

Format: {"name", "source", "example": bool, "events": {event: {sex: {"lo-hi": [[reps, points], ...]}}}}
with anchor rows sorted by reps. Points interpolate linearly between anchors, fall to 0 at
0 reps below the first anchor, and hold the last anchor's points above it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.core.jsonfile import read_json
from app.core.types import EXERCISES
from app.paths import assets_dir

SCORING_DIR = assets_dir() / "scoring"
SEXES = ("male", "female")


class ScoringTableError(ValueError):
    """A scoring table that cannot be used; str() names the file, the place and the fix."""


@dataclass(frozen=True, slots=True)
class ScoringTable:
    name: str
    source: str
    example: bool
    events: dict  # event -> sex -> tuple of (lo, hi, rows float (N, 2))
    path: str
    pass_points: float = 60.0  # an event is passed at this many points (the APFT's 60 per event)
    pass_by_event: dict = field(default_factory=dict)  # event -> its own pass mark (USMC pull-ups: 40)

    def pass_for(self, event: str) -> float:
        """The points that pass `event` in this table."""
        return float(self.pass_by_event.get(event, self.pass_points))

    def pass_note(self) -> str:
        """The per-event pass marks in words ("" when every event passes at pass_points)."""
        return ", ".join(f"{e} {p:g}" for e, p in sorted(self.pass_by_event.items()))

    def points(self, event: str, sex: str, age: int, reps: int) -> float | None:
        """Points for `reps`, or None when the table has no row for this event/sex/age."""
        for lo, hi, rows in self.events.get(event, {}).get(sex, ()):
            if lo <= age <= hi:
                xs = np.concatenate([[0.0], rows[:, 0]])
                ys = np.concatenate([[0.0], rows[:, 1]])
                return float(round(np.interp(reps, xs, ys), 1))
        return None


def points_note(table: ScoringTable | None, event: str, sex: str | None, age: int | None) -> str | None:
    """Why there are no points, in the admin's words (None when the table gives points)."""
    if table is None:
        return "no scoring table chosen (Admin > Settings)"
    if not sex or age is None:
        return "the trainee's sex and birth year are not recorded (Admin > Trainees)"
    by_sex = table.events.get(event)
    if not by_sex:
        return f"the table {table.name!r} has no {event} rows"
    bands = by_sex.get(sex)
    if not bands:
        return f"the table {table.name!r} has no {event} rows for {sex}"
    if table.points(event, sex, age, 0) is None:
        ages = ", ".join(f"{lo}-{hi}" for lo, hi, _ in bands)
        return f"no row for age {age} in the table {table.name!r} ({event}, {sex}: ages {ages})"
    return None


def load_table(path: str | Path) -> ScoringTable:
    p = Path(path)
    doc = read_json(p, ScoringTableError, "no such scoring table", "fix the file or import another table")
    if not isinstance(doc, dict):
        raise ScoringTableError(f"{p}: top level must be an object with name, source and events")
    for key in ("name", "source", "events"):
        if key not in doc:
            raise ScoringTableError(f"{p}: missing {key!r}; a scoring table needs name, source and events")
    if not isinstance(doc["events"], dict) or not doc["events"]:
        raise ScoringTableError(f"{p}: events must be a non-empty object of event -> sex -> age band -> rows")
    events: dict = {}
    for event, by_sex in doc["events"].items():
        if event not in EXERCISES:
            raise ScoringTableError(f"{p}: unknown event {event!r}; use one of {', '.join(EXERCISES)}")
        if not isinstance(by_sex, dict):
            raise ScoringTableError(f"{p}: events.{event} must map sex to age bands")
        for sex, bands in by_sex.items():
            if sex not in SEXES:
                raise ScoringTableError(f"{p}: events.{event}: unknown sex {sex!r}; use male or female")
            if not isinstance(bands, dict):
                raise ScoringTableError(f"{p}: events.{event}.{sex} must map age bands like \"17-21\" to rows")
            for band, rows in bands.items():
                where = f"events.{event}.{sex}.{band}"
                try:
                    lo, hi = (int(x) for x in str(band).split("-"))
                except ValueError:
                    raise ScoringTableError(f"{p}: {where}: age band must look like \"17-21\"") from None
                if lo > hi:
                    raise ScoringTableError(f"{p}: {where}: age band runs backwards")
                try:
                    arr = np.asarray(rows, dtype=float)
                except (TypeError, ValueError):
                    raise ScoringTableError(f"{p}: {where}: rows must be [reps, points] number pairs") from None
                if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] == 0:
                    raise ScoringTableError(f"{p}: {where}: rows must be a non-empty list of [reps, points] pairs")
                if not np.all(np.isfinite(arr)) or (arr < 0).any():
                    raise ScoringTableError(f"{p}: {where}: reps and points must be non-negative numbers")
                if np.any(np.diff(arr[:, 0]) <= 0):
                    raise ScoringTableError(f"{p}: {where}: reps must increase from row to row")
                events.setdefault(event, {}).setdefault(sex, []).append((lo, hi, arr))
    pass_points = doc.get("pass_points", 60.0)
    if isinstance(pass_points, bool) or not isinstance(pass_points, int | float) or pass_points < 0:
        raise ScoringTableError(f"{p}: pass_points must be a non-negative number (points needed to pass an event), "
                                f"got {pass_points!r}")
    by_event = doc.get("pass_points_by_event", {})
    if not isinstance(by_event, dict) or any(
            isinstance(v, bool) or not isinstance(v, int | float) or v < 0 for v in by_event.values()):
        raise ScoringTableError(f"{p}: pass_points_by_event must map events to non-negative points, got {by_event!r}")
    unknown = sorted(set(by_event) - set(events))
    if unknown:
        raise ScoringTableError(f"{p}: pass_points_by_event names {', '.join(unknown)}, which the table has no rows for")
    return ScoringTable(str(doc["name"]), str(doc["source"]), bool(doc.get("example", False)),
                        {e: {s: tuple(b) for s, b in d.items()} for e, d in events.items()}, str(p),
                        float(pass_points), {str(k): float(v) for k, v in by_event.items()})


def default_table() -> ScoringTable:
    return load_table(SCORING_DIR / "us_army_apft_example.json")


def table_folders(imported: str | Path | None = None) -> list[Path]:
    """Where tables are found: the bundled ones, then the admin's imported ones."""
    return [SCORING_DIR] + ([Path(imported)] if imported else [])


def list_tables(imported: str | Path | None = None) -> tuple[list[ScoringTable], list[str]]:
    """-> (usable tables, one line per file that is not usable): the bundled and imported tables."""
    tables, problems = [], []
    for folder in table_folders(imported):
        for p in sorted(Path(folder).glob("*.json")) if Path(folder).is_dir() else []:
            try:
                tables.append(load_table(p))
            except ScoringTableError as e:
                problems.append(str(e))
    return tables, problems


def import_table(source: str | Path, folder: str | Path) -> ScoringTable:
    """Check `source` as a scoring table, then copy it into `folder` (the admin's tables);
    ScoringTableError says what is wrong with it, or that a file of that name is there already."""
    import shutil
    load_table(source)  # a malformed table is refused before anything is copied
    dest = Path(folder) / Path(source).name
    if dest.exists():
        raise ScoringTableError(f"{dest}: a table with this file name is already imported; rename the file first")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
    except OSError as e:
        raise ScoringTableError(f"{dest}: cannot copy the table there ({e.strerror})") from None
    return load_table(dest)


def table_rows(table: ScoringTable) -> list[tuple[str, str, str, float, float]]:
    """Every anchor row as (event, sex, age band, reps, points), for viewing."""
    return [(event, sex, f"{lo}-{hi}", float(r), float(pt))
            for event, by_sex in table.events.items() for sex, bands in by_sex.items()
            for lo, hi, rows in bands for r, pt in rows]


def scoring_for(trainee: dict | None, table_path: str | None, today=None) -> tuple[ScoringTable | None, str | None,
                                                                                    int | None, str | None]:
    """The scoring inputs for a trainee (a roster row: sex, birth_year) and the admin's active
    table (None = the bundled example) -> (table or None, sex, age, the table's problem or None)."""
    from datetime import date
    problem = None
    try:
        table = load_table(table_path) if table_path else default_table()
    except ScoringTableError as e:
        table, problem = None, str(e)
    year = (today or date.today()).year
    age = year - trainee["birth_year"] if trainee and trainee.get("birth_year") else None
    return table, (trainee or {}).get("sex"), age, problem


def find_table(name: str | None, imported: str | Path | None = None) -> ScoringTable | None:
    """The usable table called `name` among the bundled and imported ones (None: not at hand)."""
    return next((t for t in list_tables(imported)[0] if t.name == name), None) if name else None
