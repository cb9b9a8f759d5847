"""Who is enrolled: the encoding store, enrollment from photos, and the accuracy
evaluation of one-photo enrollment.  Imports ``recognition`` and ``core``."""
