"""The live session: frame sources, the tracker, identification by votes and the session
loop that writes marks.  Imports ``roster``, ``records``, ``recognition`` and ``core``."""
