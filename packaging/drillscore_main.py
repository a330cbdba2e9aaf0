"""The bundle's entry point: `drillscore ARGS` as the command line; with no arguments (a
double-click, the desktop menu) the window opens."""
import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["gui"]))
