"""Counting and judging: measures, rep state machine, standards rules, fusion, scoring."""
