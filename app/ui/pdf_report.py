"""Score reports as PDF, drawn with Qt's own PDF writer (no other dependency).

A4 portrait in points (72 per inch). Each report: a title block, the figures, a chart where a
reader would rather look than read (a session's driving signal with its reps shaded by
verdict, a trainee's standard reps per session and event, a unit's passed / failed per
event), then the tables, broken across pages with their header repeated. Every page says
what it is, when it was made, by whom, and its number. The chart geometry is
app.reports.chart (pure); this module only paints. Written aside and moved into place; the
file is checked to be a whole PDF before it replaces anything.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from app.reports.chart import Box, nice_ticks, polylines, to_x, to_y, value_range
from app.reports.csv_report import cell_text
from app.reports.files import Cancelled, write_atomic
from app.reports.model import EVENT_NAMES, SessionReport, TraineeReport, UnitReport

W, H = 595.0, 842.0          # A4 in points
MARGIN = 42.0


def _load_qt() -> None:
    """Qt is loaded when the first PDF is drawn, not when app.reports is imported: reports stay
    usable (CSV) where PySide6 is missing, and the layer below the window pulls in no Qt
    (the import-linter contract in pyproject.toml names this one exception)."""
    global QMarginsF, QPointF, QRectF, Qt, QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen
    global QPolygonF, GREEN, RED, GREY, EVENT_COLOURS
    if "EVENT_COLOURS" in globals():
        return
    from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen, QPolygonF
    GREEN, RED, GREY = QColor(30, 132, 73), QColor(192, 57, 43), QColor(120, 120, 120)
    EVENT_COLOURS = {"pushup": QColor(41, 128, 185), "pullup": QColor(142, 68, 173), "situp": QColor(211, 84, 0)}


def ensure_gui_app() -> None:
    """Text needs a Qt application; the command line has none (offscreen when no display). A
    QApplication, not a bare QGuiApplication: a window opened later in the process needs one."""
    _load_qt()
    from PySide6.QtWidgets import QApplication
    if QApplication.instance() is None:
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        ensure_gui_app.app = QApplication([])  # kept alive for the process


class _Pages:
    """A cursor down the page: blocks ask for room and start a new page when there is none."""

    def __init__(self, painter: QPainter, writer: QPdfWriter, footer: str, progress) -> None:
        self.p, self.writer, self.footer, self.progress = painter, writer, footer, progress
        self.page = 1
        self.y = MARGIN
        self._footer()

    def _font(self, size: float, bold: bool = False) -> None:
        f = QFont("DejaVu Sans")
        f.setPointSizeF(size)
        f.setBold(bold)
        self.p.setFont(f)

    def _footer(self) -> None:
        self._font(7)
        self.p.setPen(GREY)
        self.p.drawText(QRectF(MARGIN, H - MARGIN + 8, W - 2 * MARGIN, 12), Qt.AlignmentFlag.AlignLeft, self.footer)
        self.p.drawText(QRectF(MARGIN, H - MARGIN + 8, W - 2 * MARGIN, 12), Qt.AlignmentFlag.AlignRight,
                        f"page {self.page}")
        self.p.setPen(Qt.GlobalColor.black)

    def need(self, h: float) -> None:
        if self.y + h > H - MARGIN:
            self.writer.newPage()
            self.page += 1
            self.y = MARGIN
            self._footer()

    def text(self, line: str, size: float = 9.5, bold: bool = False, colour: QColor | None = None,
             gap: float = 3.0) -> None:
        self._font(size, bold)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap
        h = max(size * 1.45, self.p.boundingRect(QRectF(0, 0, W - 2 * MARGIN, H), flags, line).height())
        self.need(h)
        self._font(size, bold)  # a new page drew its footer in another font
        self.p.setPen(colour or Qt.GlobalColor.black)
        self.p.drawText(QRectF(MARGIN, self.y, W - 2 * MARGIN, h), flags, line)
        self.p.setPen(Qt.GlobalColor.black)
        self.y += h + gap

    def pairs(self, items: list[tuple[str, object]], columns: int = 2) -> None:
        """Label: value pairs in columns (the report's figures)."""
        col_w = (W - 2 * MARGIN) / columns
        for k in range(0, len(items), columns):
            self.need(14)
            for j, (label, value) in enumerate(items[k:k + columns]):
                x = MARGIN + j * col_w
                self._font(8, False)
                self.p.setPen(GREY)
                self.p.drawText(QRectF(x, self.y, col_w * 0.42, 13), Qt.AlignmentFlag.AlignVCenter, label)
                self._font(9, True)
                self.p.setPen(Qt.GlobalColor.black)
                self.p.drawText(QRectF(x + col_w * 0.42, self.y, col_w * 0.58, 13), Qt.AlignmentFlag.AlignVCenter,
                                cell_text(value) or "-")
            self.y += 14
        self.y += 6

    def table(self, headers: list[str], rows: list[list], widths: list[float],
              shade: Callable[[int], QColor | None] | None = None) -> None:
        """rows broken across pages, the header repeated; widths: fractions of the text width."""
        total_w = W - 2 * MARGIN
        xs = [MARGIN]
        for f in widths:
            xs.append(xs[-1] + f * total_w)
        row_h = 13.0

        def header() -> None:
            self.need(row_h * 2)
            self.p.fillRect(QRectF(MARGIN, self.y, total_w, row_h), QColor(230, 230, 230))
            self._font(7.5, True)
            for j, h in enumerate(headers):
                self.p.drawText(QRectF(xs[j] + 2, self.y, xs[j + 1] - xs[j] - 4, row_h),
                                Qt.AlignmentFlag.AlignVCenter, h)
            self.y += row_h
        header()
        for i, row in enumerate(rows):
            if self.y + row_h > H - MARGIN:
                self.need(H)  # a new page
                header()
            colour = shade(i) if shade else None
            if colour is not None:
                self.p.fillRect(QRectF(MARGIN, self.y, total_w, row_h), colour)
            self._font(7.5)
            for j, v in enumerate(row):
                cell = QRectF(xs[j] + 2, self.y, xs[j + 1] - xs[j] - 4, row_h)
                text = self.p.fontMetrics().elidedText(cell_text(v), Qt.TextElideMode.ElideRight, int(cell.width()))
                self.p.drawText(cell, Qt.AlignmentFlag.AlignVCenter, text)
            self.p.setPen(QPen(QColor(225, 225, 225), 0.4))
            self.p.drawLine(QPointF(MARGIN, self.y + row_h), QPointF(MARGIN + total_w, self.y + row_h))
            self.p.setPen(Qt.GlobalColor.black)
            self.y += row_h
            if self.progress and i % 50 == 49:
                self.progress(i + 1, len(rows))
        self.y += 10

    def chart_frame(self, box: Box, lo: float, hi: float, y_label: str) -> None:
        """Axes with the y ticks; the caller draws the data and the x labels."""
        self.p.setPen(QPen(QColor(200, 200, 200), 0.5))
        self._font(7)
        for t in nice_ticks(lo, hi, 4):
            y = to_y(t, lo, hi, box)
            self.p.drawLine(QPointF(box.x, y), QPointF(box.x + box.w, y))
            self.p.setPen(GREY)
            self.p.drawText(QRectF(box.x - 34, y - 6, 30, 12), Qt.AlignmentFlag.AlignRight |
                            Qt.AlignmentFlag.AlignVCenter, f"{t:g}")
            self.p.setPen(QPen(QColor(200, 200, 200), 0.5))
        self.p.setPen(QPen(Qt.GlobalColor.black, 0.7))
        self.p.drawRect(QRectF(box.x, box.y, box.w, box.h))
        self.p.save()
        self.p.translate(box.x - 38, box.y + box.h / 2)
        self.p.rotate(-90)
        self.p.setPen(GREY)
        self.p.drawText(QRectF(-box.h / 2, -10, box.h, 10), Qt.AlignmentFlag.AlignCenter, y_label)
        self.p.restore()

    def line(self, points: list[tuple[float, float]], colour: QColor, width: float = 1.0) -> None:
        self.p.setPen(QPen(colour, width))
        self.p.drawPolyline(QPolygonF([QPointF(x, y) for x, y in points]))


def _when(iso: str) -> str:
    """'2026-03-10T09:00:00+00:00' -> '2026-03-10 09:00 UTC' (stored times are UTC)."""
    text = iso.replace("T", " ")
    return text[:16] + " UTC" if text.endswith("+00:00") else text


def _session(pg: _Pages, r: SessionReport) -> None:
    pg.text(f"Session {r.session_id}: {r.trainee}, {EVENT_NAMES.get(r.exercise, r.exercise)}", 15, True)
    colour = RED if r.status.startswith("FAILED") else GREY
    pg.text(f"record: {r.status}", 8.5, colour=colour, gap=8)
    pg.pairs([("started", _when(r.started)), ("unit", r.unit), ("view", r.view),
              ("duration", f"{r.duration_s:.1f} s"), ("standard reps", r.count_standard),
              ("total reps", r.count_total), ("points", r.points), ("scoring table", r.table)])
    pg.text("Driving signal and reps (green: counted, red: refused)", 10, True)
    box = Box(MARGIN + 42, pg.y + 4, W - 2 * MARGIN - 46, 150)
    pg.need(box.h + 30)
    box = Box(box.x, pg.y + 4, box.w, box.h)
    n = len(r.drive)
    lo, hi = value_range(r.drive)
    for rep in r.reps:
        x0, x1 = to_x(rep.start, n, box), to_x(rep.end, n, box)
        c = QColor(GREEN if rep.counted else RED)
        c.setAlpha(50)
        pg.p.fillRect(QRectF(x0, box.y, max(0.8, x1 - x0), box.h), c)
        pg._font(6.5, True)
        pg.p.setPen(GREEN if rep.counted else RED)
        pg.p.drawText(QRectF(x0, box.y + 1, max(10.0, x1 - x0), 9), Qt.AlignmentFlag.AlignHCenter, str(rep.n))
    pg.chart_frame(box, lo, hi, "signal")
    for run in polylines(r.drive, box, lo, hi):
        pg.line(run, QColor(41, 98, 255), 0.9)
    pg._font(7)
    pg.p.setPen(GREY)
    seconds = n / r.fps if r.fps else 0.0
    for t in nice_ticks(0.0, seconds, 6):
        x = to_x(t * r.fps, n, box)
        pg.p.drawText(QRectF(x - 20, box.y + box.h + 2, 40, 10), Qt.AlignmentFlag.AlignHCenter, f"{t:g} s")
    pg.y = box.y + box.h + 22
    if r.refused:
        pg.text("Refused reps by reason", 10, True)
        pg.table(["reason", "reps"], [[why, k] for why, k in r.refused], [0.85, 0.15])
    pg.text("Every rep", 10, True)
    pg.table(["rep", "frames", "time", "verdict", "P(std)", "reasons / correction"],
             [[x.n, f"{x.start}-{x.end}", f"{x.start / r.fps:.1f}-{x.end / r.fps:.1f} s",
               "counted" if x.counted else "refused", "" if x.p_standard is None else f"{x.p_standard:.2f}",
               "; ".join(x.reasons) + (f" [overruled: {x.overruled}]" if x.overruled else "")] for x in r.reps],
             [0.07, 0.12, 0.14, 0.1, 0.08, 0.49],
             lambda i: None if r.reps[i].counted else QColor(250, 219, 216))


def _trainee(pg: _Pages, r: TraineeReport) -> None:
    pg.text(f"Trainee: {r.trainee}", 15, True, gap=8)
    pairs: list = [("unit", r.unit), ("sex", r.sex), ("born", r.birth_year), ("sessions", len(r.history))]
    for ev, pts in r.progress.items():
        pairs.append((f"best {EVENT_NAMES.get(ev, ev)}", max(n for _, n in pts)))
    pg.pairs(pairs)
    if r.progress:
        pg.text("Progress: standard reps per session", 10, True)
        pg.need(190)
        box = Box(MARGIN + 42, pg.y + 4, W - 2 * MARGIN - 46, 150)
        most = max(len(v) for v in r.progress.values())
        top = max(n for v in r.progress.values() for _, n in v)
        lo, hi = 0.0, max(1.0, float(top) * 1.15)
        pg.chart_frame(box, lo, hi, "standard reps")
        legend_x = box.x
        for ev, pts in r.progress.items():
            c = EVENT_COLOURS.get(ev, GREY)
            xy = [(to_x(i, most, box), to_y(float(n), lo, hi, box)) for i, (_d, n) in enumerate(pts)]
            if len(xy) > 1:
                pg.line(xy, c, 1.3)
            pg.p.setBrush(c)
            for x, y in xy:
                pg.p.drawEllipse(QPointF(x, y), 2.2, 2.2)
            pg.p.setBrush(Qt.BrushStyle.NoBrush)
            pg._font(7.5, True)
            pg.p.setPen(c)
            pg.p.drawText(QRectF(legend_x, box.y + box.h + 14, 90, 10), Qt.AlignmentFlag.AlignLeft,
                          f"— {EVENT_NAMES.get(ev, ev)}")
            legend_x += 90
        pg.p.setPen(GREY)
        pg._font(7)
        longest = max(r.progress.values(), key=len)
        if len(longest) <= 12:  # few enough to name each session's day under it
            for i, (day, _n) in enumerate(longest):
                pg.p.drawText(QRectF(to_x(i, most, box) - 25, box.y + box.h + 2, 50, 10),
                              Qt.AlignmentFlag.AlignHCenter, day)
        pg.p.drawText(QRectF(box.x, box.y + box.h + 14, box.w, 10), Qt.AlignmentFlag.AlignRight,
                      "sessions in order, oldest left")
        pg.y = box.y + box.h + 30
    pg.text("History", 10, True)
    pg.table(["session", "day", "event", "standard", "total", "points", "record"],
             [[h.session_id, h.day, EVENT_NAMES.get(h.exercise, h.exercise), h.count_standard, h.count_total,
               h.points, h.status] for h in r.history], [0.09, 0.13, 0.12, 0.1, 0.08, 0.09, 0.39],
             lambda i: QColor(250, 219, 216) if r.history[i].status.startswith("FAILED") else None)


def _unit(pg: _Pages, r: UnitReport) -> None:
    pg.text(f"Unit report: {r.unit}", 15, True)
    own = f"; {r.pass_by_event}" if r.pass_by_event else ""
    pg.text(f"{r.start or 'all sessions'} to {r.end}; points by {r.table} (pass mark {r.pass_points:g} points "
            f"per event{own}); best and latest standard reps of each trainee", 8.5, colour=GREY, gap=8)
    pg.pairs([("trainees tested", len({u.trainee for u in r.rows})), ("no session yet", len(r.untested)),
              ("rows", len(r.rows)), ("passed", r.passed), ("failed", r.failed)])
    if r.untested:
        pg.text("No session yet: " + ", ".join(r.untested), 8.5, colour=GREY, gap=6)
    events = sorted({u.exercise for u in r.rows})
    if events:
        pg.text("Latest result against the pass mark, per event", 10, True)
        pg.need(22 * len(events) + 20)
        bar_x, bar_w = MARGIN + 70, W - 2 * MARGIN - 150
        for ev in events:
            rows = [u for u in r.rows if u.exercise == ev]
            parts = [(sum(1 for u in rows if u.passed), GREEN, "passed"),
                     (sum(1 for u in rows if u.passed is False), RED, "failed"),
                     (sum(1 for u in rows if u.passed is None), GREY, "no table row")]
            pg._font(8.5, True)
            pg.p.setPen(Qt.GlobalColor.black)
            pg.p.drawText(QRectF(MARGIN, pg.y, 68, 16), Qt.AlignmentFlag.AlignVCenter, EVENT_NAMES.get(ev, ev))
            x = bar_x
            for k, colour, _label in parts:
                w = bar_w * k / len(rows)
                if w > 0:
                    pg.p.fillRect(QRectF(x, pg.y + 2, w, 12), colour)
                    pg._font(7, True)
                    pg.p.setPen(Qt.GlobalColor.white)
                    pg.p.drawText(QRectF(x, pg.y + 2, w, 12), Qt.AlignmentFlag.AlignCenter, str(k))
                x += w
            pg._font(7)
            pg.p.setPen(GREY)
            pg.p.drawText(QRectF(bar_x + bar_w + 6, pg.y, 80, 16), Qt.AlignmentFlag.AlignVCenter,
                          f"{parts[0][0]}/{len(rows)} passed")
            pg.y += 22
        pg.y += 6
    pg.text("Everyone", 10, True)
    pg.table(["trainee", "event", "sessions", "best", "pts", "latest", "pts", "on", "passed", "records"],
             [[u.trainee, EVENT_NAMES.get(u.exercise, u.exercise), u.sessions, u.best, u.best_points, u.latest,
               u.latest_points, u.latest_day, "no row" if u.passed is None else ("yes" if u.passed else "NO"),
               "verified" if u.verified else "FAILED"] for u in r.rows],
             [0.2, 0.1, 0.09, 0.07, 0.07, 0.07, 0.07, 0.12, 0.08, 0.13],
             lambda i: (QColor(250, 219, 216) if r.rows[i].passed is False or not r.rows[i].verified else
                        QColor(213, 245, 227) if r.rows[i].passed else None))


def write_report_pdf(report: SessionReport | TraineeReport | UnitReport, path: str | Path, by: str = "",
                     progress: Callable[[int, int], None] | None = None) -> Path:
    """-> the path written; ExportError naming the path and the fix; Cancelled from progress
    leaves nothing behind."""
    ensure_gui_app()
    what = {SessionReport: "session report", TraineeReport: "trainee report", UnitReport: "unit report"}[type(report)]
    footer = f"DrillScore {what} · made {datetime.now().strftime('%Y-%m-%d %H:%M')}" + (f" by {by}" if by else "")

    def write(tmp: Path) -> None:
        writer = QPdfWriter(str(tmp))
        writer.setResolution(72)  # page units are points
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                         QMarginsF(0, 0, 0, 0)))
        writer.setTitle(f"DrillScore {what}")
        writer.setCreator("DrillScore")
        painter = QPainter()
        if not painter.begin(writer):
            raise OSError(f"cannot start a PDF at {tmp}")
        try:
            pg = _Pages(painter, writer, footer, progress)
            {SessionReport: _session, TraineeReport: _trainee, UnitReport: _unit}[type(report)](pg, report)
        except Cancelled:
            painter.end()
            tmp.unlink(missing_ok=True)
            raise
        finally:
            if painter.isActive():
                painter.end()
        del writer  # closes the file
        _check_whole(tmp)
    return write_atomic(path, write)  # Cancelled passes through; write() removed its part file


def _check_whole(tmp: Path) -> None:
    """Qt does not report a failed write (a full disk): a whole PDF ends with %%EOF."""
    try:
        with open(tmp, "rb") as fh:
            fh.seek(max(0, tmp.stat().st_size - 64))
            tail = fh.read()
    except OSError as e:
        raise OSError(e.errno, f"the PDF could not be read back ({e.strerror})") from None
    if b"%%EOF" not in tail:
        raise OSError(28, "the PDF was not written whole (is the disk full?)")
