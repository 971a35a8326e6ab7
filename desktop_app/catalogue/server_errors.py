"""Why a catalogue on a database server (PostgreSQL) failed, in one line: the server cannot be reached,
the login or the database is refused or missing, the role may not read or change the catalogue, the
transaction is read-only... database.explain_database_error asks here once SQLite's causes do not fit.

A failed connection carries no SQLSTATE (libpq's message is all there is), so those causes are known by
their message; errors inside a session by their SQLSTATE, else their message.
"""

from __future__ import annotations

import re

# (SQLSTATE or None, a pattern of the driver's message, what the user is told). {where}: the catalogue;
# {0}, {1}...: the pattern's groups. The first that fits wins.
_CAUSES: tuple[tuple[str | None, str, str], ...] = (
    (None, r"connection refused",
     "cannot reach the database server of {where}: connection refused (is the server running, and does "
     "it accept TCP connections on that host and port?)"),
    (None, r"(?:failed to resolve host|could not translate host name) '?\"?([^'\":]+)",
     "cannot reach the database server of {where}: no host named {0}"),
    (None, r"timeout expired|connection timed out|timed out",
     "cannot reach the database server of {where}: it did not answer in time"),
    (None, r"no route to host|network is unreachable",
     "cannot reach the database server of {where}: no network route to its host"),
    ("28P01", r"password authentication failed for user \"([^\"]+)\"",
     "the database server refused the login of {where}: wrong password for user {0} (check the URL, "
     "$PGPASSWORD or ~/.pgpass)"),
    (None, r"no password supplied",
     "the database server of {where} asks for a password: give it in the URL, $PGPASSWORD or ~/.pgpass"),
    ("28000", r"role \"([^\"]+)\" does not exist",
     "the database server refused the login of {where}: there is no user (role) {0}"),
    ("28000", r"no pg_hba\.conf entry",
     "the database server refused the login of {where}: its pg_hba.conf lets no such connection in"),
    ("3D000", r"database \"([^\"]+)\" does not exist",
     "there is no database {0} on the server of {where}: create it (createdb {0}), or check --db"),
    ("25006", r"read-only transaction",
     "{where} is read-only (a read-only role or transaction, or a standby server): it can be read but "
     "not changed"),
    ("42501", r"permission denied for (\w+ [\w.\"]+)",
     "{where} cannot be used: permission denied for {0} (ask its owner to grant this role access)"),
    ("53300", r"too many (?:clients|connections)",
     "the database server of {where} has no free connection (too many clients); try again later"),
    ("53100", r"no space left on device|disk full",
     "the database server of {where} cannot grow: its disk is full (nothing more was written)"),
    ("57P01", r"terminating connection due to administrator command|server closed the connection",
     "the database server of {where} closed the connection (restarted or shut down); try again"),
)


def explain_server_error(orig: BaseException, where: str) -> str | None:
    """One line for a database server's error ``orig`` (the driver's exception) about ``where``, or None
    when it is not one of the known causes."""
    text = " ".join(str(orig).split())
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    for state, pattern, told in _CAUSES:
        found = re.search(pattern, text, re.IGNORECASE)
        if found is not None or (state is not None and state == sqlstate):
            groups = [group.strip('"') for group in found.groups()] if found else []
            if "{0}" in told and not groups:
                continue  # the SQLSTATE fits, but a message in another language names nothing to quote
            return told.format(*groups, where=where)
    return None
