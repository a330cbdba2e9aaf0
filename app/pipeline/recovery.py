"""Tests a crash or a kill cut short: found at the next start, judged and saved, or dismissed.

A live test is journaled while it runs (app.capture.recorder: pose track, events, video).
A recording folder that no saved session points at is a test whose result was never saved:
cut short (the app died) or finished but not saved (the app died before Save). Such a folder
is offered at the next start; recovering it judges the journaled track exactly as a live test
is judged at Save (rules, classifier, the admin's thresholds and scoring table) and saves and
seals it for the trainee in its meta.json, with the source saying it was recovered.
Dismissing writes a marker file and keeps the data (nothing is deleted).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from app.assess.thresholds import DEFAULTS, Thresholds
from app.capture.recorder import RecordingError, read_recording
from app.core.judgement import Guess
from app.core.types import EXERCISES
from app.pipeline.judge import JudgeError, JudgeRequest, judge
from app.pipeline.models import ModelBox

DISMISSED = "dismissed.json"


class RecoveryError(RuntimeError):
    """A recording that cannot be recovered; str() names the folder and what to do."""


def seal_recording(folder_name: str, meta: bytes) -> str | None:
    """The MAC a recording's meta.json gets under the installation key (None: no key yet)."""
    from app.storage.keyfile import key_mac
    return key_mac(f"recording|{folder_name}", meta)


def _authentic(folder: Path) -> bool:
    """Recorded by this installation: its meta.seal is the MAC of its meta.json and folder name."""
    import hmac
    try:
        mac = (folder / "meta.seal").read_text(encoding="ascii").strip()
        want = seal_recording(folder.name, (folder / "meta.json").read_bytes())
    except (OSError, ValueError):
        return False
    return want is not None and hmac.compare_digest(mac, want)


NOT_OURS = ("was not recorded by this installation (its seal is missing or does not match); nothing is "
            "recovered from it — if it is genuine, judge its video with `drillscore analyze`")


@dataclass(frozen=True, slots=True)
class Unsaved:
    """A recording without a saved session: folder, trainee ({"id", "name"} or None),
    exercise, started (ISO time from meta.json), frames journaled, seconds, complete
    (finished cleanly but never saved) or cut short; problem: why it cannot be recovered
    (damaged, not this installation's), None when it can."""

    folder: Path
    trainee: dict | None
    exercise: str
    started: str
    frames: int
    seconds: float
    complete: bool
    problem: str | None = None

    def describe(self) -> str:
        if self.problem:
            return f"{self.folder.name}: cannot be recovered: {self.problem}"
        who = self.trainee["name"] if self.trainee else "no trainee chosen"
        how = "finished but not saved" if self.complete else "cut short"
        return f"{who}, {self.exercise}, started {self.started[:16].replace('T', ' ')}: {self.seconds:.0f} s " \
               f"({self.frames} frames), {how}"


def find_unsaved(root: str | Path, saved: set[Path]) -> list[Unsaved]:
    """Recording folders under `root` that no saved session points at (`saved`: the folders
    the database knows), not dismissed, with at least one frame; oldest first. Each folder is
    judged on its own: a damaged or planted one is listed with its problem (so it is seen and
    can be dismissed) and never stops the others."""
    root = Path(root)
    if not root.is_dir():
        return []
    known = {Path(p).resolve() for p in saved}
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if folder.resolve() in known or (folder / DISMISSED).exists():
            continue
        if not (folder / "meta.json").exists() and not (folder / "track.bin").exists():
            continue  # not a recording
        try:
            rec = read_recording(folder)
        except RecordingError as e:
            out.append(Unsaved(folder, None, "?", "", 0, 0.0, False, str(e).removeprefix(f"{folder}: ")))
            continue
        if rec.track.frames == 0:
            continue
        out.append(Unsaved(folder, rec.meta.get("trainee"), rec.meta.get("exercise") or "auto",
                           str(rec.meta.get("started", "")), rec.track.frames, rec.track.frames / rec.track.fps,
                           rec.complete, None if _authentic(folder) else NOT_OURS))
    return out


def dismiss(db, actor, folder: str | Path, root: str | Path, reason: str = "") -> None:
    """Not offered again; the recording stays on disk. Staff only, audited, and only a
    recording folder directly under the recordings folder `root`."""
    from app.storage.db import STAFF, record_event
    from app.storage.roles import require
    require(actor, *STAFF, to="dismiss unsaved tests")
    folder, root = Path(folder), Path(root)
    if folder.resolve().parent != root.resolve() or not folder.is_dir() or \
            not ((folder / "meta.json").exists() or (folder / "track.bin").exists()):
        raise RecoveryError(f"{folder}: not a recording in {root}; give a folder listed by `drillscore recover --list`")
    try:
        (folder / DISMISSED).write_text(json.dumps({"by": actor.username, "reason": reason}) + "\n",
                                        encoding="utf-8")
    except OSError as e:
        raise RecoveryError(f"{folder}: cannot mark the recording dismissed ({e.strerror}); check the folder") from None
    record_event(db, actor, "dismiss_recording", folder.name, {"reason": reason})


def recover(db, actor, folder: str | Path, thresholds: Thresholds = DEFAULTS, table_path: str | None = None,
            trainee_id: int | None = None, models: ModelBox | None = None) -> int:
    """Judge the journaled test and save it (one sealed session); -> the new session id.
    trainee_id: for a recording made without a trainee chosen. A test run as "auto" is judged
    as the event the live test recognised (its `recognised` event), else the recogniser reads
    the journaled track. Runs where the writes run (the database writer's thread in the app)."""
    from app.assess.scoring import scoring_for
    from app.storage.db import list_trainees, save_session
    try:
        rec = read_recording(folder)
    except RecordingError as e:
        raise RecoveryError(str(e)) from None
    if not _authentic(Path(folder)):
        raise RecoveryError(f"{folder}: {NOT_OURS}")
    tid = trainee_id or (rec.meta.get("trainee") or {}).get("id")
    if tid is None:
        raise RecoveryError(f"{folder}: the test was recorded without a trainee; choose the trainee to recover it for")
    exercise, guess = _event(rec)
    trainee = next((t for t in list_trainees(db, actor, include_archived=True) if t["id"] == tid), None)
    table, sex, age, _problem = scoring_for(trainee, table_path)
    # the view as the live test settled it, else read from the track (never assumed)
    view = rec.meta.get("view") if rec.meta.get("view") in ("front", "side") else "auto"
    req = JudgeRequest(exercise=exercise, view=view, thresholds=thresholds, table=table, sex=sex, age=age, guess=guess)
    try:
        judgement = judge(rec.track, req, models)
    except JudgeError as e:
        raise RecoveryError(f"{folder}: {e}; or recover it with `drillscore analyze` on its video") from None
    judgement = judgement.with_notes(recovered={
        "complete": rec.complete, "frames": rec.track.frames, "filled": int(rec.filled.sum()),
        "events": [e.get("event") for e in rec.events]})
    source = f"recovered: {rec.meta.get('source', '')}"
    return save_session(db, actor, tid, judgement, rec.track, source=source, recording=str(Path(folder)))


def _event(rec) -> tuple[str, Guess | None]:
    """The event the test was of: as chosen, else the last one the live recogniser named
    (events.jsonl), else "auto" (the judge recognises it from the track)."""
    chosen = rec.meta.get("exercise")
    if chosen in EXERCISES:
        return chosen, None
    said = [e for e in rec.events if e.get("event") == "recognised" and e.get("exercise") in EXERCISES]
    if said:
        e = said[-1]
        conf = float(e.get("confidence", 0.0))
        return e["exercise"], Guess(e["exercise"], str(e.get("view", "")), conf, 0.0, 0.0)
    if rec.track.exercise in EXERCISES:
        return rec.track.exercise, None
    return "auto", None
