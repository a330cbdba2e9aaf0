"""The desktop GUI (PySide6 + pyqtgraph). Only this package imports Qt."""
