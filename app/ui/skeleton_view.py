"""Draws the subject's skeleton over the camera image, coloured by the last rep's verdict
(green counted, red refused, grey before any rep), the event's joint angles next to their
joints, the other people in view dimmed (a click on one makes them the subject), and the
pull-up bar line; plus the small 3D view of the lifted pose."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.core.overlay import event_angles, project_oblique
from app.core.skeleton import LIMBS
from app.core.visibility import visible

VERDICT_COLOURS = {None: QColor(150, 150, 150), True: QColor(40, 170, 70), False: QColor(210, 50, 50)}
OTHERS = QColor(120, 140, 170, 150)
BAR = QColor(255, 200, 40)


def separate(boxes: list[QRectF]) -> list[QRectF]:
    """The boxes, each moved down until it overlaps none before it: on a small view the elbow's and
    the hip's angle labels land on top of each other ("157°166°")."""
    placed: list[QRectF] = []
    for box in boxes:
        box = QRectF(box)
        while any(box.intersects(b) for b in placed):
            box.translate(0, box.height() + 1)
        placed.append(box)
    return placed


class SkeletonView(QWidget):
    clicked = Signal(float, float)  # image pixel (x, y) the user clicked

    def __init__(self, size: tuple[int, int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.src_size = size
        self.kpts: np.ndarray | None = None
        self.others: tuple[np.ndarray, ...] = ()
        self.image: QImage | None = None
        self.verdict: bool | None = None
        self.exercise = ""
        self.bar_y: float | None = None
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def show_frame(self, kpts: np.ndarray | None, image: np.ndarray | None, verdict: bool | None,
                   others: tuple[np.ndarray, ...] = ()) -> None:
        self.kpts, self.verdict, self.others = kpts, verdict, tuple(others)
        if image is not None:
            rgb = np.ascontiguousarray(image[..., ::-1])
            self.image = QImage(rgb.data, rgb.shape[1], rgb.shape[0], 3 * rgb.shape[1], QImage.Format.Format_RGB888).copy()
        self.update()

    def clear(self) -> None:
        """No picture and no skeleton (a new source chosen, nothing of the last one left)."""
        self.kpts, self.verdict, self.others, self.image = None, None, (), None
        self.update()

    def _fit(self) -> tuple[float, float, float]:
        """-> (scale, x offset, y offset) of the image in the widget."""
        w, h = self.src_size
        s = min(self.width() / w, self.height() / h)
        return s, (self.width() - w * s) / 2, (self.height() - h * s) / 2

    def to_image(self, x: float, y: float) -> tuple[float, float]:
        s, ox, oy = self._fit()
        return (x - ox) / s, (y - oy) / s

    def mousePressEvent(self, event) -> None:  # Qt names it
        x, y = self.to_image(event.position().x(), event.position().y())
        if 0 <= x < self.src_size[0] and 0 <= y < self.src_size[1]:
            self.clicked.emit(x, y)

    def _bones(self, p: QPainter, k: np.ndarray, pen: QPen, pt) -> None:
        seen = visible(k)
        p.setPen(pen)
        for a, b in LIMBS:
            if seen[a] and seen[b]:
                p.drawLine(pt(k, a), pt(k, b))

    def paintEvent(self, _event) -> None:  # Qt names it
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(30, 30, 34))
        s, ox, oy = self._fit()
        w, h = self.src_size
        if self.image is not None:
            p.drawImage(int(ox), int(oy), self.image.scaled(int(w * s), int(h * s)))
        if self.bar_y is not None:
            p.setPen(QPen(BAR, 2, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(ox, oy + self.bar_y * s), QPointF(ox + w * s, oy + self.bar_y * s))
        pt = lambda k, j: QPointF(ox + k[j, 0] * s, oy + k[j, 1] * s)
        for other in self.others:
            self._bones(p, other, QPen(OTHERS, 2), pt)
        if self.kpts is None:
            p.end()
            return
        k = self.kpts
        if self.others:  # several people: a halo says which one is being scored
            self._bones(p, k, QPen(QColor(255, 255, 255, 90), 10), pt)
        self._bones(p, k, QPen(VERDICT_COLOURS[self.verdict], 4), pt)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(240, 240, 240))
        for j in np.flatnonzero(visible(k)):
            p.drawEllipse(pt(k, int(j)), 4, 4)
        font = QFont()
        font.setPointSize(10)
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor(255, 235, 120))
        metrics = p.fontMetrics()
        labels = [(f"{deg:.0f}°", pt(k, j) + QPointF(8, -8)) for j, _label, deg in event_angles(k, self.exercise)]
        boxes = [QRectF(metrics.boundingRect(text)).translated(at) for text, at in labels]
        for (text, at), old, new in zip(labels, boxes, separate(boxes), strict=True):
            p.drawText(at + QPointF(0, new.top() - old.top()), text)
        p.end()


class Skeleton3DView(QWidget):
    """The lifted pose (17, 3) m seen from a fixed three-quarter view, scaled to fit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.joints: np.ndarray | None = None
        self.setMinimumSize(160, 160)

    def show_pose(self, joints: np.ndarray | None) -> None:
        self.joints = joints
        self.update()

    def paintEvent(self, _event) -> None:  # Qt names it
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor(24, 24, 30))
        p.setPen(QColor(150, 150, 160))
        p.drawText(6, 14, "3D view (estimated from the 2D pose)")
        if self.joints is None:
            p.drawText(6, 30, "waiting for the pose")
            p.end()
            return
        xy = project_oblique(self.joints)
        span = float(np.ptp(xy, axis=0).max()) or 1.0
        s = 0.8 * min(self.width(), self.height()) / span
        c = (xy.max(0) + xy.min(0)) / 2
        pt = lambda j: QPointF(self.width() / 2 + (xy[j, 0] - c[0]) * s, self.height() / 2 + (xy[j, 1] - c[1]) * s)
        p.setPen(QPen(QColor(90, 200, 255), 3))
        for a, b in LIMBS:
            p.drawLine(pt(a), pt(b))
        p.end()
