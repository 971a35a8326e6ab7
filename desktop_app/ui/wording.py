"""How the window words counts, numbers, dates and messages, in the user's language and locale.

Numbers and dates follow QLocale's default, which ui/language.py sets from the language setting; counted
nouns are Qt numerus messages (``%Ln``: the count in the locale's digits), so each language gives its own
singular and plural forms.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, QLocale, QObject, QTime


def number(value: float, decimals: int | None = None) -> str:
    """``2,500`` in English, ``2.500`` in German; with ``decimals``, that many after the point."""
    locale = QLocale()
    if decimals is None:
        return locale.toString(int(value))
    return locale.toString(float(value), "f", decimals)


def date_time(value: datetime, seconds: bool = False) -> str:
    """A moment in the locale's short date format, with the whole year, and its time format (local
    time for an aware ``value``): ``7/14/2021 9:30 AM``, ``14.07.2021 09:30``."""
    local = value.astimezone() if value.tzinfo is not None else value
    moment = QDateTime(QDate(local.year, local.month, local.day),
                       QTime(local.hour, local.minute, local.second))
    locale = QLocale()
    date_format = locale.dateFormat(QLocale.FormatType.ShortFormat)
    if "yyyy" not in date_format:
        date_format = date_format.replace("yy", "yyyy")  # 7/14/21: which century?
    length = QLocale.FormatType.LongFormat if seconds else QLocale.FormatType.ShortFormat
    time_format = locale.timeFormat(length)
    time_format = re.sub(r"\s*\bt+\b", "", time_format).strip()  # no time zone name: it is local time
    return locale.toString(moment, f"{date_format} {time_format}")


def percent(fraction: float) -> str:
    """``85%`` in English, ``85 %`` in German."""
    return QCoreApplication.translate("Wording", "{number}%").format(number=number(round(fraction * 100)))


def day(value: date) -> str:
    return QLocale().toString(QDate(value.year, value.month, value.day), QLocale.FormatType.ShortFormat)


class Counts(QObject):
    """The counted nouns the window uses inside longer messages ("{photos} found")."""

    def photos(self, count: int) -> str:
        return self.tr("%Ln photo(s)", "", count)

    def files(self, count: int) -> str:
        return self.tr("%Ln file(s)", "", count)

    def captions(self, count: int) -> str:
        return self.tr("%Ln caption(s)", "", count)

    def folders(self, count: int) -> str:
        return self.tr("%Ln folder(s)", "", count)

    def failures(self, count: int) -> str:
        return self.tr("%Ln failure(s)", "", count)

    def actors(self, count: int) -> str:
        return self.tr("%Ln actor(s)", "", count)


_COUNTS = Counts()


def photos(count: int) -> str:
    """``1 photo``, ``2,500 photos``; ``1 Foto``, ``2.500 Fotos``."""
    return _COUNTS.photos(count)


def files(count: int) -> str:
    return _COUNTS.files(count)


def captions(count: int) -> str:
    return _COUNTS.captions(count)


def folders(count: int) -> str:
    return _COUNTS.folders(count)


def failures(count: int) -> str:
    return _COUNTS.failures(count)


def actors(count: int) -> str:
    """A cluster job's captioner actors (Ray's word): ``2 actors``."""
    return _COUNTS.actors(count)


def sentence(message: str) -> str:
    """A one-line message (written lower-case for ``error: ...`` on a terminal) as a sentence."""
    return message[:1].upper() + message[1:]
