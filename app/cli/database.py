"""`drillscore db ...`: the database, its accounts, trainees, sessions, corrections and audit log."""
from __future__ import annotations

from app.cli.common import UsageError, default_db, open_database, secret, signed_in


def cmd_db(args) -> int:
    from app.storage import accounts
    from app.storage.db import StorageError, list_sessions, list_trainees

    if args.dbcmd == "init":
        return _init(args)
    db = open_database(args, reads=args.dbcmd in ("sessions", "trainees", "users", "audit"))
    try:
        actor = signed_in(args, db)
        if args.dbcmd == "sessions":
            rows = list_sessions(db, actor, args.trainee)
            if not rows:
                print("no sessions stored")
            for r in rows:
                note = f"  corrected by {r['corrected_by']}" if r["corrected_by"] else ""
                note += f"  corrects {r['corrects']}: {r['correction_reason']}" if r["corrects"] else ""
                print(f"{r['id']:>5}  {r['started']}  {r['trainee']:<20} {r['exercise']:<7} "
                      f"{r['count_standard']:>3}/{r['count_total']:<3} score {r['score']}{note}")
        elif args.dbcmd == "trainees":
            for t in list_trainees(db, actor, include_archived=True):
                print(f"{t['id']:>5}  {t['name']:<24} {t['sex'] or '':<7} {t['birth_year'] or '':<5} {t['unit'] or ''}"
                      f"{'  (archived)' if t['archived'] else ''}")
        elif args.dbcmd == "add-user":
            from app.storage.db import find_trainee
            tid = find_trainee(db, actor, args.trainee)["id"] if args.trainee else None
            new_secret = secret("DRILLSCORE_NEW_PASSWORD", f"password or PIN for {args.name}: ", True)
            print(f"account created: {accounts.add_user(db, actor, args.name, args.role, new_secret, args.pin, tid)}")
        elif args.dbcmd == "users":
            for u in accounts.list_users(db, actor):
                print(f"{u['id']:>4}  {u['username']:<20} {u['role']:<10} {u['trainee'] or ''}"
                      f"{'  (disabled)' if u['disabled'] else ''}")
        elif args.dbcmd == "passwd":
            target = actor.user_id if args.name.strip().lower() == actor.username.lower() else \
                accounts.find_user(db, actor, args.name)["id"]
            new_secret = secret("DRILLSCORE_NEW_PASSWORD", f"new password or PIN for {args.name}: ", True)
            accounts.set_secret(db, actor, target, new_secret, args.pin)
            print(f"{args.name}: new {'PIN' if args.pin else 'password'} set")
        elif args.dbcmd == "disable":
            accounts.set_disabled(db, actor, accounts.find_user(db, actor, args.name)["id"], not args.enable)
            print(f"{args.name}: {'enabled' if args.enable else 'disabled (cannot sign in)'}")
        elif args.dbcmd == "correct":
            return _correct(db, actor, args)
        elif args.dbcmd == "audit":
            from app.storage.audit import list_audit
            for r in list_audit(db, actor, args.limit):
                print(f"{r['at']}  {r['username']:<16} {r['action']:<16} {r['target']:<14} {r['detail']}")
    except StorageError as e:
        raise UsageError(str(e)) from None
    return 0


def _init(args) -> int:
    """A new database (the only command that makes one), or an old one upgraded."""
    from pathlib import Path

    from app.storage import accounts
    from app.storage.db import StorageError
    path = Path(args.db or default_db())
    if args.start_over:
        if path.exists():
            raise UsageError(f"{path}: exists; --start-over makes a new database where a sealed one is gone "
                             "(move the file away first, keeping it as a backup)")
        from app.storage.heads import forget
        forget(path)
    new_secret = None
    if args.admin:  # a password that will be refused is said before anything is made
        from app.storage.secrets import SecretError, check_secret
        new_secret = secret("DRILLSCORE_PASSWORD", f"new password for {args.admin}: ", True)
        try:
            check_secret(new_secret, staff=True)
        except SecretError as e:
            raise UsageError(f"{e}; nothing was created") from None
    db = open_database(args, create=True)
    try:
        if args.admin:
            who = accounts.create_first_admin(db, args.admin, new_secret)
            print(f"admin account created: {who}")
    except StorageError as e:
        raise UsageError(str(e)) from None
    print(f"database ready: {path}")
    return 0


def _correct(db, actor, args) -> int:
    from app.paths import config_dir
    from app.pipeline.corrections import CorrectionError, overrule
    try:
        sid, new = overrule(db, actor, args.session, args.rep, args.verdict == "counted", args.reason,
                            config_dir() / "scoring")
    except CorrectionError as e:
        raise UsageError(f"session {args.session}: {e}") from None
    print(f"session {args.session} corrected by session {sid}: rep {args.rep} {args.verdict}; "
          f"{new.count_standard} standard of {new.count_total}")
    return 0
