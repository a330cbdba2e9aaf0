"""The admin's settings: a small JSON file in the user's config folder, validated on load.

What can be set: the model folder (empty = the bundled models), the ONNX Runtime provider
(auto / cpu / cuda), the camera resolution, the recordings folder (empty = next to the
database), the active scoring table (empty = the bundled example) and overrides of the
standards' thresholds (app.assess.thresholds; reset = no overrides). Model folder and
provider reach the model loaders through DRILLSCORE_MODELS / DRILLSCORE_PROVIDER (apply()),
so the CLI honours the same variables.
"""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

from app.assess.thresholds import Thresholds
from app.paths import config_dir

PROVIDERS = ("auto", "cpu", "cuda")


class SettingsError(ValueError):
    """Settings that cannot be used; str() names the file or value and the fix."""


@dataclass(frozen=True, slots=True)
class Settings:
    """model_dir, recordings, scoring_table: paths ('' = the default); provider in PROVIDERS;
    camera_size (width, height) in pixels; thresholds: ((name, value), ...) overrides."""

    model_dir: str = ""
    provider: str = "auto"
    camera_size: tuple[int, int] = (640, 480)
    recordings: str = ""
    scoring_table: str = ""
    thresholds: tuple[tuple[str, float], ...] = ()

    def rules(self) -> Thresholds:
        """The thresholds the rules use: the defaults with these overrides."""
        return Thresholds.from_dict(dict(self.thresholds))

    def with_thresholds(self, values: dict[str, float]) -> Settings:
        """Keep only the values that differ from the defaults (so a later default change reaches
        everyone who did not choose otherwise); ValueError names an unknown threshold."""
        th = Thresholds().replace(**values)
        base = Thresholds().to_dict()
        changed = tuple(sorted((k, float(v)) for k, v in th.to_dict().items() if v != base[k]))
        return dataclasses.replace(self, thresholds=changed)

    def check(self, where: str = "settings") -> Settings:
        if self.provider not in PROVIDERS:
            raise SettingsError(f"{where}: provider {self.provider!r} is not one of {', '.join(PROVIDERS)}")
        w, h = self.camera_size
        if not (160 <= w <= 3840 and 120 <= h <= 2160):
            raise SettingsError(f"{where}: camera resolution {w}x{h} is out of range; use 160x120 to 3840x2160")
        if self.model_dir and not Path(self.model_dir).is_dir():
            raise SettingsError(f"{where}: model folder {self.model_dir} does not exist; choose the folder with "
                                f"the .onnx files or leave it empty for the bundled models")
        try:
            self.rules()
        except ValueError as e:
            raise SettingsError(f"{where}: {e}") from None
        return self

    def apply(self) -> None:
        """Point the model loaders at this model folder and provider (this process)."""
        for key, value in (("DRILLSCORE_MODELS", self.model_dir), ("DRILLSCORE_PROVIDER", self.provider)):
            if value and value != "auto":
                os.environ[key] = value
            else:
                os.environ.pop(key, None)


def settings_path() -> Path:
    return config_dir() / "settings.json"


def load_settings(path: str | Path | None = None) -> Settings:
    """The saved settings, or the defaults when there is no file yet."""
    p = Path(path) if path is not None else settings_path()
    if not p.exists():
        return Settings()
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SettingsError(f"{p}: unreadable settings ({e.__class__.__name__}); fix or delete the file") from None
    if not isinstance(doc, dict):
        raise SettingsError(f"{p}: settings must be a JSON object; fix or delete the file")
    names = {f.name for f in dataclasses.fields(Settings)}
    unknown = sorted(set(doc) - names)
    if unknown:
        raise SettingsError(f"{p}: unknown setting {unknown[0]!r}; known: {', '.join(sorted(names))}")
    try:
        s = Settings(model_dir=str(doc.get("model_dir", "")), provider=str(doc.get("provider", "auto")),
                     camera_size=tuple(int(v) for v in doc.get("camera_size", (640, 480)))[:2],
                     recordings=str(doc.get("recordings", "")), scoring_table=str(doc.get("scoring_table", "")),
                     thresholds=tuple((str(k), float(v)) for k, v in dict(doc.get("thresholds", {})).items()))
    except (TypeError, ValueError) as e:
        raise SettingsError(f"{p}: a setting has the wrong type ({e}); fix or delete the file") from None
    return s.check(str(p))


def save_settings(s: Settings, path: str | Path | None = None) -> Path:
    """Write (via a temporary file, so a crash never leaves half a file); -> the path."""
    p = Path(path) if path is not None else settings_path()
    s.check()
    doc = {**dataclasses.asdict(s), "camera_size": list(s.camera_size), "thresholds": dict(s.thresholds)}
    tmp = p.with_name(p.name + ".part")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(doc, indent=1), encoding="utf-8")
        tmp.replace(p)
    except OSError as e:
        raise SettingsError(f"{p}: cannot save the settings ({e.strerror}); check the folder's permissions") from None
    return p
