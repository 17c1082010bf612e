import os

# Qt must pick its platform before the first QApplication exists.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
