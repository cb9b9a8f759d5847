"""attendance: a webcam attendance tracker.

Enroll each student from one photo, run a live camera session that marks recognised
students present in a durable CSV log, and export the logs as spreadsheets: with the
``attendance`` command, the desktop window (``attendance gui``), or from Python with the
functions below (:mod:`attendance.api`; every one takes the data folder, a :class:`Home`)::

    import attendance
    home = attendance.Home.resolve("school-data")
    attendance.enroll(home, "photos/jane.jpg", name="Jane Doe", student_id="1042")
    print(attendance.identify(home, "class.jpg"))

Importing the package is fast: the heavy libraries load when a function first needs them.
"""

from attendance.api import *  # noqa: F403 - the public API, listed in attendance.api.__all__
from attendance.api import __all__ as _api_all

__version__ = "0.1.0"
__all__ = ["__version__", *_api_all]
