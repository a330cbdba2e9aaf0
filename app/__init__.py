"""DrillScore: scores push-ups, pull-ups and sit-ups from a camera, the way a grader would."""

__version__ = "0.1.0"
