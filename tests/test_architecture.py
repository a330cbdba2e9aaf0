"""Dependency rules from docs/architecture.md: the import-linter contracts in pyproject.toml,
plus what they cannot say (whole-file whitelists, cycles, one judging path)."""
import ast
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved against its package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                out.add(".".join(base + ([node.module] if node.module else [])))
            else:
                out.add(node.module)
    return out


def _files(sub: str):
    return sorted((ROOT / sub).rglob("*.py"))


def test_import_contracts_hold():
    """lint-imports: cli > ui > pipeline > config > (assess | inference | capture | storage |
    reports) > core; core numpy-only; no torch or training in the app; Qt only in ui."""
    exe = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(exe), "--config", str(ROOT / "pyproject.toml")], check=False, cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "0 broken" in r.stdout


def test_core_imports_numpy_and_the_standard_library_only():
    allowed = set(sys.stdlib_module_names) | {"numpy"}
    for f in _files("app/core"):
        for m in _imports(f):
            top = m.split(".")[0]
            assert top in allowed or m.startswith("app.core"), f"{f}: imports {m}"


def test_app_never_imports_torch_or_training():
    for f in _files("app"):
        bad = {m for m in _imports(f) if m.split(".")[0] in ("torch", "training", "mediapipe")}
        assert not bad, f"{f}: {bad}"


def test_training_uses_only_app_core():
    """training/ shares app.core (one skeleton, one feature definition) and nothing else of
    the app, except its evaluators (training/eval_*.py), which measure exported models
    through the app's own inference path so the figures are the product's (the pose
    evaluator's count agreement runs the app's pose loop and judge()), and the
    classifier's real windows (training/data/rep_windows.py), which are by definition the
    windows inside the reps the app's own counter finds (the reps the classifier will judge)."""
    for f in _files("training"):
        allowed = ("app.core",)
        if f.name.startswith("eval_"):
            allowed += ("app.inference",)
        if f.name == "eval_pose_videos.py":  # count agreement through the product's pose loop and judge()
            allowed += ("app.pipeline.pose_loop", "app.pipeline.judge")
        if f.name == "rep_windows.py":
            allowed += ("app.assess",)
        bad = {m for m in _imports(f) if m.startswith("app.") and not m.startswith(allowed)}
        assert not bad, f"{f}: {bad}"


def test_storage_has_no_import_cycles():
    """accounts <-> audit and db <-> writer imported each other; roles.py and location.py broke them."""
    import grimp
    graph = grimp.build_graph("app")
    mods = sorted(m for m in graph.modules if m.startswith("app.storage."))
    for i, a in enumerate(mods):
        for b in mods[i + 1:]:
            there, back = graph.find_shortest_chain(a, b), graph.find_shortest_chain(b, a)
            assert not (there and back), f"import cycle: {' -> '.join(there)} and {' -> '.join(back)}"


def _calls(path: Path, name: str) -> int:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return sum(1 for n in ast.walk(tree) if isinstance(n, ast.Call)
               and (getattr(n.func, "id", None) == name or getattr(n.func, "attr", None) == name))


def test_exactly_one_place_builds_a_judgement():
    """Judgement(...) is made by the judge alone (and read back from JSON by its codec); the
    classifier is fused in only there; the rules engine runs there, in the live stream (the
    counts while the test runs) and for the review's driving-signal chart, and nowhere else."""
    app = ROOT / "app"
    made = {f.relative_to(app).as_posix() for f in _files("app") if _calls(f, "Judgement")}
    assert made == {"pipeline/judge.py", "core/judgement_json.py"}, made
    fused = {f.relative_to(app).as_posix() for f in _files("app") if _calls(f, "with_probabilities")}
    assert fused == {"pipeline/judge.py"}, fused
    engine = {f.relative_to(app).as_posix() for f in _files("app")
              if _calls(f, "assess") and "app.assess.engine" in _imports(f)}
    assert engine == {"pipeline/judge.py", "pipeline/live.py", "pipeline/review.py"}, engine


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
