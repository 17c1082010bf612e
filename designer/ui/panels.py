"""Extra docks from the other parts of the app (training, try-it, ...).

Each helper adds one line to ``install_panels`` that builds its panel and docks
it with ``window.add_dock(title, widget, area)``; a panel that needs menu
entries gets the menu with ``window.menu("Model")``. Panels receive the shared
``window.document`` (see document.py) and must not import torch at module
level: the window has to paint before torch loads.
"""

from __future__ import annotations


def install_panels(window) -> None:
    """Dock every optional panel into ``window`` (a MainWindow)."""
    # e.g.: from designer.ui.training_panel import TrainingPanel
    #       window.add_dock("Training", TrainingPanel(window.document), Qt.RightDockWidgetArea)
    from designer.ui.drawpad import install as install_tryit; install_tryit(window)  # Try it + Look inside docks
    from designer.ui.export_dialog import install as install_export; install_export(window)  # File → Export, Import
    from designer.ui.training_panel import install as install_training; install_training(window)  # Training dock
