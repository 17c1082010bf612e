"""The Qt layer: windows, canvas and panels (PySide6 + pyqtgraph)."""
