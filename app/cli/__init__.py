"""`drillscore` command line: argument parsing, then one call per command (app/cli/*.py).
Bad input exits 2 with one line on stderr."""
from __future__ import annotations

import argparse
import os
import sys

from app import __version__
from app.cli.common import UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        raise UsageError(f"{self.prog}: {message} (see --help)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="drillscore", description="Score push-ups, pull-ups and sit-ups like a grader.")
    p.add_argument("--version", action="version", version=f"drillscore {__version__}")
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)
    a = sub.add_parser("analyze", help="count and judge the reps in a video or a pose-track file")
    a.add_argument("input", help="video file (.mp4, .avi, .mov, ...) or pose-track file (.npz or .json)")
    a.add_argument("--exercise", required=True, choices=["pushup", "pullup", "situp", "auto"],
                   help="the event; auto = recognised by the pose-attention model")
    a.add_argument("--view", default="auto", choices=["front", "side", "auto"])
    a.add_argument("--bar-y", type=float, default=None, help="pull-up bar row in pixels (else from the hands)")
    a.add_argument("--json", dest="json_out", help="write the result as JSON to a file, or - for stdout")
    a.add_argument("--csv", dest="csv_out", help="write one row per rep as CSV")
    a.add_argument("--thresholds", help="JSON file of threshold overrides")
    a.add_argument("--protocol", help="the test's rules: a bundled protocol (us_army_apft_example, "
                                      "arms_crossed_situp_example) or a protocol .json file")
    a.add_argument("--scoring", help="scoring table JSON (default: the bundled example table)")
    a.add_argument("--sex", choices=["male", "female"])
    a.add_argument("--age", type=int)
    a.add_argument("--save", action="store_true", help="store the session in the database")
    a.add_argument("--accept-partial", action="store_true",
                   help="with --save: store it although the video is cut short (said in the result)")
    a.add_argument("--trainee", help="trainee name for --save (added if new)")
    a.add_argument("--db", help="database file (default: $DRILLSCORE_DB or ~/.local/share/drillscore)")
    _credentials_option(a)
    a.add_argument("--models", help="model folder (default: the shipped models)")
    a.add_argument("--threads", type=int, help="CPU threads for pose inference")
    a.add_argument("--no-classifier", action="store_true",
                   help="judge by the rules alone (skip the LSTM-attention model's P(standard))")
    a.add_argument("--smooth", action="store_true",
                   help="smooth the track with the seq2seq model (review mode) before judging it")
    a.add_argument("--lift", action="store_true", help="lift the track to 3D joints (for --track-out)")
    a.add_argument("--track-out", help="write the subject's pose track (.npz or .json), with `smoothed` and "
                                       "`joints3d` arrays when --smooth / --lift")
    po = sub.add_parser("pose", help="estimate the pose track of a video's subject (or of everyone)")
    po.add_argument("input", help="video file")
    po.add_argument("--out", required=True, help="pose-track file to write (.npz or .json)")
    po.add_argument("--all", action="store_true", help="also write every tracked person as OUT-stem.pID.npz")
    po.add_argument("--exercise", choices=["pushup", "pullup", "situp"], help="recorded in the track file")
    po.add_argument("--models", help="model folder (default: the shipped models)")
    po.add_argument("--threads", type=int, help="CPU threads for pose inference")
    po.add_argument("--smooth", action="store_true", help="also store the seq2seq-smoothed keypoints (`smoothed`)")
    po.add_argument("--lift", action="store_true", help="also store the lifted 3D joints (`joints3d`; needs --exercise)")
    d = sub.add_parser("demo", help="run the bundled sample through the pipeline and print the result")
    d.add_argument("--json", dest="json_out", help="also write the JSON result (file or -)")
    d.add_argument("--track", action="store_true",
                   help="the bundled pose track through the judge (without the pose model) instead of the video")
    d.add_argument("--video", action="store_true", help="the bundled rendered video through the pose model (the default)")
    g = sub.add_parser("gui", help="open the desktop window")
    g.add_argument("--demo", action="store_true",
                   help="start the live workspace on the bundled demo video, through the pose model")
    g.add_argument("--screenshot", metavar="OUT.png", help="render the window offscreen after the demo ran a while")
    g.add_argument("--seconds", type=float, default=4.0, help="how long the demo runs before --screenshot")
    g.add_argument("--size", metavar="WxH", help="window size for --screenshot, e.g. 1280x720 (a laptop screen)")
    g.add_argument("--workspace", choices=["live", "review", "analyse", "admin", "accounts", "scoring", "settings"],
                   default="live",
                   help="the workspace shown first (accounts, scoring, settings: the admin's tabs)")
    g.add_argument("--db", help="database to review (default with --demo / --screenshot: a demo database)")
    db = sub.add_parser("db", help="database commands")
    dbs = db.add_subparsers(dest="dbcmd", required=True, parser_class=_Parser)
    i = dbs.add_parser("init", help="create or migrate the database; --admin NAME creates the first admin")
    i.add_argument("--db")
    i.add_argument("--admin", metavar="NAME", help="the first admin's user name (password: DRILLSCORE_PASSWORD or asked)")
    i.add_argument("--start-over", action="store_true",
                   help="make a new database where this installation's sealed one is gone (it was lost for good)")
    s = dbs.add_parser("sessions", help="list stored sessions (a trainee sees their own)")
    s.add_argument("--db")
    s.add_argument("--trainee")
    _credentials_option(s)
    t = dbs.add_parser("trainees", help="list the trainees")
    t.add_argument("--db")
    _credentials_option(t)
    u = dbs.add_parser("add-user", help="add an account (admins; its password: DRILLSCORE_NEW_PASSWORD or asked)")
    u.add_argument("name")
    u.add_argument("--role", required=True, choices=["admin", "instructor", "trainee"])
    u.add_argument("--trainee", help="the trainee a trainee account belongs to")
    u.add_argument("--pin", action="store_true", help="the new secret is a PIN (4-12 digits)")
    u.add_argument("--db")
    _credentials_option(u)
    us = dbs.add_parser("users", help="list the accounts (admins)")
    us.add_argument("--db")
    _credentials_option(us)
    pw = dbs.add_parser("passwd", help="a new password or PIN (admins: anyone's; everyone: their own; "
                                       "from DRILLSCORE_NEW_PASSWORD or asked)")
    pw.add_argument("name", help="the account")
    pw.add_argument("--pin", action="store_true", help="the new secret is a PIN (4-12 digits)")
    pw.add_argument("--db")
    _credentials_option(pw)
    di = dbs.add_parser("disable", help="stop an account from signing in (admins); --enable lets it again")
    di.add_argument("name", help="the account")
    di.add_argument("--enable", action="store_true")
    di.add_argument("--db")
    _credentials_option(di)
    c = dbs.add_parser("correct", help="overrule one rep's verdict: a new sealed record that references the old one")
    c.add_argument("session", type=int)
    c.add_argument("--rep", type=int, required=True, help="the rep number")
    c.add_argument("--verdict", required=True, choices=["counted", "refused"])
    c.add_argument("--reason", required=True, help="what the grader saw")
    c.add_argument("--db")
    _credentials_option(c)
    au = dbs.add_parser("audit", help="who wrote what, newest first (admins)")
    au.add_argument("--db")
    au.add_argument("--limit", type=int, default=50)
    _credentials_option(au)
    r = sub.add_parser("recover", help="judge and save live tests a crash cut short (or that were never saved)")
    r.add_argument("--db")
    r.add_argument("--recordings", help="the recordings folder (default: the settings', else next to the database)")
    r.add_argument("--list", action="store_true", help="only list what would be recovered")
    r.add_argument("--dismiss", metavar="FOLDER", help="do not offer this recording again (it is kept on disk)")
    r.add_argument("--trainee", help="the trainee for a recording made without one")
    _credentials_option(r)
    rp = sub.add_parser("report", help="a score report as CSV or PDF: one session, a trainee's history, a unit")
    rp.add_argument("kind", choices=["session", "trainee", "unit"])
    rp.add_argument("target", help="the session number, the trainee's name, or the unit")
    rp.add_argument("--format", choices=["csv", "pdf"], help="default: from the --out file's ending")
    rp.add_argument("--out", required=True, help="the report file to write")
    rp.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="unit: sessions on or after this day")
    rp.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="unit: sessions on or before this day")
    rp.add_argument("--scoring", help="unit: the scoring table to judge pass / fail by (default: the active one)")
    rp.add_argument("--db")
    _credentials_option(rp)
    v = sub.add_parser("verify", help="check the sealed results and their files; names every record that changed")
    v.add_argument("--db")
    return p


def _credentials_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--user", help="who is acting (default: $DRILLSCORE_USER); the password or PIN comes from "
                                  "$DRILLSCORE_PASSWORD, else it is asked")


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return _command(args.cmd)(args)
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _command(name: str):
    """The function behind a command, imported only when it runs (a quick `--help`)."""
    if name in ("analyze", "demo", "pose"):
        from app.cli import analyze as m
    elif name == "db":
        from app.cli import database as m
    elif name == "gui":
        from app.cli import window as m
    else:
        from app.cli import records as m
    return getattr(m, f"cmd_{name}")
