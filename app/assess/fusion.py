"""Where the rules' verdict meets the classifier's P(standard).

The rules give the reasons a grader says out loud; the LSTM-attention classifier (the
temporal-models issue) gives a probability. Policy "rules" (the default until a classifier
ships) decides by the rules alone and records the probability; "both" also refuses a rep
whose P(standard) is below the threshold, with the reason `classifier_doubt`.
"""
from __future__ import annotations

POLICIES = ("rules", "both")


def fuse(reasons: tuple[str, ...], p_standard: float | None, p_min: float, policy: str = "rules") -> tuple[bool, tuple[str, ...]]:
    """-> (standard, reasons) for one rep."""
    if policy not in POLICIES:
        raise ValueError(f"fusion policy must be one of {', '.join(POLICIES)}, got {policy!r}")
    if policy == "both" and p_standard is not None and p_standard < p_min and not reasons:
        return False, ("classifier_doubt",)
    return not reasons, reasons
