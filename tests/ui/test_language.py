"""The window in either language: menus, docks, Qt's own buttons, View ▸ Language remembered."""
from PySide6.QtCore import Qt, QTimer
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


def test_chinese_template_menu_tells_the_measured_accuracy_in_chinese(chinese, qtbot):
    from designer.core import templates

    window = MainWindow()
    qtbot.addWidget(window)
    menu = next(a.menu() for a in window.menu("File").actions() if a.text() == "从模板新建(&T)")
    alexnet = next(a for a in menu.actions() if a.data() == "alexnet-small")
    accuracy = templates.measurements()["alexnet-small"].accuracy
    assert alexnet.text() == f"AlexNet（小型） · 5 轮后 {accuracy:.1%}"
    assert alexnet.toolTip().endswith(f"。实测：在 mnist-5k 上训练 5 轮后，验证集准确率为 {accuracy:.1%}（一次运行）。")
    window.close()


def test_qt_own_buttons_follow(chinese):
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Ok)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"


def test_qt_file_dialog_speaks_chinese(chinese, qtbot):
    """Qt's own catalog translates the buttons; the labels it lacks come from ours."""
    from PySide6.QtWidgets import QFileDialog, QLabel

    dialog = QFileDialog(None, "x")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    qtbot.addWidget(dialog)
    labels = {label.text() for label in dialog.findChildren(QLabel) if label.text()}
    assert labels == {"查找范围(&L)：", "文件名称(&N)：", "文件类型(&T)："}


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
    assert seen == ["NetDesigner will speak Chinese (中文) from its next start."]
    assert i18n.saved_language() == "zh_CN" and i18n.chosen_language() == "zh_CN"
    assert core_i18n.language() == core_i18n.ENGLISH  # this window stays as it was built
    assert window.isVisible()


def test_without_a_saved_choice_the_system_language_is_used():
    assert i18n.saved_language() is None
    assert i18n.chosen_language() == i18n.system_language() == "en"  # LANG=C.UTF-8 in the tests


def test_text_kept_in_module_tables_shows_in_chinese(chinese, qtbot):
    """Tables marked with QT_TRANSLATE_NOOP are translated where they are shown, in their class's context."""
    from designer.ml.training.health import HealthReport, LayerHealth
    from designer.ui.dialogs.importing import ImportDialog
    from designer.ui.document import Document
    from designer.ui.panels.training.health import HealthPanel
    from designer.ui.panels.training.options import RunOptions
    from tests.ui.training.test_training_panel import linear_project

    health = HealthPanel()
    qtbot.addWidget(health)
    health.on_event(HealthReport(epoch=2, layers=[LayerHealth("fc", "Linear", update=1e-3)], warnings=[]))
    assert health.warnings.text() == "第 2 轮之后：\n没有警告：每一层都在学习，它的单元也都会激活。"
    assert health.table.horizontalHeaderItem(2).text() == "从不激活"

    options = RunOptions()
    qtbot.addWidget(options)
    cosine = options.schedule.findData("cosine")  # the option keeps the project file's name
    assert options.schedule.itemText(cosine) == "余弦"
    assert options.schedule.itemData(cosine, Qt.ItemDataRole.ToolTipRole) == "在整个训练过程中沿半个余弦曲线降到 0"

    dialog = ImportDialog(Document(linear_project()), missing=[])
    qtbot.addWidget(dialog)
    assert dialog.warning.text().startswith("导入 .py 文件会在这台电脑上运行其中的 Python 代码")
    assert dialog.model_combo.itemText(0).startswith("自动：")


def test_chinese_names_english_in_chinese_words_when_switching(chinese, qtbot, monkeypatch):
    window = MainWindow()
    qtbot.addWidget(window)
    seen = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: seen.append(box.text()) or 0)
    [action] = [a for a in window.findChild(QMenu, "menu_language").actions()
                if a.objectName() == "action_language_en"]
    action.trigger()
    assert seen == ["NetDesigner 下次启动时将使用英语（English）。"]
    window.close()


def test_option_boxes_show_chinese_labels_and_keep_english_values(chinese, qtbot):
    from designer.ui.document import Document
    from designer.ui.panels.training.panel import TrainingPanel
    from tests.ui.training.test_training_panel import linear_project

    project = linear_project()
    project.training = {"lr_schedule": "one-cycle", "init": "xavier"}
    panel = TrainingPanel(Document(project))
    qtbot.addWidget(panel)
    schedule, init = panel.form.options.schedule, panel.init
    assert (schedule.currentText(), init.currentText()) == ("单周期", "Xavier")
    assert [schedule.itemText(i) for i in range(schedule.count())] == ["不变", "分步", "余弦", "单周期"]
    assert [init.itemText(i) for i in range(init.count())] == ["默认", "Kaiming", "Xavier"]
    schedule.setCurrentIndex(schedule.findText("余弦"))
    init.setCurrentIndex(init.findText("Kaiming"))
    assert (project.training["lr_schedule"], project.training["init"]) == ("cosine", "kaiming")  # saved in English
