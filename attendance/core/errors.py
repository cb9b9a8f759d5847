"""Errors the user can act on: one hierarchy for the whole package.

Every error the package raises on purpose is an :class:`AttendanceError`, and ``str(err)``
is a complete one-line message: the command line prints it on stderr with exit status 1,
the window shows it in a message, and a script catches the class it cares about::

    AttendanceError                  anything the user can act on; str() is one line
    ├── ArgumentError                a value or a combination of arguments is not accepted
    ├── DependencyError              a required package is missing or broken
    ├── MissingFileError             a file or folder named does not exist
    ├── ImageError                   a file cannot be used as a photo
    │   └── FaceCountError           an enrollment photo has no face, or several
    ├── InvalidNameError             a student name, id, class or session name is refused
    ├── InvalidTimeError             a date or time cannot be read
    ├── StoreError                   the face store or class book is damaged, locked, or refuses
    │   ├── NobodyEnrolledError      nobody is enrolled yet
    │   └── LooksDifferentError      a new photo looks like another person; nothing added
    ├── SourceError                  a camera, video, folder or stream cannot be opened or read
    ├── LogLockedError               another run is writing this session's log
    ├── WorkerError                  a recognition worker could not start or stopped
    ├── StoppedError                 a long job was stopped before it finished; nothing recorded
    └── SchoolError                  the school's server refused, or the folder is not set up
        ├── SchoolOfflineError       the server cannot be reached now
        └── SchoolAuthError          the server refused the login

(``tests/core/test_errors.py`` holds this drawing to the classes below.)  Other exceptions
are bugs, or ``KeyboardInterrupt``; a few internal ``ValueError`` are raised and caught
within one module while parsing a file, and leave it as a :class:`StoreError` or a warning.
"""


class AttendanceError(Exception):
    """Base class: ``str(err)`` is a complete one-line message for the user."""


class ArgumentError(AttendanceError):
    """A value or a combination of arguments is not accepted (an unknown format, status or
    detector; a name given for a folder): the command line's usage errors, for a script."""


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


class LooksDifferentError(StoreError):
    """A photo added under a student's name looks like a different person from their other
    photos, so nothing was added: ``name`` and ``student_id`` say whose photos it was
    compared with (add it anyway with ``force``, or enroll a new student of that name)."""

    def __init__(self, message: str, *, name: str = "", student_id: str = "") -> None:
        super().__init__(message)
        self.name = name
        self.student_id = student_id


class SourceError(AttendanceError):
    """A frame source (camera, file, folder, stream) cannot be opened or read."""


class LogLockedError(AttendanceError):
    """Another process is already writing this session's log."""


class InvalidTimeError(AttendanceError):
    """A date or time the user typed could not be read."""


class WorkerError(AttendanceError):
    """A recognition worker could not start or stopped unexpectedly."""


class StoppedError(AttendanceError):
    """A long job (a roll call from photos) was stopped before it finished: nothing was recorded."""


class SchoolError(AttendanceError):
    """The school's server refused a request, or this data folder is not set up for it
    (not connected, not initialised, the wrong role)."""


class SchoolOfflineError(SchoolError):
    """The school's server cannot be reached now (down, unreachable, timed out); the
    laptop's own records are complete and pending events wait in its outbox."""


class SchoolAuthError(SchoolError):
    """The school's server refused the login (wrong user or password, no password given)."""
