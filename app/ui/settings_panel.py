"""Admin > Settings: model folder, ONNX provider, camera resolution, recordings folder, and
the standards' thresholds (edit, reset to defaults). Saved to the settings file; everyone
reading settings (the live workspace, the model loaders) gets the change at once."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.assess.threshold_text import TEXT, check
from app.assess.thresholds import Thresholds
from app.config import PROVIDERS, Settings, SettingsError, save_settings
from app.ui.widgets import say, table


class SettingsModel(QObject):
    """The current settings and where they are saved; `changed` after every save."""

    changed = Signal(object)

    def __init__(self, value: Settings, path: Path | None = None) -> None:
        super().__init__()
        self.value, self.path = value, path

    def save(self, new: Settings) -> None:
        """Check, write (when there is a file), apply, tell everyone; SettingsError says what is wrong."""
        new.check()
        if self.path is not None:
            save_settings(new, self.path)
        new.apply()
        self.value = new
        self.changed.emit(new)


class SettingsPanel(QWidget):
    def __init__(self, model: SettingsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.model_dir = QLineEdit()
        self.model_dir.setPlaceholderText("bundled models")
        self.provider = QComboBox()
        self.provider.addItems(list(PROVIDERS))
        self.cam_w, self.cam_h = QSpinBox(), QSpinBox()
        self.cam_w.setRange(160, 3840)
        self.cam_h.setRange(120, 2160)
        self.recordings = QLineEdit()
        self.recordings.setPlaceholderText("next to the database")
        browse = QPushButton("Browse...")
        browse.clicked.connect(self._browse_models)
        self.thresholds = table(["rule", "value", "unit", "allowed", "default", "name in the file"])
        self.advanced = QCheckBox("advanced: every number, with its name in the settings file")
        self.advanced.toggled.connect(self._show_rows)
        self.thresholds.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                        | QAbstractItemView.EditTrigger.EditKeyPressed
                                        | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.reset_btn = QPushButton("Reset thresholds to defaults")
        self.save_btn = QPushButton("Save settings")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        models_row = QHBoxLayout()
        models_row.addWidget(self.model_dir)
        models_row.addWidget(browse)
        cam_row = QHBoxLayout()
        cam_row.addWidget(self.cam_w)
        cam_row.addWidget(QLabel("x"))
        cam_row.addWidget(self.cam_h)
        form = QFormLayout()
        form.addRow("model folder", models_row)
        form.addRow("ONNX provider", self.provider)
        form.addRow("camera resolution", cam_row)
        form.addRow("recordings folder", self.recordings)
        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.save_btn)
        left.addWidget(self.message)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(QLabel("The standards' numbers (double-click a value to change it)"))
        right.addWidget(self.thresholds)
        right.addWidget(self.advanced)
        right.addWidget(self.reset_btn)
        top = QHBoxLayout(self)
        top.addLayout(left, 2)
        top.addLayout(right, 3)
        self.reset_btn.clicked.connect(self.reset_thresholds)
        self.save_btn.clicked.connect(self.save)
        self.show_settings(model.value)

    def show_settings(self, s: Settings) -> None:
        self.model_dir.setText(s.model_dir)
        self.provider.setCurrentText(s.provider)
        self.cam_w.setValue(s.camera_size[0])
        self.cam_h.setValue(s.camera_size[1])
        self.recordings.setText(s.recordings)
        self._fill_thresholds(s.rules())

    def _fill_thresholds(self, th: Thresholds) -> None:
        defaults = Thresholds().to_dict()
        values = th.to_dict()
        self.thresholds.setRowCount(len(values))
        for i, (name, v) in enumerate(values.items()):
            t = TEXT[name]
            for j, text in enumerate((t.label, f"{v:g}", t.unit, f"{t.lo:g} to {t.hi:g}", f"{defaults[name]:g}", name)):
                item = QTableWidgetItem(text)
                if j != 1:  # only the value is edited
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.thresholds.setItem(i, j, item)
        self.thresholds.resizeColumnsToContents()
        self._show_rows()

    def _show_rows(self) -> None:
        """The rules a grader recognises by default; every number and its file name under advanced."""
        adv = self.advanced.isChecked()
        self.thresholds.setColumnHidden(5, not adv)
        for i in range(self.thresholds.rowCount()):
            self.thresholds.setRowHidden(i, not (adv or TEXT[self.thresholds.item(i, 5).text()].basic))

    def reset_thresholds(self) -> None:
        """Every threshold back to its default in the form (saved with Save settings)."""
        self._fill_thresholds(Thresholds())
        self._say("thresholds reset to the defaults: press Save settings to keep them")

    def _form_thresholds(self) -> dict[str, float]:
        out = {}
        for i in range(self.thresholds.rowCount()):
            name, text = self.thresholds.item(i, 5).text(), self.thresholds.item(i, 1).text()
            try:
                out[name] = float(text)
            except ValueError:
                raise SettingsError(f"{TEXT[name].label}: {text!r} is not a number") from None
            problem = check(name, out[name])
            if problem:
                raise SettingsError(problem)
        return out

    def form(self) -> Settings:
        return dataclasses.replace(self.model.value, model_dir=self.model_dir.text().strip(),
                                   provider=self.provider.currentText(),
                                   camera_size=(self.cam_w.value(), self.cam_h.value()),
                                   recordings=self.recordings.text().strip()).with_thresholds(self._form_thresholds())

    def save(self) -> bool:
        try:
            self.model.save(self.form())
        except SettingsError as e:
            self._say(str(e), error=True)
            return False
        changed = len(self.model.value.thresholds)
        self._say(f"saved ({changed} threshold(s) differ from the defaults)")
        return True

    def _browse_models(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Model folder")
        if folder:
            self.model_dir.setText(folder)

    def _say(self, text: str, error: bool = False) -> None:
        say(self.message, text, error)
