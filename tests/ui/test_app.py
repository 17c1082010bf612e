"""Starting the app: no torch on the way to the first paint."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys, tempfile
from PySide6.QtCore import QSettings, QTimer
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
from PySide6.QtWidgets import QApplication
app = QApplication([])
from designer.ui import app as ui_app
def report():
    print("TITLE", [w.windowTitle() for w in QApplication.topLevelWidgets() if w.isVisible()])
    print("TORCH", "torch" in sys.modules)
    import gc
    print("AUTOGC", gc.isenabled())
    app.quit()
QTimer.singleShot(200, report)
sys.exit(ui_app.run_app(sys.argv[1:]))
"""


def test_app_starts_on_lenet_without_importing_torch():
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert "TORCH False" in result.stdout, result.stdout + result.stderr
    assert "LeNet for MNIST" in result.stdout
    # workers (training, export, import) must never be where the cyclic GC frees Qt objects
    assert "AUTOGC False" in result.stdout
