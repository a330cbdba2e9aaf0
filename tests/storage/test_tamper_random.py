"""Random tampering (issue 6's tamper target): a short run of benchmarks/tamper_test.py, one
trial of every kind plus the rollbacks; the full run is the benchmark (300 trials)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import tamper_test


def test_every_random_tampering_and_every_rollback_is_detected(tmp_path):
    lines = []
    totals = tamper_test.run(len(tamper_test.KINDS), tmp_path, seed=7, say=lines.append)
    assert totals["detected"] == totals["trials"] == len(tamper_test.KINDS), lines
    assert totals["rollbacks_detected"] == totals["rollbacks"] == 3, lines
