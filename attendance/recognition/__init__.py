"""Faces in images: the dlib engine, image loading, the ``Detections`` type, the gallery
match, frame analysis and the lean worker processes that run it.  Imports only ``core``."""
