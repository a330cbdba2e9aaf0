"""The JSON-ready result of an analysis (the `drillscore analyze --json` schema)."""
from __future__ import annotations

from app import __version__
from app.assess.engine import Assessment
from app.assess.rules import REASON_TEXT
from app.assess.scoring import ScoringTable


def result_dict(a: Assessment, table: ScoringTable | None = None, sex: str | None = None,
                age: int | None = None) -> dict:
    reps = [{"n": r.n, "start_frame": r.start, "end_frame": r.end, "standard": r.standard,
             "p_standard": r.p_standard, "reasons": list(r.reasons), "measures": r.measures} for r in a.reps]
    out = {"exercise": a.exercise, "view": a.view, "frames": a.frames, "fps": a.fps,
           "duration_s": round(a.frames / a.fps, 3), "count_total": a.count_total,
           "count_standard": a.count_standard, "reps": reps, "unmeasured": list(a.unmeasured),
           "score": None, "models": {"rules": f"drillscore-rules {__version__}", "pose": None, "classifier": None}}
    if table is not None and sex and age is not None:
        pts = table.points(a.exercise, sex, age, a.count_standard)
        out["score"] = {"table": table.name, "example": table.example, "sex": sex, "age": age,
                        "points": pts, "note": None if pts is not None else
                        f"the table has no row for {a.exercise}, {sex}, age {age}"}
    return out


def summary_text(res: dict) -> str:
    """Human-readable lines for the terminal."""
    lines = []
    if res.get("exercise_guess"):
        g = res["exercise_guess"]
        lines.append(f"recognised: {g['exercise']} ({g['confidence']:.0%} sure), {g['view']} view "
                     f"({g['view_confidence']:.0%})")
    lines += [f"{res['exercise']} ({res['view']} view), {res['duration_s']:.1f} s, {res['frames']} frames",
             f"standard reps: {res['count_standard']}   total reps: {res['count_total']}"]
    for r in res["reps"]:
        verdict = "counted" if r["standard"] else "NOT counted: " + "; ".join(REASON_TEXT.get(x, x) for x in r["reasons"])
        p = "" if r.get("p_standard") is None else f"  P(standard) {r['p_standard']:.2f}"
        lines.append(f"  rep {r['n']:>2}  frames {r['start_frame']:>5}-{r['end_frame']:<5} {verdict}{p}")
    if res.get("unmeasured"):
        lines.append("could not check (joints not seen): " + ", ".join(res["unmeasured"]))
    if res.get("score"):
        s = res["score"]
        lines.append(f"score: {s['points']} points ({s['table']})" if s["points"] is not None else f"score: {s['note']}")
    return "\n".join(lines)
