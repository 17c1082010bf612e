"""The interface language: Qt's translators for designer/ui, gettext (designer.core.i18n) for the rest.

Widgets put their text through ``self.tr("...")`` (or ``QCoreApplication.translate(context, "...")``
outside a QObject); placeholders are ``str.format`` names. Counted text is two strings chosen in
Python (``tr("1 block") if n == 1 else tr("{count} blocks")``): Qt's ``%n`` would need an English
catalog as well to read "1 block". The sources are ``designer/resources/locale/netdesigner_zh_CN.ts``
(``python tools/translations.py update`` refreshes them from the code, ``compile`` writes the ``.qm``
beside them). The language is chosen when the app starts: the one saved by View ▸ Language, else the
system's.
"""

from __future__ import annotations

import sys
from importlib import resources

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLibraryInfo, QLocale, QProcess, QTranslator
from PySide6.QtGui import QActionGroup, QFontDatabase
from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

from designer.core import i18n as core_i18n
from designer.ui import settings

SETTING = "language"
CJK_FONT_PACKAGE = "fonts-noto-cjk"
# Qt's own strings (Cancel, Yes, the file dialog): qtbase is Qt 6's catalog, qt_ the older umbrella one.
QT_CATALOGS = ("qtbase", "qt")
# Labels of Qt's file dialog that Qt's zh_CN catalog lacks (it has "Look in:" without the access key): ours
# carries them in Qt's own context, and being installed last it is asked first.
QT_CATALOG_GAPS = (QT_TRANSLATE_NOOP("QFileDialog", "&Look in:"), QT_TRANSLATE_NOOP("QFileDialog", "Files of &type:"))
# Each language as the current interface names it ("Chinese", "中文"); the menu shows core_i18n.NATIVE_NAMES.
LANGUAGE_NAMES = {core_i18n.ENGLISH: QT_TRANSLATE_NOOP("Language", "English"),
                  core_i18n.CHINESE: QT_TRANSLATE_NOOP("Language", "Chinese")}

_installed: list[QTranslator] = []
_data: list[bytes] = []  # QTranslator.load(bytes) keeps a pointer into these: keep them alive


def system_language() -> str:
    """The language of the system's locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG on Linux)."""
    names = QLocale.system().uiLanguages() or [QLocale.system().name()]
    return core_i18n.language_for(names[0])


def saved_language() -> str | None:
    value = settings.settings().value(SETTING)
    return value if value in core_i18n.LANGUAGES else None


def save_language(language: str) -> None:
    settings.settings().setValue(SETTING, language)


def chosen_language() -> str:
    """What the app starts in: the saved choice, else the system's language."""
    return saved_language() or system_language()


def install(app: QCoreApplication, language: str | None = None) -> str:
    """Put the app (and core's messages) into ``language`` (default: ``chosen_language()``)."""
    language = language if language in core_i18n.LANGUAGES else chosen_language()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    _data.clear()
    core_i18n.set_language(language)
    if language == core_i18n.ENGLISH:
        return language
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in QT_CATALOGS:
        translator = QTranslator(app)
        if translator.load(f"{name}_{language}", qt_dir):
            _installed.append(translator)
    data = (resources.files("designer") / "resources" / "locale" / f"netdesigner_{language}.qm").read_bytes()
    translator = QTranslator(app)
    if translator.load(data):
        _data.append(data)
        _installed.append(translator)
    for translator in _installed:
        app.installTranslator(translator)
    return language


def missing_cjk_font() -> bool:
    """True when no installed font can draw Simplified Chinese."""
    return not QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)



def install_menu(window: QMainWindow) -> None:
    """View ▸ Language: English / 中文, each named in its own words, the current one checked."""
    menu = window.menu("View").addMenu(QCoreApplication.translate("Language", "&Language"))
    menu.setObjectName("menu_language")
    group = QActionGroup(menu)
    for code in core_i18n.LANGUAGES:
        action = menu.addAction(core_i18n.NATIVE_NAMES[code])
        action.setObjectName(f"action_language_{code}")
        action.setCheckable(True)
        action.setChecked(code == core_i18n.language())
        action.triggered.connect(lambda _=False, c=code: choose(window, c))
        group.addAction(action)


def choose(window: QMainWindow, code: str) -> None:
    """Remember ``code``; widgets are built in one language, so it applies from the next start (offered now)."""
    save_language(code)
    if code == core_i18n.language():
        return
    text = QCoreApplication.translate("Language", "NetDesigner will speak {language} from its next start.")
    name = QCoreApplication.translate("Language", LANGUAGE_NAMES[code])
    native = core_i18n.NATIVE_NAMES[code]
    if native != name:
        name = QCoreApplication.translate("Language", "{name} ({native})").format(name=name, native=native)
    box = QMessageBox(QMessageBox.Icon.Information, QCoreApplication.translate("Language", "Language"),
                      text.format(language=name), QMessageBox.StandardButton.NoButton,
                      window)
    box.setObjectName("languageBox")
    restart = box.addButton(QCoreApplication.translate("Language", "Restart Now"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QCoreApplication.translate("Language", "Later"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is restart and window.close():  # close() asks about unsaved changes
        reopen = [str(window.document.path)] if window.document.path else []
        QProcess.startDetached(sys.executable, ["-m", "designer", *reopen])


def warn_missing_font(parent: QWidget) -> None:
    """Chinese without a CJK font draws empty boxes: say so once, naming the package that has one.

    The message is in English on purpose: without the font its Chinese could not be read.
    """
    store = settings.settings()
    if core_i18n.language() != core_i18n.CHINESE or not missing_cjk_font() \
            or store.value("warned_missing_cjk_font", False, bool):
        return
    store.setValue("warned_missing_cjk_font", True)
    QMessageBox.information(parent, "No Chinese font",  # untranslated: Chinese would not show
                            "No installed font can show Chinese, so the interface may show empty boxes. "
                            f"Install one, for example the package {CJK_FONT_PACKAGE} "
                            f"(sudo apt install {CJK_FONT_PACKAGE}), then start NetDesigner again.")
