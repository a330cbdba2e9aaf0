"""The review's pure helpers: which rep holds a frame, what the table says of a rep, and the
progress of one trainee (a corrected session stands once)."""
from app.core.judgement import RepEvent
from app.core.types import Overrule
from app.pipeline.review import progress, rep_at, rep_cells


def _rep(n, start, end, standard=True, reasons=(), overruled=None):
    return RepEvent(n=n, start=start, end=end, standard=standard, reasons=tuple(reasons), overruled=overruled)


def test_a_frame_shared_by_two_reps_belongs_to_the_later_one():
    reps = [_rep(3, 10, 20), _rep(4, 20, 30)]
    assert rep_at(20, reps).n == 4 and rep_at(19, reps).n == 3 and rep_at(31, reps) is None


def test_an_overruled_rep_says_so_and_keeps_what_the_rules_said():
    plain = _rep(1, 0, 9, False, ("not_low_enough",))
    assert rep_cells(plain)[0] == "refused" and rep_cells(plain)[1]
    assert rep_cells(_rep(2, 0, 9, True, ())) == ("counted", "")
    over = _rep(3, 0, 9, True, ("not_low_enough",), Overrule(True, "chest touched the fist", ("not_low_enough",)))
    verdict, why = rep_cells(over)
    assert verdict == "counted (overruled)" and why.startswith("overruled: chest touched the fist (the rules said: ")


def test_progress_counts_a_corrected_test_once():
    rows = [{"id": 1, "trainee": "A", "exercise": "pushup", "started": "2026-01-01", "count_standard": 3,
             "count_total": 5, "corrected_by": 2},
            {"id": 2, "trainee": "A", "exercise": "pushup", "started": "2026-01-01", "count_standard": 4,
             "count_total": 5, "corrected_by": None},
            {"id": 3, "trainee": "A", "exercise": "pushup", "started": "2026-02-01", "count_standard": 6,
             "count_total": 6, "corrected_by": None}]
    assert progress(rows, "A", "pushup") == [("2026-01-01", 4, 5), ("2026-02-01", 6, 6)]
