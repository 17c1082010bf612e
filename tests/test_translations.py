"""Both languages are whole.

Every string the code marks for translation has a finished Chinese translation
with the same placeholders (``{name}``, ``%1``, ``%n``, ``%(name)s``); the
compiled catalogs that ship are those of the sources; the catalog's data
(layer help, categories, templates) is all in the catalog; and the modules in
COVERED show the user no text that skips translation.
"""
import ast
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from designer.core import i18n, layers, templates
from tools import translations as tt

ROOT = Path(__file__).resolve().parents[1]
# Every module's visible text goes through translation (the lint below); a new module is covered from its first line.
SOURCES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "designer").rglob("*.py")
                 if p.name != "__init__.py" and "__pycache__" not in p.parts)
COVERED = SOURCES
# Qt calls whose string arguments the user reads.
VISIBLE_CALLS = {
    "setText", "setToolTip", "setStatusTip", "setWhatsThis", "setWindowTitle", "setPlaceholderText", "addAction",
    "addMenu", "addTab", "insertTab", "setTabText", "setTabToolTip", "showMessage", "setTitle", "setEmptyLabel",
    "setHeaderLabels", "setHorizontalHeaderLabels", "setVerticalHeaderLabels", "addRow", "setSuffix", "setPrefix",
    "setSpecialValueText", "addButton", "setLabelText", "setInformativeText", "setDetailedText", "setFormat",
    "QLabel", "QPushButton", "QToolButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction", "QMenu",
    "QDockWidget", "information", "warning", "critical", "question", "about", "getOpenFileName",
    "getSaveFileName", "getExistingDirectory", "QMessageBox", "QTreeWidgetItem", "QListWidgetItem",
    "QTableWidgetItem", "setItemText", "addItem", "addItems",
}
# Calls in gettext modules whose string arguments reach the user.
GETTEXT_VISIBLE_CALLS = {"print", "ShapeError", "ParamError", "ProjectError", "GraphError", "ConfigError", "Fix", "error"}
# Message classes: every exception class defined in core, ml and the commands (and the training's Failed event)
# carries words to the user; so do warnings and notes lists, and the values of user-facing dict tables.
SENTENCE_LISTS = re.compile(r"warning|notes|advice|problems|messages", re.IGNORECASE)
# argparse: only the help= and description= words are read; the names are the command line's.
ARGPARSE_CALLS = {"add_argument", "add_parser", "ArgumentParser"}
TRANSLATING = {"tr", "translate", "_", "N_", "ngettext", "gettext_", "QT_TRANSLATE_NOOP", "QT_TR_NOOP"}
WORD = re.compile(r"[A-Za-z]{2,}")
# Text that is the same in both languages: torch names, units, file patterns.
SAME_IN_BOTH = {"NetDesigner", "English", "中文"}


def placeholders(text: str) -> Counter:
    return Counter(tt.PLACEHOLDER.findall(text or ""))


# gettext: core, ml, the commands ---------------------------------------------------------------

def test_every_gettext_message_has_a_translation_with_the_same_placeholders():
    catalog = tt.read_catalog()
    problems = []
    for message in tt.gettext_template():
        if not message.id:
            continue
        found = catalog.get(message.id)
        forms = () if found is None else (found.string if isinstance(found.string, tuple) else (found.string,))
        where = ", ".join(f"{f}" for f, _ in message.locations)
        if found is None or not all(forms) or found.fuzzy:
            problems.append(f"no translation: {message.id!r} ({where})")
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        for form in forms:
            if placeholders(form) != placeholders(sources[-1]):
                problems.append(f"placeholders differ: {sources[-1]!r} -> {form!r}")
    assert not problems, "run `python tools/translations.py update`, translate, then `compile`:\n" + \
        "\n".join(problems)


def test_shipped_mo_is_compiled_from_the_po():
    assert tt.MO.read_bytes() == tt.compiled_mo(tt.read_catalog()), "run `python tools/translations.py compile`"


def test_catalog_data_shown_to_users_is_translated():
    shown = list(layers.CATEGORIES)
    for spec in layers.SPECS:
        shown.append(spec.help)
        shown.extend(p.help for p in spec.params)
    for template in templates.TEMPLATES:
        shown += [template.title, template.description]
    i18n.set_language(i18n.CHINESE)
    try:
        untranslated = [text for text in shown if text and i18n._(text) == text]
    finally:
        i18n.set_language(i18n.ENGLISH)
    assert not untranslated, "mark with N_() and translate:\n" + "\n".join(untranslated)


def test_language_follows_the_environment_as_command_line_tools_do():
    assert i18n.language_from_env({"LANG": "zh_CN.UTF-8"}) == i18n.CHINESE
    assert i18n.language_from_env({"LANG": "C.UTF-8"}) == i18n.ENGLISH
    assert i18n.language_from_env({}) == i18n.ENGLISH
    assert i18n.language_from_env({"LANGUAGE": "zh_TW:en", "LANG": "en_US.UTF-8"}) == i18n.CHINESE
    assert i18n.language_from_env({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}) == i18n.ENGLISH
    assert i18n.language_from_env({"LC_MESSAGES": "zh_CN", "LANG": "C"}) == i18n.CHINESE


# Qt: designer/ui --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def refreshed_ts(tmp_path_factory) -> ET.Element:
    """The committed .ts brought up to date with the code, as the next `update` would write it."""
    ts = tmp_path_factory.mktemp("ts") / tt.TS.name
    shutil.copy(tt.TS, ts)
    tt.lupdate(ts)
    return ET.parse(ts).getroot()


def test_every_qt_message_has_a_translation_with_the_same_placeholders(refreshed_ts):
    problems = []
    for context in refreshed_ts.iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            source = message.findtext("source")
            translation = message.find("translation")
            forms = [f.text for f in translation.iter("numerusform")] or [translation.text]
            if translation.get("type") in ("unfinished", "vanished", "obsolete") or not all(forms):
                problems.append(f"no translation: {name}: {source!r}")
                continue
            for form in forms:
                if placeholders(form) != placeholders(source):
                    problems.append(f"placeholders differ: {name}: {source!r} -> {form!r}")
    assert not problems, "run `python tools/translations.py update`, translate the .ts, then `compile`:\n" + \
        "\n".join(problems)


def test_shipped_qm_is_compiled_from_the_ts(tmp_path):
    qm = tmp_path / tt.QM.name
    tt.lrelease(tt.TS, qm)
    assert qm.read_bytes() == tt.QM.read_bytes(), "run `python tools/translations.py compile`"


def test_the_compiled_files_are_package_data():
    """The wheel carries resources/**; the catalogs must be in there, not beside the sources only."""
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["designer"]
    assert "resources/**/*" in data
    for path in (tt.MO, tt.QM):
        assert path.is_relative_to(ROOT / "designer" / "resources")


# The lint: no visible text that skips translation -------------------------------------------------

def _words(node: ast.AST) -> str:
    """The literal text of a string expression (placeholders, HTML tags and entities removed)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", node.value):
            return ""  # an identifier such as "set_param", not words
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    elif isinstance(node, ast.BinOp):
        return " ".join(w for w in (_words(node.left), _words(node.right)) if w)
    else:
        return ""
    if re.fullmatch(r"[a-z0-9_.]*", re.sub(r"\{[^{}]*\}", "", text)):
        return ""  # a field path ("training.{name}") or one lowercase identifier ("deny"), not a sentence
    text = re.sub(r"<[^>]*>|&\w+;|\{[^{}]*\}|%\w", " ", text)
    return " ".join(w for w in WORD.findall(text) if w not in SAME_IN_BOTH)


def _call_name(call: ast.Call) -> str:
    return getattr(call.func, "attr", None) or getattr(call.func, "id", "")


def message_classes() -> set[str]:
    """Exception classes defined outside designer/ui (and subclasses of them), plus the Failed event."""
    bases: dict[str, set[str]] = {}
    for module in SOURCES:
        if module.startswith("designer/ui/"):
            continue
        for node in ast.walk(ast.parse((ROOT / module).read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(getattr(b, "id", getattr(b, "attr", "")) for b in node.bases)
    found = {"Failed"}
    while True:
        more = {name for name, of in bases.items()
                if name not in found and any(b in found or b.endswith(("Error", "Exception")) for b in of)}
        if not more:
            return found
        found |= more


MESSAGE_CLASSES = message_classes()


def _translated(node: ast.AST) -> bool:
    return any(isinstance(part, ast.Call) and _call_name(part) in TRANSLATING for part in ast.walk(node))


def _reaches_user(call: ast.Call) -> bool:
    """A message class, or adding to a list of warnings or notes."""
    name = _call_name(call)
    if name in MESSAGE_CLASSES:
        return True
    return name in ("append", "extend", "insert") and isinstance(call.func, ast.Attribute) \
        and bool(SENTENCE_LISTS.search(ast.unparse(call.func.value)))


def untranslated_text(path: Path, qt: bool) -> list[str]:
    """Visible text in ``path`` that does not go through tr/translate/_ (line: text).

    A call whose lines carry ``# untranslated: why`` is left alone.
    """
    calls = VISIBLE_CALLS if qt else GETTEXT_VISIBLE_CALLS
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not qt and isinstance(node, ast.Dict):  # a table of sentences shown to the user
            for value in node.values:
                words = "" if value is None or _translated(value) else _words(value)
                if len(words.split()) >= 3 and "# untranslated:" not in lines[value.lineno - 1]:
                    found.append(f"{path.name}:{value.lineno}: {words}")
            continue
        if not isinstance(node, ast.Call) or (_call_name(node) not in calls | ARGPARSE_CALLS
                                              and (qt or not _reaches_user(node))):
            continue
        if any("# untranslated:" in line for line in lines[node.lineno - 1:node.end_lineno]):
            continue
        arguments = [k.value for k in node.keywords if k.arg in ("help", "description")]
        if _call_name(node) not in ARGPARSE_CALLS:
            arguments += node.args
        for argument in arguments:
            for part in ast.walk(argument):
                if isinstance(part, ast.Call) and _call_name(part) in TRANSLATING:
                    break
            else:
                words = _words(argument)
                if words:
                    found.append(f"{path.name}:{argument.lineno}: {words}")
    return found


def tr_inside_fstrings(path: Path) -> list[str]:
    """lupdate does not look inside f-strings: a tr() there is never extracted, so never translated."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.JoinedStr):
            found += [f"{path.name}:{c.lineno}" for c in ast.walk(node)
                      if isinstance(c, ast.Call) and _call_name(c) in TRANSLATING]
    return found


@pytest.mark.parametrize("module", COVERED)
def test_visible_text_goes_through_translation(module):
    assert not tr_inside_fstrings(ROOT / module)
    assert not untranslated_text(ROOT / module, qt=module.startswith("designer/ui/"))


def test_the_lint_finds_untranslated_text(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f(self, n):\n"
                      "    self.setWindowTitle('Plain title')\n"
                      "    self.setToolTip(f'{n} blocks')\n"
                      "    self.setText(self.tr('Fine'))\n"
                      "    self.setText(f'{n:.0%}')\n"
                      "    print(_('Fine too'), 'but not this')\n"
                      "    print('Left in English')  # untranslated: a test\n"
                      "    raise WeightsError(f'{n} is not a weights file')\n"
                      "    raise DeviceError(_('{n} is fine').format(n=n))\n"
                      "    warnings.append('Try a schedule')\n"
                      "    return Failed('Cannot resume', fix=None)\n"
                      "    return {'a': 'Three words here', 'b': _('Said right here')}\n")
    assert [line.split(": ", 1)[1] for line in untranslated_text(sample, qt=True)] == ["Plain title", "blocks"]
    assert [line.split(": ", 1)[1] for line in untranslated_text(sample, qt=False)] == [
        "but not this", "is not weights file", "Try schedule", "Cannot resume", "Three words here"]


def test_the_chinese_readme_names_the_same_two_quick_start_commands():
    def quick_start(text: str, heading: str) -> str:
        return text.split(heading, 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]

    english = quick_start((ROOT / "README.md").read_text(encoding="utf-8"), "## Quick start")
    chinese = quick_start((ROOT / "README.zh-CN.md").read_text(encoding="utf-8"), "## 快速开始")
    assert chinese == english
    assert english.splitlines() == ['pip install -e . && python main.py', 'pip install -e ".[test]" && python -m pytest']


def test_every_dock_title_is_listed_for_translation():
    from designer.ui.main_window import DOCK_TITLES

    titles = set()
    for path in (ROOT / "designer" / "ui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _call_name(node) == "add_dock" and node.args \
                    and isinstance(node.args[0], ast.Constant):
                titles.add(node.args[0].value)
    assert titles and titles <= set(DOCK_TITLES), "add the new dock's name to main_window.DOCK_TITLES"


def test_counted_text_does_not_use_qt_plurals(refreshed_ts):
    """%n reads "1 block(s)" in English without an English catalog: counted text is two strings."""
    numerus = [m.findtext("source") for m in refreshed_ts.iter("message") if m.get("numerus") == "yes"]
    assert not numerus
