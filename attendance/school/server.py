"""Opening a connection to the school's server, and turning its errors into one line.

Every connection gets a short ``connect_timeout`` (a laptop must never wait long for a
server that is not there), TCP keepalives and ``tcp_user_timeout`` (a server that vanishes
in the middle of a push is noticed in seconds), and the data folder's libpq password file
(``passfile``): the password is never in a URL, an argument, a log line or ``ps``.  What the
URL says (host, port, database, user, ``sslmode``...) is passed to libpq as it is.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from attendance.core.errors import SchoolAuthError, SchoolError, SchoolOfflineError

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

#: Seconds a connection attempt may take before the server counts as unreachable.
CONNECT_TIMEOUT_S = 3
#: Milliseconds a sent request may stay unacknowledged before the connection counts as lost.
TCP_USER_TIMEOUT_MS = 10_000

_AUTH_SIGNS = ("password authentication failed", "no password supplied", "authentication failed", "role \"", "pg_hba.conf")


def one_line(exc: BaseException) -> str:
    """A server or driver message on one line, without libpq's ``connection failed:`` prefix and hints."""
    text = str(exc).strip().split("\n")[0].strip() or type(exc).__name__
    for prefix in ("connection failed: ", "connection is bad: "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text


def server_error(exc: BaseException, doing: str) -> SchoolError:
    """The :class:`SchoolError` for a psycopg exception met while ``doing`` something:
    :class:`SchoolOfflineError` when the connection is lost, :class:`SchoolAuthError` for a
    refused login, else :class:`SchoolError` (e.g. permission denied)."""
    import psycopg

    message = f"{doing}: {one_line(exc)}"
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return SchoolError(f"{doing}: the school's server refused it ({one_line(exc)}); is this the right login for it?")
    if isinstance(exc, psycopg.errors.UndefinedTable):
        return SchoolError(f"{doing}: the school's schema is missing ({one_line(exc)}); run attendance school init URL first")
    if isinstance(exc, psycopg.OperationalError) and not isinstance(exc, psycopg.errors.QueryCanceled):
        text = one_line(exc)
        if any(sign in text for sign in _AUTH_SIGNS) and "Connection refused" not in text:
            return SchoolAuthError(message)
        return SchoolOfflineError(message)
    if isinstance(exc, (psycopg.InterfaceError, OSError)):
        return SchoolOfflineError(message)
    return SchoolError(message)


def open_connection(url: str, passfile: Path | None = None, *, password: str | None = None, autocommit: bool = False,
                    timeout: float = CONNECT_TIMEOUT_S, application_name: str = "attendance") -> psycopg.Connection:
    """A connection to ``url`` (libpq URL or key=value string, used as given).

    ``passfile``: the libpq password file to read the password from; ``password``: one
    given directly (a prompt's answer), never stored here.  Raises
    :class:`SchoolOfflineError` (refused, unreachable, timed out), :class:`SchoolAuthError`
    (login refused) or :class:`SchoolError` (a URL libpq cannot read).
    """
    import psycopg

    options: dict[str, object] = {"connect_timeout": max(1, round(timeout)), "application_name": application_name,
                                  "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 3, "keepalives_count": 3,
                                  "tcp_user_timeout": TCP_USER_TIMEOUT_MS}
    if passfile is not None:
        options["passfile"] = str(passfile)
    if password:
        options["password"] = password
    try:
        return psycopg.connect(url, autocommit=autocommit, **options)  # type: ignore[arg-type]
    except psycopg.ProgrammingError as exc:
        raise SchoolError(f"not a database URL libpq can read ({one_line(exc)}); e.g. postgresql://room12@school.example/attendance") from None
    except Exception as exc:  # noqa: BLE001 - every psycopg failure becomes one line
        raise server_error(exc, "cannot reach the school's server") from None
