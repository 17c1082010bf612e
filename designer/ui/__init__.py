"""The Qt layer: windows, canvas and panels (PySide6 + pyqtgraph)."""

import sys


def _immortal_none() -> None:
    """Work around PySide6 6.12 on Python 3.11: every Qt call that returns None drops a reference.

    Its bindings return ``None`` without taking a reference (correct only since
    Python 3.12, where None is immortal), so each ``label.setText(...)`` or
    ``widget.update()`` takes one from None's count: after about 5,000 calls the
    interpreter aborts with "deallocating None". None is never freed anyway, so
    giving it an enormous count (as 3.12 does) makes the leak harmless.
    """
    if sys.implementation.name == "cpython" and sys.version_info < (3, 12):
        import ctypes

        for singleton in (None, True, False):
            ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 48


_immortal_none()
