"""The judgement of one test: the typed result that crosses every layer.

Built in one place (app.pipeline.judge), stored and sealed by app.storage, printed by the
CLI, drawn by the review workspace and the reports, corrected by a grader. It becomes JSON
only at the edges, through app.core.judgement_json (the `drillscore analyze --json` schema
and the stored `result_json`).

Frames are numbers into the judged pose track; a rep spans [start, end] inclusive.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from app.core.types import Overrule, RepEvent

__all__ = ["ClassifierUse", "Guess", "Judgement", "Overrule", "RepEvent", "Score"]

RULES_ENGINE = "drillscore-rules"


@dataclass(frozen=True, slots=True)
class Score:
    """Points from a scoring table for the standard reps; points None (with a note) when the
    table has no row for the event, sex and age."""

    table: str
    example: bool
    sex: str
    age: int
    points: float | None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Guess:
    """The recogniser's reading of the event: exercise and view with their confidences (0..1),
    the share of windows where someone exercised, the model, and the mean probability per class."""

    exercise: str
    view: str
    confidence: float
    view_confidence: float
    active_share: float
    model: str = "pose_attention"
    scores: dict = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class ClassifierUse:
    """Whether the LSTM-attention classifier ran (model None when not), how its P(standard)
    was used (policy), and a note for the reader."""

    model: str | None
    policy: str
    note: str


@dataclass(frozen=True, slots=True)
class Judgement:
    """The whole verdict on a pose track.

    exercise / view: what was judged; frames, fps: the judged track; reps in order;
    unmeasured: checks that could not be made (joints not seen); score or None; guess: the
    recogniser's reading when the event was auto; models: {model file stem: sha256} of every
    model that produced it (pose, classifier, recogniser, smoother, lifter); engine: the rules
    engine and its version; classifier: how P(standard) was used; timings_ms: {stage: ms};
    notes: {topic: JSON-ready dict} (video, smoother, lifter, recovered, visibility); protocol:
    the name of the protocol whose checks and thresholds judged it (None: the standard checks)."""

    exercise: str
    view: str
    frames: int
    fps: float
    reps: tuple[RepEvent, ...]
    unmeasured: tuple[str, ...] = ()
    score: Score | None = None
    guess: Guess | None = None
    models: dict = field(default_factory=dict, compare=False, hash=False)
    engine: str = RULES_ENGINE
    classifier: ClassifierUse | None = None
    timings_ms: dict = field(default_factory=dict, compare=False, hash=False)
    notes: dict = field(default_factory=dict, compare=False, hash=False)
    protocol: str | None = None
    # not part of the JSON: the smoothed keypoints float32 (T, 17, 3) px and the lifted joints
    # float32 (T, 17, 3) m when the request asked for them (for `--track-out`)
    arrays: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def count_total(self) -> int:
        return len(self.reps)

    @property
    def count_standard(self) -> int:
        return sum(1 for r in self.reps if r.standard)

    @property
    def duration_s(self) -> float:
        return round(self.frames / self.fps, 3) if self.fps > 0 else 0.0

    def with_notes(self, **notes: dict) -> Judgement:
        """A copy with more notes (e.g. video=..., recovered=...)."""
        return replace(self, notes={**self.notes, **notes})

    def with_timings(self, **ms: float) -> Judgement:
        return replace(self, timings_ms={**self.timings_ms, **{k: round(float(v), 1) for k, v in ms.items()}})

    def with_models(self, models: dict) -> Judgement:
        return replace(self, models={**self.models, **models})
