"""``attendance bench``: measurements of this app beside the classic face_recognition loops.
Imports ``live``, ``demo``, ``roster``, ``records`` and below.

The benchmark's inputs (photos, people/ and the clip) come from outside the package: the
folder given by ``attendance bench --data DIR`` or the :data:`DATA_ENV` environment variable.
"""

#: Environment variable naming the benchmark's input folder (what ``--data`` gives).
DATA_ENV = "ATTENDANCE_DATA"
