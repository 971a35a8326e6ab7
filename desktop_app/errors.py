"""Turning exceptions into the one-line reasons users see (never a traceback)."""

from __future__ import annotations

import errno

MAX_REASON = 200


def one_line(exc: BaseException) -> str:
    """The first line of the exception's message; its type name when it has no message.

    A foreign message (from a library, the OS, a plugin) is shortened to MAX_REASON characters;
    our own messages (exceptions defined in desktop_app) are kept whole, since they end with what
    to do about the failure.
    """
    lines = str(exc).strip().splitlines()
    first = lines[0] if lines else ""
    if not _ours(exc):
        first = first[:MAX_REASON]
    return first or type(exc).__name__


def _ours(exc: BaseException) -> bool:
    return type(exc).__module__.split(".")[0] == "desktop_app"


class PluginCodeError(Exception):
    """Plugin code raised SystemExit or another BaseException that is not an Exception."""


def isolated(exc: BaseException) -> Exception:
    """``exc``, raised by plugin code, as an ordinary Exception that callers isolate like any failure:
    a plugin's ``sys.exit()`` must not end the program. A KeyboardInterrupt is the user's Ctrl+C:
    it is raised again, never isolated."""
    if isinstance(exc, KeyboardInterrupt):
        raise exc
    if isinstance(exc, Exception):
        return exc
    text = str(exc).strip()
    error = PluginCodeError(f"{type(exc).__name__}: {one_line(exc)}" if text else type(exc).__name__)
    error.__cause__ = exc
    return error


_WRITE_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the disk",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENOTDIR: "a file is in the way of a folder",
    errno.EEXIST: "a file is in the way of a folder",
    errno.ENAMETOOLONG: "file name too long",
    errno.EIO: "write error (I/O error): the disk or network share may be failing",
}


def write_error_reason(exc: OSError) -> str:
    """A one-line, user-facing reason for a failed write (a thumbnail, a metadata write-back)."""
    return _WRITE_REASONS.get(exc.errno or 0, f"cannot write: {exc.strerror or one_line(exc)}")


_READ_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ELOOP: "symbolic link loop",
    errno.ENOENT: "file not found: it was moved or deleted",
    errno.EIO: "read error (I/O error): the disk or network share may be failing",
    errno.ENAMETOOLONG: "file name too long",
}


def os_error_reason(exc: OSError) -> str:
    """A one-line, user-facing reason for a failed file-system call or decode."""
    if exc.errno is None:  # Pillow raises errno-less OSErrors for bad image data
        return f"corrupt or truncated image data: {one_line(exc)}"
    return _READ_REASONS.get(exc.errno, f"cannot read file: {exc.strerror or one_line(exc)}")


def is_read_reason(text: str) -> bool:
    """Whether ``text`` is one of os_error_reason's file-system reasons (not a decode failure)."""
    return text in _READ_REASONS.values() or text.startswith("cannot read file:")
