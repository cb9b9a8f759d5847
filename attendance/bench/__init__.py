"""``attendance bench``: measurements of this app beside the classic face_recognition loops.
Imports ``live``, ``demo``, ``roster``, ``records`` and below."""
