"""The catalogue's errors: what opening, upgrading or using it raises, with a one-line message."""


class CatalogueError(Exception):
    """The catalogue cannot be opened or used; the message says why in one line."""


class CatalogueNotFoundError(CatalogueError):
    """A command that only reads was pointed at a catalogue that does not exist (it is never created)."""
