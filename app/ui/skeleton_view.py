"""Draws the subject's skeleton (over the camera image when there is one), coloured by the
last rep's verdict: green when it counted, red when it was refused, grey before any rep."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.core.skeleton import LIMBS

VERDICT_COLOURS = {None: QColor(150, 150, 150), True: QColor(40, 170, 70), False: QColor(210, 50, 50)}


class SkeletonView(QWidget):
    def __init__(self, size: tuple[int, int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.src_size = size
        self.kpts: np.ndarray | None = None
        self.image: QImage | None = None
        self.verdict: bool | None = None
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def show_frame(self, kpts: np.ndarray | None, image: np.ndarray | None, verdict: bool | None) -> None:
        self.kpts, self.verdict = kpts, verdict
        if image is not None:
            rgb = np.ascontiguousarray(image[..., ::-1])
            self.image = QImage(rgb.data, rgb.shape[1], rgb.shape[0], 3 * rgb.shape[1], QImage.Format.Format_RGB888).copy()
        self.update()

    def paintEvent(self, _event) -> None:  # Qt names it
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(30, 30, 34))
        w, h = self.src_size
        s = min(self.width() / w, self.height() / h)
        ox, oy = (self.width() - w * s) / 2, (self.height() - h * s) / 2
        if self.image is not None:
            p.drawImage(int(ox), int(oy), self.image.scaled(int(w * s), int(h * s)))
        if self.kpts is None:
            p.end()
            return
        pt = lambda j: QPointF(ox + self.kpts[j, 0] * s, oy + self.kpts[j, 1] * s)
        seen = self.kpts[:, 2] > 0.2
        p.setPen(QPen(VERDICT_COLOURS[self.verdict], 4))
        for a, b in LIMBS:
            if seen[a] and seen[b]:
                p.drawLine(pt(a), pt(b))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(240, 240, 240))
        for j in np.flatnonzero(seen):
            p.drawEllipse(pt(int(j)), 4, 4)
        p.end()
