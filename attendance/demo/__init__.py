"""The built-in demo: synthetic videos made from real photos, and the demo's assets.
Imports ``roster``, ``recognition`` and ``core``."""
