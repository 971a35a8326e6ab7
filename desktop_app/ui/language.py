"""The window's language: Qt translators for the app's own messages and Qt's (its dialogs' buttons), and
the locale that formats numbers and dates.

The setting is ``system`` (the system locale's language when the app has a translation for it, else
English), or a language code below. A C or POSIX locale, or one without a translation, gives English
with US number and date formats.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from desktop_app import locations

# Each language the app ships, by code, named in its own language (as the settings dialog lists them).
LANGUAGES = {"en": "English", "de": "Deutsch"}
SYSTEM = "system"
# Formats for a language when the system locale is of another language.
_DEFAULT_LOCALES = {"en": "en_US", "de": "de_DE"}
# Installed translators, kept referenced (Qt does not own them) so a second call can replace them.
_installed: list[QTranslator] = []


def translations_dir() -> str:
    return str(locations.resources_dir() / "translations")


def resolve_language(setting: str, system: QLocale | None = None) -> str:
    """The language code a setting (``system``, ``en``, ``de``) gives on a system with locale ``system``."""
    if setting in LANGUAGES:
        return setting
    system = system if system is not None else QLocale.system()
    if system.language() == QLocale.Language.C:
        return "en"
    for name in system.uiLanguages():
        code = name.replace("_", "-").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return "en"


def formatting_locale(language: str, system: QLocale | None = None) -> QLocale:
    """The system's locale when it speaks ``language`` (de_AT and en_GB keep their own formats), else
    the language's usual one (English on a French system: en_US, not French formats)."""
    system = system if system is not None else QLocale.system()
    usual = QLocale(_DEFAULT_LOCALES[language])
    return system if system.language() == usual.language() else usual


def install_language(app: QCoreApplication, setting: str, system: QLocale | None = None) -> str:
    """Install the translators and default locale for ``setting`` on ``app``, replacing any installed
    before; return the language code chosen. Call it before the window is built: texts are translated
    when widgets are made."""
    language = resolve_language(setting, system)
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    # English needs its own file too: it holds the singular and plural forms of the counted messages.
    sources = [(f"photo_annotator_{language}", translations_dir())]
    if language != "en":
        sources.append((f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)))
    for name, folder in sources:
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            _installed.append(translator)
    QLocale.setDefault(formatting_locale(language, system))
    return language
