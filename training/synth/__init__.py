"""Synthetic exercise motion with ground truth (numpy only: usable without torch)."""
from training.synth.clip import FAULTS, KINDS, PHASES, Clip, RepLabel, make_clip

__all__ = ["FAULTS", "KINDS", "PHASES", "Clip", "RepLabel", "make_clip"]
