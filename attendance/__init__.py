"""attendance: a webcam attendance tracker.

Enroll each student from one photo (``attendance enroll``), run a live camera session
that marks recognised students present in a durable CSV log (``attendance run``), and
export the logs as spreadsheets (``attendance export``).  The desktop window
(``attendance gui``) and the command line are thin shells over the same core modules.
"""

__version__ = "0.1.0"
