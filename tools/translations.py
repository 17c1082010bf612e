"""Keep the translation sources in step with the code, and compile them.

    python tools/translations.py update    # new strings into the .po and .ts (translations kept)
    python tools/translations.py compile   # .po -> .mo (Babel), .ts -> .qm (pyside6-lrelease)

core, ml, the commands and cli.py speak through gettext (``_``, ``N_``, ``ngettext``
from ``designer.core.i18n``); designer/ui through Qt (``self.tr``,
``QCoreApplication.translate``, ``QT_TRANSLATE_NOOP``). Both kinds of source live in
``designer/resources/locale`` with their compiled files, so the wheel carries them.
The completeness test (tests/test_translations.py) uses the same functions.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "designer" / "resources" / "locale"
LANGUAGE = "zh_CN"
PO = LOCALE / LANGUAGE / "LC_MESSAGES" / "netdesigner.po"
MO = PO.with_suffix(".mo")
TS = LOCALE / f"netdesigner_{LANGUAGE}.ts"
QM = TS.with_suffix(".qm")
GETTEXT_SOURCES = ("designer/core", "designer/ml", "designer/headless", "designer/cli.py")
QT_SOURCES = ("designer/ui",)
KEYWORDS = {"_": None, "gettext_": None, "N_": None, "ngettext": (1, 2)}
# {name} for str.format, %1 and %n for Qt, %s / %(name)s for argparse's own messages.
PLACEHOLDER = re.compile(r"\{[A-Za-z_][^{}]*\}|%\d|%n|%\([a-z_]+\)[a-z]|%[sdr]")


def python_files(sources) -> list[Path]:
    files = []
    for source in sources:
        path = ROOT / source
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def gettext_template() -> Catalog:
    """Every message the gettext sources mark, as a catalog without translations."""
    template = Catalog(locale=None, project="NetDesigner")
    for path in python_files(GETTEXT_SOURCES):
        for line, message, comments, context in extract_from_file("python", str(path), keywords=KEYWORDS):
            template.add(message, locations=[(path.relative_to(ROOT).as_posix(), line)], auto_comments=comments)
    return template


def read_catalog() -> Catalog:
    with PO.open("rb") as fp:
        return read_po(fp, locale=LANGUAGE)


def lupdate(ts: Path) -> None:
    """Refresh ``ts`` from designer/ui: new strings added unfinished, removed ones dropped."""
    files = [str(p) for p in python_files(QT_SOURCES)]
    subprocess.run([tool("pyside6-lupdate"), *files, "-ts", str(ts), "-no-obsolete", "-locations", "none",
                    "-target-language", LANGUAGE], check=True, capture_output=True)


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], check=True, capture_output=True)


def compiled_mo(catalog: Catalog) -> bytes:
    out = BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def tool(name: str) -> str:
    """A Qt tool that ships with PySide6-Essentials (on PATH, or beside this Python)."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        raise SystemExit(f"{name} not found: it comes with PySide6-Essentials (pip install PySide6-Essentials)")
    return found


def update() -> None:
    catalog = read_catalog() if PO.exists() else Catalog(
        locale=LANGUAGE, project="NetDesigner", copyright_holder="NetDesigner", fuzzy=False,
        header_comment="# Simplified Chinese for NetDesigner's core, ml and command line.")
    template = gettext_template()
    template.creation_date = catalog.creation_date  # the header changes only when a message does
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    PO.parent.mkdir(parents=True, exist_ok=True)
    with PO.open("wb") as fp:
        write_po(fp, catalog, include_lineno=False, width=0)
    lupdate(TS)


def compile_all() -> None:
    MO.write_bytes(compiled_mo(read_catalog()))
    lrelease(TS, QM)


if __name__ == "__main__":
    commands = {"update": update, "compile": compile_all}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        raise SystemExit(__doc__)
    commands[sys.argv[1]]()
