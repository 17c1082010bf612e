import os

# Qt must pick its platform before the first QApplication exists.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests read English unless they ask for Chinese; the commands they start inherit this.
for _var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_var, None)
os.environ["LANG"] = "C.UTF-8"


import pytest  # noqa: E402  (after the environment above is set)

from designer.core import i18n  # noqa: E402


@pytest.fixture
def chinese():
    """The core's messages in Chinese for one test, English again after it."""
    i18n.set_language(i18n.CHINESE)
    yield
    i18n.set_language(i18n.ENGLISH)
