"""Where the bundled assets live, installed or in a checkout.

`pip install .` ships the repository's assets/ and models/ folders inside the package as
app/assets and app/models; in a checkout (or an editable install) the folders next to app/
are used directly.
"""
from __future__ import annotations

import os
from pathlib import Path

_APP = Path(__file__).resolve().parent


def assets_dir() -> Path:
    for candidate in (_APP / "assets", _APP.parent / "assets"):
        if candidate.is_dir():
            return candidate
    return _APP.parent / "assets"  # absent: callers name the missing file in their error


def demo_track() -> Path:
    """The bundled sample: a synthetic side-view push-up pose track."""
    return assets_dir() / "demo" / "pushup_side_demo.npz"


def demo_video() -> Path:
    """The bundled sample rendered as a video (`python -m training demo`)."""
    return assets_dir() / "demo" / "pushup_side_demo.mp4"


def models_dir() -> Path:
    """$DRILLSCORE_MODELS (the admin's model folder) when set, else the bundled models."""
    env = os.environ.get("DRILLSCORE_MODELS")
    if env:
        return Path(env)
    for candidate in (_APP / "models", _APP.parent / "models"):
        if candidate.is_dir():
            return candidate
    return _APP.parent / "models"


def config_dir() -> Path:
    """$DRILLSCORE_CONFIG, else drillscore/ in the user's config folder: settings, the chain key,
    imported scoring tables."""
    env = os.environ.get("DRILLSCORE_CONFIG")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "drillscore"
