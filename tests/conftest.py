import os

# Qt must pick its platform before the first QApplication exists.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests read English unless they ask for Chinese; the commands they start inherit this.
for _var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_var, None)
os.environ["LANG"] = "C.UTF-8"
