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


def models_dir() -> Path:
    """$DRILLSCORE_MODELS (the admin's model folder) when set, else the bundled models."""
    env = os.environ.get("DRILLSCORE_MODELS")
    if env:
        return Path(env)
    for candidate in (_APP / "models", _APP.parent / "models"):
        if candidate.is_dir():
            return candidate
    return _APP.parent / "models"
