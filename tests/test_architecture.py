"""Dependency rules from ARCHITECTURE.md, checked on the source (no import side effects)."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def _files(sub: str):
    return sorted((ROOT / sub).rglob("*.py"))


def test_app_never_imports_torch_or_training():
    for f in _files("app"):
        bad = {m for m in _imports(f) if m.split(".")[0] in ("torch", "training")}
        assert not bad, f"{f}: {bad}"


def test_core_is_numpy_only():
    allowed = {"numpy", "app", "__future__", "dataclasses", "enum", "json", "zipfile", "pathlib", "typing",
               "collections", "hashlib"}
    for f in _files("app/core"):
        bad = {m for m in _imports(f) if m.split(".")[0] not in allowed}
        assert not bad, f"{f}: {bad}"


def test_qt_only_in_ui():
    for f in _files("app"):
        if "ui" in f.relative_to(ROOT / "app").parts[:1]:
            continue
        bad = {m for m in _imports(f) if m.split(".")[0] in ("PySide6", "pyqtgraph")}
        assert not bad, f"{f}: {bad}"


def test_training_uses_only_app_core():
    """training/ shares app.core (one skeleton, one feature definition) and nothing else of
    the app, except its evaluators (training/eval_*.py), which measure exported models
    through the app's own inference path so the figures are the product's, and the
    classifier's real windows (training/data/rep_windows.py), which are by definition the
    windows inside the reps the app's own counter finds (the reps the classifier will judge)."""
    for f in _files("training"):
        allowed = ("app.core",)
        if f.name.startswith("eval_"):
            allowed += ("app.inference",)
        if f.name == "rep_windows.py":
            allowed += ("app.assess",)
        bad = {m for m in _imports(f) if m.startswith("app.") and not m.startswith(allowed)}
        assert not bad, f"{f}: {bad}"


def test_pyproject_lists_every_package_and_ships_assets():
    import tomllib
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for top in ("app", "training")
               for p in (ROOT / top).rglob("__init__.py")}
    listed = set(cfg["packages"])
    data = {"app.assets", "app.models"}  # data folders mapped into the package
    assert on_disk | data == listed, f"add to or remove from pyproject packages: {on_disk ^ (listed - data)}"
    assert cfg["package-dir"]["app.assets"] == "assets"
    assert (ROOT / "assets" / "demo" / "pushup_side_demo.npz").is_file()
    assert list((ROOT / "assets" / "scoring").glob("*.json"))
