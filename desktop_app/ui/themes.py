"""The window's appearance: the platform's own light look, a dark theme (chosen, or following the system's
dark mode as it changes), and a high-contrast theme. Colours come from the palette (WCAG 2.1 contrast: at
least 4.5:1 for text, 7:1 in high contrast); resources/styles/app.qss styles by palette roles, and each
theme's own sheet (resources/styles/<theme>.qss) colours what must stand out (errors, notices)."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from desktop_app import locations
from desktop_app.settings import APPEARANCES

SYSTEM, LIGHT, DARK, HIGH_CONTRAST = APPEARANCES

Role = QPalette.ColorRole
# Dark: light grey text on near-black, contrast 12:1 and more; muted text 6:1 or more.
DARK_COLOURS = {
    Role.Window: "#2b2b2b", Role.WindowText: "#ececec", Role.Base: "#1f1f1f", Role.AlternateBase: "#2a2a2a",
    Role.Text: "#ececec", Role.Button: "#383838", Role.ButtonText: "#ececec", Role.BrightText: "#ffffff",
    Role.Highlight: "#2a64b8", Role.HighlightedText: "#ffffff", Role.Link: "#8ab4f8",
    Role.LinkVisited: "#c58af9", Role.ToolTipBase: "#3a3a3a", Role.ToolTipText: "#f2f2f2",
    Role.PlaceholderText: "#ababab", Role.Light: "#505050", Role.Midlight: "#444444", Role.Mid: "#5c5c5c",
    Role.Dark: "#1a1a1a", Role.Shadow: "#000000",
}
# High contrast: white on black, the selection black on yellow, borders (Mid) white.
HIGH_CONTRAST_COLOURS = {
    Role.Window: "#000000", Role.WindowText: "#ffffff", Role.Base: "#000000", Role.AlternateBase: "#101010",
    Role.Text: "#ffffff", Role.Button: "#000000", Role.ButtonText: "#ffffff", Role.BrightText: "#ffffff",
    Role.Highlight: "#ffff00", Role.HighlightedText: "#000000", Role.Link: "#ffff00",
    Role.LinkVisited: "#ffd24d", Role.ToolTipBase: "#000000", Role.ToolTipText: "#ffffff",
    Role.PlaceholderText: "#e6e6e6", Role.Light: "#ffffff", Role.Midlight: "#ffffff", Role.Mid: "#ffffff",
    Role.Dark: "#ffffff", Role.Shadow: "#ffffff",
}
DISABLED_TEXT = {DARK: "#8c8c8c", HIGH_CONTRAST: "#b3b3b3"}
# Words that say something is wrong (red) or missing (amber), by whether their background is dark: 4.5:1
# and more on the light and dark palettes' backgrounds, 7:1 and more on high contrast's black.
ERROR_TEXT = {False: "#b3261e", True: "#ff8a80"}
WARNING_TEXT = {False: "#8a5a00", True: "#ffcc80"}


def problem_text(background: QColor, warning: bool = False) -> QColor:
    """The colour of an error's (or a warning's) words on ``background``."""
    return QColor((WARNING_TEXT if warning else ERROR_TEXT)[background.lightnessF() < 0.5])


def theme_for(appearance: str, scheme: Qt.ColorScheme) -> str:
    """The theme shown: ``appearance`` itself, or for "system" the system's light or dark."""
    if appearance == SYSTEM:
        return DARK if scheme is Qt.ColorScheme.Dark else LIGHT
    return appearance if appearance in APPEARANCES else LIGHT


def palette_for(theme: str) -> QPalette | None:
    """The palette of a dark or high-contrast theme; None for light (the style's own)."""
    colours = {DARK: DARK_COLOURS, HIGH_CONTRAST: HIGH_CONTRAST_COLOURS}.get(theme)
    if colours is None:
        return None
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (Role.Text, Role.WindowText, Role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(DISABLED_TEXT[theme]))
    return palette


def style_sheet(theme: str) -> str:
    styles = locations.resources_dir() / "styles"
    sheet = (styles / "app.qss").read_text(encoding="utf-8")
    themed = styles / f"{theme}.qss"
    return sheet + "\n" + themed.read_text(encoding="utf-8") if themed.exists() else sheet


class Look(QObject):
    """Keeps the application's look: ``apply(appearance)``; follows the system's colour scheme while the
    appearance is "system", and applies the style sheet again after a change of the application font
    (Qt leaves the fonts of widgets under an application style sheet as they were otherwise)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.setObjectName("photoAnnotatorLook")
        self.app = app
        self.appearance = SYSTEM
        self.theme = LIGHT
        # The platform's own style, for the light look (a style sheet's proxy style has no name).
        self._platform_style = app.style().name() or "fusion"
        self.style_name = self._platform_style  # the style in use
        self._scheme = QGuiApplication.styleHints().colorScheme()
        QGuiApplication.styleHints().colorSchemeChanged.connect(self.on_scheme_changed)
        app.fontChanged.connect(self._on_font_changed)

    def apply(self, appearance: str) -> None:
        self.appearance = appearance
        self.theme = theme_for(appearance, self._scheme)
        palette = palette_for(self.theme)
        # Fusion draws with the palette everywhere; the platform styles of Windows and macOS do not.
        style = "fusion" if palette is not None else self._platform_style.lower()
        known = [key.lower() for key in QStyleFactory.keys()]  # noqa: SIM118 (a list, not a dict)
        if style != self.style_name and style in known:
            self.app.setStyle(style)
            self.style_name = style
        # A palette without colours set gives the platform's own back (its accent, its light colours).
        self.app.setPalette(palette if palette is not None else QPalette())
        self.app.setStyleSheet(style_sheet(self.theme))

    @Slot(Qt.ColorScheme)
    def on_scheme_changed(self, scheme: Qt.ColorScheme) -> None:
        self._scheme = scheme
        if self.appearance == SYSTEM:
            self.apply(SYSTEM)

    @Slot(QFont)
    def _on_font_changed(self, _font: QFont) -> None:
        sheet = self.app.styleSheet()
        self.app.setStyleSheet("")
        self.app.setStyleSheet(sheet)


def look(app: QApplication) -> Look:
    """The application's Look, made the first time."""
    found = app.findChild(Look, "photoAnnotatorLook")
    return found if isinstance(found, Look) else Look(app)


# The Quality view's charts (matplotlib), per background: each series 3:1 or more against the chart's
# background (WCAG 2.1 non-text contrast), told apart by line style and marker too, never by colour alone.
# Okabe-Ito's colour-blind-safe hues; lighter ones on dark backgrounds; pure bright ones on high contrast.
CHART_SERIES = {
    "light": ("#0072b2", "#b35900", "#007a5a", "#a3467c", "#4d4d4d"),
    "dark": ("#56b4e9", "#e69f00", "#3fd1a5", "#f0a0d0", "#d9d9d9"),
    "high_contrast": ("#ffff00", "#00ffff", "#7cff7c", "#ff9cff", "#ffffff"),
}


def chart_colours(palette: QPalette) -> tuple[str, str, tuple[str, ...]]:
    """(background, text, series colours) for a chart drawn on ``palette``'s base colour."""
    background, text = palette.color(Role.Base), palette.color(Role.Text)
    if background.lightnessF() >= 0.5:
        series = CHART_SERIES["light"]
    elif background.lightnessF() < 0.02 and text.lightnessF() > 0.98:  # high contrast: white on black
        series = CHART_SERIES["high_contrast"]
    else:
        series = CHART_SERIES["dark"]
    return background.name(), text.name(), series
