"""Admin > Accounts and the account commands (issue 6): accounts added, reset and disabled by
an admin through the writer, each change in the audit log; nobody else may."""
import pytest
from conftest import admin_of

from app.cli import main
from app.storage.accounts import list_users, sign_in
from app.storage.audit import list_audit
from app.storage.db import AccessError, add_trainee, open_db


def test_the_accounts_panel_adds_resets_disables_and_shows_the_audit_log(qtbot, tmp_path):
    from app.storage.writer import DatabaseWriter
    from app.ui.accounts_panel import AccountsPanel
    db = open_db(tmp_path / "a.db", create=True)
    admin = admin_of(db)
    add_trainee(db, admin, "Ann Lee", "female", 2006)
    writer = DatabaseWriter(tmp_path / "a.db")
    try:
        panel = AccountsPanel(db, admin, writer)
        qtbot.addWidget(panel)
        panel.name.setText("sgt")
        panel.secret.setText("instructor-pw")
        panel.confirm.setText("instructor-pw")
        assert panel.add() and "account sgt (instructor) added" in panel.message.text()
        panel.name.setText("ann")
        panel.role.setCurrentText("trainee")
        assert panel.trainee.isEnabled() and panel.trainee.currentText() == "Ann Lee"
        panel.pin.setChecked(True)
        panel.secret.setText("12")
        panel.confirm.setText("12")
        assert not panel.add() and "PIN" in panel.message.text()          # storage's rule, said under the form
        panel.secret.setText("2468")
        panel.confirm.setText("2486")
        assert not panel.add() and "differ" in panel.message.text()
        panel.secret.setText("2468")
        panel.confirm.setText("2468")
        assert panel.add()
        users = {u["username"]: u for u in list_users(db, admin)}
        assert users["ann"]["trainee"] == "Ann Lee" and users["ann"]["pin"] == 1
        assert sign_in(db, "ann", "2468").trainee_id == users["ann"]["trainee_id"]
        panel.table.selectRow([u["username"] for u in panel.users].index("sgt"))
        panel.pin.setChecked(False)
        panel.secret.setText("new-instructor-pw")
        panel.confirm.setText("new-instructor-pw")
        assert panel.reset_secret()
        assert sign_in(db, "sgt", "new-instructor-pw").role == "instructor"
        panel.table.selectRow([u["username"] for u in panel.users].index("sgt"))
        assert panel.toggle_disabled() and "disabled" in panel.message.text()
        with pytest.raises(AccessError, match="disabled"):
            sign_in(db, "sgt", "new-instructor-pw")
        panel.table.selectRow([u["username"] for u in panel.users].index("admin"))
        assert not panel.toggle_disabled() and "cannot disable your own account" in panel.message.text()
        actions = [panel.audit.item(i, 2).text() for i in range(panel.audit.rowCount())]
        assert actions[:4] == ["disable_user", "set_secret", "add_user", "add_user"]
        assert [r["action"] for r in list_audit(db, admin, 4)] == actions[:4]
    finally:
        writer.close()


def test_account_commands_need_an_admin_except_for_your_own_password(tmp_path, monkeypatch, capsys):
    path = tmp_path / "a.db"
    db = open_db(path, create=True)
    admin = admin_of(db)
    base = ["--db", str(path)]
    monkeypatch.setenv("DRILLSCORE_USER", "admin")
    monkeypatch.setenv("DRILLSCORE_PASSWORD", "admin-secret")
    monkeypatch.setenv("DRILLSCORE_NEW_PASSWORD", "instructor-pw")
    assert main(["db", "add-user", "sgt", "--role", "instructor", *base]) == 0
    monkeypatch.setenv("DRILLSCORE_NEW_PASSWORD", "reset-by-admin")
    assert main(["db", "passwd", "sgt", *base]) == 0 and "new password set" in capsys.readouterr().out
    assert sign_in(db, "sgt", "reset-by-admin")
    monkeypatch.setenv("DRILLSCORE_USER", "sgt")
    monkeypatch.setenv("DRILLSCORE_PASSWORD", "reset-by-admin")
    monkeypatch.setenv("DRILLSCORE_NEW_PASSWORD", "my-own-choice")
    assert main(["db", "passwd", "sgt", *base]) == 0  # anyone may change their own
    assert sign_in(db, "sgt", "my-own-choice")
    monkeypatch.setenv("DRILLSCORE_PASSWORD", "my-own-choice")
    capsys.readouterr()
    assert main(["db", "disable", "admin", *base]) == 2
    assert "may not see the accounts; ask an admin" in capsys.readouterr().err
    monkeypatch.setenv("DRILLSCORE_USER", "admin")
    monkeypatch.setenv("DRILLSCORE_PASSWORD", "admin-secret")
    assert main(["db", "disable", "sgt", *base]) == 0
    assert main(["db", "disable", "nobody", *base]) == 2 and "no account named 'nobody'" in capsys.readouterr().err
    assert [u["disabled"] for u in list_users(db, admin) if u["username"] == "sgt"] == [1]
    assert main(["db", "disable", "sgt", "--enable", *base]) == 0
    assert sign_in(db, "sgt", "my-own-choice")


def test_anyone_changes_their_own_password_from_the_window(qtbot, tmp_path):
    from conftest import DEMO_TRACK

    from app.pipeline.live_test import session_factory
    from app.storage.accounts import add_user
    from app.ui.main_window import MainWindow
    db = open_db(tmp_path / "a.db", create=True)
    admin = admin_of(db)
    tid = add_trainee(db, admin, "Ann Lee", "female", 2006)
    ann = add_user(db, admin, "ann", "trainee", "2468", pin=True, trainee_id=tid)
    win = MainWindow(session_factory(DEMO_TRACK, realtime=False), "t", db, actor=ann)
    qtbot.addWidget(win)
    d = win.change_password()
    assert d.isVisible() and not d.isModal()
    d.old.setText("1111")
    d.new.setText("97531")
    d.again.setText("97531")
    assert not d.submit() and "type the current one again" in d.message.text()
    d.old.setText("2468")
    d.new.setText("97531")
    d.again.setText("97531")
    d.pin.setChecked(True)
    assert d.submit() and d.done_ok
    assert sign_in(db, "ann", "97531").trainee_id == tid
    with pytest.raises(AccessError):
        sign_in(db, "ann", "2468")
    last = list_audit(db, admin, 2)
    # the old PIN was tried after the change: refused and audited, after the change itself
    assert last[0]["action"] == "sign_in_failed" and '"username": "ann"' in last[0]["detail"]
    assert last[1]["action"] == "set_secret" and last[1]["username"] == "ann"
    win.close()
