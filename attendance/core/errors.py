"""Errors the user can act on.  Each carries a one-line message for the CLI and the GUI."""


class AttendanceError(Exception):
    """Base class: ``str(err)`` is a complete one-line message for the user."""


class DependencyError(AttendanceError):
    """A required package is missing or broken; the message names the fixing command."""


class MissingFileError(AttendanceError):
    """A file or folder the user named does not exist."""


class ImageError(AttendanceError):
    """A file could not be used as a photo (not an image, truncated, too large...)."""


class FaceCountError(ImageError):
    """An enrollment photo has no face, or more than one."""


class InvalidNameError(AttendanceError):
    """A student name, id or session name is not acceptable."""


class StoreError(AttendanceError):
    """The encoding store is damaged, locked, or the request does not fit it."""


class NobodyEnrolledError(StoreError):
    """A session cannot start: nobody is enrolled."""


class SourceError(AttendanceError):
    """A frame source (camera, file, folder, stream) cannot be opened or read."""


class LogLockedError(AttendanceError):
    """Another process is already writing this session's log."""


class InvalidTimeError(AttendanceError):
    """A date or time the user typed could not be read."""


class WorkerError(AttendanceError):
    """A recognition worker could not start or stopped unexpectedly."""


class SchoolError(AttendanceError):
    """The school's server refused a request, or this data folder is not set up for it
    (not connected, not initialised, the wrong role)."""


class SchoolOfflineError(SchoolError):
    """The school's server cannot be reached now (down, unreachable, timed out); the
    laptop's own records are complete and pending events wait in its outbox."""


class SchoolAuthError(SchoolError):
    """The school's server refused the login (wrong user or password, no password given)."""
