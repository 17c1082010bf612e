"""The language of messages from core, ml and the commands: gettext catalogs (stdlib only).

English is the source language. The Chinese catalog is
``designer/resources/locale/zh_CN/LC_MESSAGES/netdesigner.po`` (compiled to
``.mo`` beside it). ``_()`` translates when it is called, so a message built
after ``set_language`` follows it. Text defined at import time (the layer
catalog's help, template titles) is marked with ``N_()`` and put through
``_()`` where it is shown.

Placeholders are ``str.format`` names (``_("{name} needs {count} inputs").format(...)``),
never f-strings: the catalog holds the text before the values go in.
"""

from __future__ import annotations

import gettext
import os
from importlib import resources
from typing import Mapping

DOMAIN = "netdesigner"
ENGLISH, CHINESE = "en", "zh_CN"
LANGUAGES = (ENGLISH, CHINESE)
# What View ▸ Language shows: each language in its own words.
NATIVE_NAMES = {ENGLISH: "English", CHINESE: "中文"}
ENV_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = ENGLISH


def language_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The language command-line tools would pick: the first set of LANGUAGE, LC_ALL, LC_MESSAGES, LANG.

    ``zh`` in any form (``zh_CN.UTF-8``, ``zh_TW``, ``zh:en``) means Chinese; anything else, ``C`` included,
    English.
    """
    environ = os.environ if environ is None else environ
    for var in ENV_VARS:
        value = environ.get(var, "")
        if value:
            return language_for(value.split(":")[0])
    return ENGLISH


def language_for(locale_name: str) -> str:
    """One of LANGUAGES for a locale name such as ``zh_CN.UTF-8``, ``zh-Hans`` or ``en_US``."""
    return CHINESE if locale_name.lower().replace("-", "_").startswith("zh") else ENGLISH


def catalog_path(language: str = CHINESE) -> resources.abc.Traversable:
    """The compiled catalog of ``language`` inside the package."""
    return resources.files("designer") / "resources" / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


def set_language(language: str) -> None:
    """Translate from now on into ``language`` (one of LANGUAGES; anything else means English)."""
    global _translation, _language
    if language == CHINESE:
        with catalog_path(CHINESE).open("rb") as fp:
            _translation = gettext.GNUTranslations(fp)
    else:
        language, _translation = ENGLISH, gettext.NullTranslations()
    _language = language


def language() -> str:
    """The language messages are in now."""
    return _language


def _(message: str) -> str:
    """``message`` in the current language (the English text when there is no translation)."""
    return _translation.gettext(message)


def gettext_(message: str) -> str:
    """The same as ``_``, for code that must not shadow ``_`` (argparse, unpacking)."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a counted message for ``count`` (``"{count} error"``/``"{count} errors"``)."""
    return _translation.ngettext(singular, plural, count)


def said(exc: BaseException) -> str:
    """An exception's message in the user's language: one that carries ``template`` and ``values`` (the
    exported script's files, which cannot import this module) is translated here; others are already."""
    template = getattr(exc, "template", None)
    return _(template).format(**exc.values) if template else str(exc)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for the catalog without translating it now (it is translated where shown)."""
    return message
