"""The window in either language: menus, docks, Qt's own buttons, View ▸ Language remembered."""
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMenu, QMessageBox

from designer.core import i18n as core_i18n
from designer.ui import i18n
from designer.ui.main_window import MainWindow


def menu_titles(window) -> list[str]:
    return [a.text() for a in window.menuBar().actions()]


def test_english_by_default(window):
    assert menu_titles(window)[:5] == ["&File", "&Edit", "&View", "&Model", "&Help"]
    assert window.dock_for("Layers").windowTitle() == "Layers"


def test_chinese_window(chinese, qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    assert menu_titles(window)[:5] == ["文件(&F)", "编辑(&E)", "视图(&V)", "模型(&M)", "帮助(&H)"]
    assert window.dock_for("Layers").windowTitle() == "层"  # looked up by its English name still
    assert window.dock_for("Inspector").windowTitle() == "属性"
    assert "新建(&N)" in [a.text() for a in window.menu("File").actions()]
    assert core_i18n.language() == core_i18n.CHINESE
    window.close()


def test_qt_own_buttons_follow(chinese):
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Ok)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_view_language_is_remembered_for_the_next_start(window, qtbot):
    seen = []

    def later():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.objectName() == "languageBox":
            seen.append(box.text())
            next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.RejectRole).click()
        else:
            QTimer.singleShot(20, later)

    QTimer.singleShot(0, later)
    language_menu = window.findChild(QMenu, "menu_language")
    [action] = [a for a in language_menu.actions() if a.objectName() == "action_language_zh_CN"]
    assert [a.text() for a in language_menu.actions()] == ["English", "中文"]
    assert language_menu.actions()[0].isChecked()
    action.trigger()
    assert seen == ["NetDesigner will speak 中文 from its next start."]
    assert i18n.saved_language() == "zh_CN" and i18n.chosen_language() == "zh_CN"
    assert core_i18n.language() == core_i18n.ENGLISH  # this window stays as it was built
    assert window.isVisible()


def test_without_a_saved_choice_the_system_language_is_used():
    assert i18n.saved_language() is None
    assert i18n.chosen_language() == i18n.system_language() == "en"  # LANG=C.UTF-8 in the tests
