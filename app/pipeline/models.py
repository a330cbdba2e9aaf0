"""The models a judgement may use, loaded once and shared (a batch of 100 files loads the
classifier once, not 100 times). Each is loaded on first use, checked against its card
(app.inference.session), and remembered with its sha256 so the judgement can seal it."""
from __future__ import annotations

from pathlib import Path


class ModelBox:
    def __init__(self, folder: str | Path | None = None, threads: int | None = None) -> None:
        """folder: another model folder (default: the shipped models); threads: ONNX Runtime CPU threads."""
        self.folder = Path(folder) if folder else None
        self.threads = threads
        self._loaded: dict[str, object] = {}

    def provide(self, key: str, model) -> ModelBox:
        """Use `model` for `key` (pose, classifier, recogniser, smoother, lifter_<exercise>,
        lifter_causal) instead of loading the shipped one: a model loaded elsewhere, or a test's fake."""
        self._loaded[key] = model
        return self

    def _get(self, key: str, make):
        if key not in self._loaded:
            self._loaded[key] = make()  # ModelError propagates: the caller decides if it is fatal
        return self._loaded[key]

    def pose(self):
        """The pose estimator (app.inference.subject_pose.pose_estimator: the subject read on a crop,
        or the whole-frame model alone when the crop model is missing); reset by the pose loop."""
        from app.inference.subject_pose import pose_estimator
        return self._get("pose", lambda: pose_estimator(self.folder, self.threads))

    def classifier(self):
        from app.inference.classifier import RepClassifier
        return self._get("classifier", lambda: RepClassifier(self.folder, self.threads))

    def recogniser(self):
        from app.inference.exercise import ExerciseRecogniser
        return self._get("recogniser", lambda: ExerciseRecogniser(self.folder, self.threads))

    def smoother(self):
        from app.inference.smoother import Smoother
        return self._get("smoother", lambda: Smoother(self.folder, self.threads))

    def lifter(self, exercise: str | None = None, causal: bool = False):
        from app.inference.lifter import Lifter3D
        key = "lifter_causal" if causal else f"lifter_{exercise}"
        return self._get(key, lambda: Lifter3D(exercise, causal=causal, folder=self.folder, threads=self.threads))
