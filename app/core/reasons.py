"""What a grader says when a rep does not count: every reason code the rules (app.assess.rules)
and the classifier fusion give, in the words the window, the CLI and the reports use."""
from __future__ import annotations

REASON_TEXT: dict[str, str] = {
    "not_deep_enough": "not deep enough: upper arms did not reach parallel",
    "no_lockout": "no lockout: arms not fully extended at the top",
    "hips_sagging": "hips sagging: body not straight",
    "hips_piked": "hips piked: body not straight",
    "knees_down": "knees touched the ground",
    "chin_below_bar": "chin did not clear the bar",
    "no_full_hang": "no full hang: arms not straight at the bottom",
    "kipping": "kipping: body swung to help the pull",
    "leg_kick": "legs kicked to help the pull",
    "not_vertical": "did not sit up to vertical",
    "shoulders_not_down": "shoulder blades did not touch down",
    "hands_off_head": "hands left the head",
    "hips_lifted": "hips lifted off the ground",
    "knees_too_straight": "knees not bent about 90 degrees",
    "arms_off_chest": "arms left the chest",
    "classifier_doubt": "the form model doubts this rep",
}
