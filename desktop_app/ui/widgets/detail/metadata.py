"""The detail pane's facts about a photo file: status, format, size, date taken, camera, GPS position, and
the descriptive fields read from the file (creator, rights, persons shown, place)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFormLayout, QLabel

from desktop_app.ui import wording
from desktop_app.ui.themes import problem_text

translate = QCoreApplication.translate

STATUS_TEXT = {"ok": QT_TRANSLATE_NOOP("MetadataForm", "OK"),
               "error": QT_TRANSLATE_NOOP("MetadataForm", "Cannot be read"),
               "missing": QT_TRANSLATE_NOOP("MetadataForm", "Missing")}
ERROR_COLOUR, WARNING_COLOUR = "#c0392b", "#b9770e"


def human_size(size: int | None) -> str | None:
    if size is None:
        return None
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            if unit == "bytes":
                return translate("MetadataForm", "{size} bytes").format(size=wording.number(size))
            return f"{wording.number(value, 1)} {unit}"
        value /= 1024
    return None


def dimensions(details: dict[str, Any]) -> str | None:
    width, height = details.get("width"), details.get("height")
    if not width or not height:
        return None
    if details.get("orientation") in (5, 6, 7, 8):  # stored on its side; shown upright
        width, height = height, width
    megapixels = width * height / 1e6
    suffix = f"  ({wording.number(megapixels, 1)} MP)" if megapixels >= 1 else ""
    return f"{wording.number(width)} × {wording.number(height)} px{suffix}"


def camera(details: dict[str, Any]) -> str | None:
    make, model = details.get("camera_make"), details.get("camera_model")
    if make and model and model.lower().startswith(make.lower()):
        return model  # "Canon Canon EOS R5" otherwise
    return " ".join(part for part in (make, model) if part) or None


def location(details: dict[str, Any]) -> str | None:
    gps = details.get("gps")
    if not gps:
        return None
    latitude, longitude = gps["latitude"], gps["longitude"]
    north = translate("MetadataForm", "{degrees}° N") if latitude >= 0 \
        else translate("MetadataForm", "{degrees}° S")
    east = translate("MetadataForm", "{degrees}° E") if longitude >= 0 \
        else translate("MetadataForm", "{degrees}° W")
    text = (f"{north.format(degrees=wording.number(abs(latitude), 6))}, "
            f"{east.format(degrees=wording.number(abs(longitude), 6))}")
    if gps.get("altitude") is not None:
        text += f", {wording.number(gps['altitude'], 0)} m"
    return text


def date_taken(details: dict[str, Any]) -> str | None:
    value = details.get("date_taken")
    if not value:
        return None
    # Camera local time, as recorded: shown as is, not converted to this machine's zone.
    return wording.date_time(datetime.fromisoformat(value).replace(tzinfo=None), seconds=True)



# The place's parts from the widest to the narrowest field name first, as a postal address reads backwards:
# "Old Harbour, Kiel, Schleswig-Holstein, Germany". Other parts follow in the file's order.
PLACE_ORDER = ("sublocation", "location", "city", "state", "province_state", "province", "country",
               "country_name")


def _texts(value: Any) -> list[str]:
    """The non-empty strings in a file field: a string, a list of them, or a mapping of them."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        keys = [key for key in PLACE_ORDER if key in value] + [key for key in value if key not in PLACE_ORDER]
        return [text for key in keys for text in _texts(value[key])]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _texts(item)]
    return []


def place(fields: dict[str, Any]) -> str | None:
    """The place the file names (IPTC location fields): ``Old Harbour, Kiel, Germany``."""
    parts = list(dict.fromkeys(_texts(fields.get("location"))))  # a city named twice is said once
    return ", ".join(parts) or None


def file_field_rows(details: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    """Creator, rights, persons shown and place, as the file has them (``file_fields``)."""
    fields = details.get("file_fields") or {}
    return [
        (translate("MetadataForm", "Creator"), "; ".join(_texts(fields.get("creator"))) or None, None),
        (translate("MetadataForm", "Rights"), "; ".join(_texts(fields.get("rights"))) or None, None),
        (translate("MetadataForm", "Persons shown"), ", ".join(_texts(fields.get("persons"))) or None, None),
        (translate("MetadataForm", "Place"), place(fields), None),
    ]


def fact_rows(details: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """The rows shown for a photo: label, value and a colour for a value that is a problem."""
    status = details["status"]
    rows: list[tuple[str, str | None, str | None]] = [
        (translate("MetadataForm", "Status"),
         translate("MetadataForm", STATUS_TEXT[status]) if status in STATUS_TEXT else status,
         None if status == "ok" else ERROR_COLOUR),
    ]
    # A file's error is the scanner's words (English, as the command line shows it).
    if status == "error":
        rows.append((translate("MetadataForm", "Reason"),
                     details.get("error") or translate("MetadataForm", "unknown"), ERROR_COLOUR))
    elif status == "missing":
        rows.append((translate("MetadataForm", "Reason"),
                     translate("MetadataForm", "the file is no longer at this path"), WARNING_COLOUR))
    rows += [
        (translate("MetadataForm", "Format"), details.get("format"), None),
        (translate("MetadataForm", "Dimensions"), dimensions(details), None),
        (translate("MetadataForm", "File size"), human_size(details.get("size")), None),
        (translate("MetadataForm", "Date taken"), date_taken(details), None),
        (translate("MetadataForm", "Camera"), camera(details), None),
        (translate("MetadataForm", "Location"), location(details), None),
        *file_field_rows(details),
    ]
    return [(label, value, colour) for label, value, colour in rows if value]


class MetadataForm(QFormLayout):
    """The facts as label/value rows, values selectable."""

    def __init__(self) -> None:
        super().__init__()
        self.setHorizontalSpacing(14)
        self.setVerticalSpacing(4)
        self.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

    def set_rows(self, rows: list[tuple[str, str, str | None]]) -> None:
        while self.rowCount():
            self.removeRow(0)
        for label, value, colour in rows:
            name = QLabel(label)
            name.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            field = QLabel(value)
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if colour:  # red or amber, readable on the theme's background
                background = field.palette().color(QPalette.ColorRole.Window)
                shown = problem_text(background, warning=colour == WARNING_COLOUR)
                field.setStyleSheet(f"color: {shown.name()};")
            self.addRow(name, field)

    def shown(self) -> dict[str, str]:
        """The rows as shown, by label."""
        shown = {}
        for row in range(self.rowCount()):
            label = self.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = self.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label and field:
                shown[label.widget().text()] = field.widget().text()
        return shown
