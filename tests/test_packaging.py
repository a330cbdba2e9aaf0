"""Packaging (issue 6): the PyInstaller spec lists every model and asset, the desktop entry and
icon are usable, and a built wheel carries the models and assets and runs without the
checkout (`pip install .`)."""
import ast
import configparser
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

SPEC = ROOT / "packaging" / "drillscore.spec"


def _spec_list(name: str) -> list[str]:
    """The literal list assigned to `name` in the spec (read, never run: it needs PyInstaller)."""
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError(f"{SPEC}: no {name} = [...] list")


def test_the_spec_lists_every_model_and_asset():
    models = _spec_list("MODELS")
    on_disk = sorted(p.name for p in (ROOT / "models").iterdir() if p.suffix in (".onnx", ".json"))
    assert sorted(models) == on_disk, f"add to / remove from MODELS in {SPEC.name}: {set(models) ^ set(on_disk)}"
    for m in models:  # every model with its card, and every card with its model
        stem = Path(m).stem
        assert {f"{stem}.onnx", f"{stem}.json"} <= set(models), m
    assets = _spec_list("ASSETS")
    top = sorted(p.name for p in (ROOT / "assets").iterdir())
    assert sorted(assets) == top, f"add to / remove from ASSETS in {SPEC.name}: {set(assets) ^ set(top)}"
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    called = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    assert {"Analysis", "PYZ", "EXE", "COLLECT"} <= called  # a one-folder build
    assert (ROOT / "packaging" / "drillscore_main.py").is_file()


def test_the_desktop_entry_and_icons():
    import cv2
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(ROOT / "assets" / "drillscore.desktop", encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application" and d["Exec"].split()[0] == "drillscore" and d["Icon"] == "drillscore"
    assert d["Categories"].endswith(";") and d["Terminal"] == "false"
    img = cv2.imread(str(ROOT / "assets" / "icons" / "drillscore.png"), cv2.IMREAD_UNCHANGED)
    assert img.shape == (256, 256, 4) and img[..., 3].max() == 255 and img[0, 0, 3] == 0  # transparent corners
    ico = (ROOT / "assets" / "icons" / "drillscore.ico").read_bytes()
    assert ico[:4] == b"\x00\x00\x01\x00" and b"\x89PNG" in ico  # Windows icon, a PNG inside


@pytest.mark.slow
def test_a_built_wheel_carries_the_models_and_runs_without_the_checkout(tmp_path):
    """`pip install .`: the wheel holds the models, cards and assets; installed into a folder
    of its own and run from elsewhere, it finds them there (not in this checkout)."""
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(wheels), str(ROOT)], check=True, timeout=300)
    wheel = next(wheels.glob("drillscore-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for p in (ROOT / "models").iterdir():
        assert f"app/models/{p.name}" in names, p.name
    for p in (ROOT / "assets").rglob("*"):
        if p.is_file():
            assert f"app/assets/{p.relative_to(ROOT / 'assets').as_posix()}" in names, p
    assert not any(n.startswith("tests/") for n in names)
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(site), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DRILLSCORE_MODELS", None)
    code = ("import app, app.paths, sys; from app.cli import main; "
            "print(app.__file__); print(app.paths.models_dir()); sys.exit(main(sys.argv[1:]))")
    out = subprocess.run([sys.executable, "-c", code, "analyze", str(site / "app" / "assets" / "demo" /
                                                                     "pushup_side_demo.npz"), "--exercise", "auto"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stderr
    first, models = out.stdout.splitlines()[:2]
    assert first.startswith(str(site)) and models.startswith(str(site))  # the installed copy, not the checkout
    assert "recognised: pushup" in out.stdout and "standard reps:" in out.stdout  # a shipped model loaded and checked
