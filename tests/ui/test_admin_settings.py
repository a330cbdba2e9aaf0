"""Admin settings and scoring tables: the pure store (validated JSON, thresholds as overrides)
and the panels offscreen (import a table, make it active, change and reset thresholds), and
the live test scoring with what the admin chose."""
import json

import pytest
from conftest import admin_of

from app.assess.scoring import ScoringTableError, import_table, list_tables, table_rows
from app.assess.thresholds import Thresholds
from app.config import Settings, SettingsError, load_settings, save_settings

TABLE = {"name": "Unit table", "source": "test", "events": {"pushup": {"male": {"17-99": [[10, 50], [40, 100]]}}}}


def test_settings_round_trip_and_refuse_bad_values(tmp_path, monkeypatch):
    p = tmp_path / "settings.json"
    assert load_settings(p) == Settings()  # no file yet: the defaults
    s = Settings(provider="cpu", camera_size=(1280, 720)).with_thresholds({"pushup_depth": 0.3, "min_score": 0.3})
    assert s.thresholds == (("pushup_depth", 0.3),)  # only what differs from the defaults is kept
    save_settings(s, p)
    assert load_settings(p) == s and load_settings(p).rules().pushup_depth == 0.3
    for doc, msg in (({"provider": "tpu"}, "provider 'tpu'"), ({"camera_size": [10, 10]}, "out of range"),
                     ({"thresholds": {"pushup_dept": 1}}, "did you mean 'pushup_depth'"),
                     ({"colour": "red"}, "unknown setting 'colour'"),
                     ({"model_dir": str(tmp_path / "none")}, "does not exist")):
        p.write_text(json.dumps(doc))
        with pytest.raises(SettingsError, match=msg):
            load_settings(p)
    p.write_text("{not json")
    with pytest.raises(SettingsError, match="unreadable settings"):
        load_settings(p)
    monkeypatch.delenv("DRILLSCORE_PROVIDER", raising=False)
    Settings(provider="cpu").apply()
    from app.inference.session import providers
    assert providers() == ["CPUExecutionProvider"]
    Settings().apply()
    import os
    assert "DRILLSCORE_PROVIDER" not in os.environ


def test_scoring_tables_import_checks_before_copying(tmp_path):
    good, bad = tmp_path / "unit.json", tmp_path / "bad.json"
    good.write_text(json.dumps(TABLE))
    bad.write_text(json.dumps({**TABLE, "events": {"pushup": {"male": {"17-99": [[10, 50], [5, 100]]}}}}))
    mine = tmp_path / "mine"
    with pytest.raises(ScoringTableError, match="reps must increase"):
        import_table(bad, mine)
    assert not (mine / "bad.json").exists()
    t = import_table(good, mine)
    assert t.points("pushup", "male", 20, 25) == 75.0
    with pytest.raises(ScoringTableError, match="already imported"):
        import_table(good, mine)
    tables, problems = list_tables(mine)
    assert "Unit table" in [x.name for x in tables] and len(tables) >= 2 and not problems
    assert table_rows(t) == [("pushup", "male", "17-99", 10.0, 50.0), ("pushup", "male", "17-99", 40.0, 100.0)]


def test_admin_panels_import_activate_edit_and_reset(qtbot, tmp_path):
    from app.ui.scoring_panel import ScoringPanel
    from app.ui.settings_panel import SettingsModel, SettingsPanel
    model = SettingsModel(Settings(), tmp_path / "settings.json")
    seen = []
    model.changed.connect(seen.append)
    scoring = ScoringPanel(model, tmp_path / "tables")
    settings = SettingsPanel(model)
    qtbot.addWidget(scoring)
    qtbot.addWidget(settings)
    bad = tmp_path / "broken.json"
    bad.write_text("{")
    assert not scoring.import_file(bad) and "not valid JSON" in scoring.message.text()
    good = tmp_path / "unit.json"
    good.write_text(json.dumps(TABLE))
    assert scoring.import_file(good)
    row = next(i for i, t in enumerate(scoring.tables) if t.name == "Unit table")
    scoring.list.selectRow(row)
    assert scoring.rows.rowCount() == 2 and scoring.rows.item(1, 4).text() == "100"
    scoring.use_selected()
    assert model.value.scoring_table == str(tmp_path / "tables" / "unit.json") and seen
    assert load_settings(tmp_path / "settings.json").scoring_table == model.value.scoring_table
    settings.show_settings(model.value)
    i = next(i for i in range(settings.thresholds.rowCount()) if settings.thresholds.item(i, 5).text() == "pushup_depth")
    assert settings.thresholds.item(i, 0).text().startswith("push-up depth") and settings.thresholds.item(i, 2).text() \
        == "torso lengths" and not settings.thresholds.isRowHidden(i) and settings.thresholds.isColumnHidden(5)
    norm = next(i for i in range(settings.thresholds.rowCount()) if settings.thresholds.item(i, 5).text() ==
                "norm_situp_ready")
    assert settings.thresholds.isRowHidden(norm)  # internals only under advanced
    settings.advanced.setChecked(True)
    assert not settings.thresholds.isRowHidden(norm) and not settings.thresholds.isColumnHidden(5)
    settings.thresholds.item(i, 1).setText("5")
    assert not settings.save() and "outside -1 to 1" in settings.message.text()
    settings.thresholds.item(i, 1).setText("0.5")
    settings.provider.setCurrentText("cpu")
    assert settings.save() and model.value.rules().pushup_depth == 0.5 and model.value.provider == "cpu"
    assert model.value.scoring_table.endswith("unit.json")  # the other settings kept
    settings.thresholds.item(i, 1).setText("deep")
    assert not settings.save() and "'deep' is not a number" in settings.message.text()
    settings.reset_thresholds()
    assert settings.save() and model.value.thresholds == () and model.value.rules() == Thresholds()
    Settings().apply()


def test_live_test_judges_with_the_admins_thresholds_and_scores_with_the_active_table(qtbot, tmp_path):
    from conftest import DEMO_TRACK

    from app.pipeline.live_test import session_factory
    from app.storage.db import open_db, update_trainee
    from app.ui.live_workspace import LiveWorkspace
    db = open_db(tmp_path / "d.db", create=True)
    table = tmp_path / "unit.json"
    table.write_text(json.dumps(TABLE))
    me = admin_of(db)
    w = LiveWorkspace(session_factory(DEMO_TRACK, realtime=False, classifier=False), "demo", db=db, actor=me)
    qtbot.addWidget(w)
    w.new_trainee.setText("Cadet Di")
    w.quick_add()
    update_trainee(db, me, w.trainee_box.currentData()["id"], sex="male", birth_year=2000)
    w.reload_trainees()
    with qtbot.waitSignal(w.finished, timeout=60_000):
        w.start()
    normal = w.assessment
    assert normal.count_standard > 0
    # an impossible depth standard: every rep refused as not deep enough, the total unchanged
    w.app_settings = Settings(scoring_table=str(table)).with_thresholds({"pushup_depth": -5.0,
                                                                        "pushup_depth_front": -5.0})
    with qtbot.waitSignal(w.finished, timeout=60_000):
        w.start()
    strict = w.assessment
    assert strict.count_total == normal.count_total and strict.count_standard == 0
    assert all("not_deep_enough" in r.reasons for r in strict.reps)
    assert "(Unit table)" in w.summary_label.text()  # points from the active table
    w.shutdown()
