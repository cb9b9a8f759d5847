"""The desktop window (Tkinter + ttk): Roster, Session and Reports tabs over the core.

Importing this package does not import Tk; :func:`attendance.gui.app.run_app` opens the
window.  Slow work never runs on the Tk thread: enrollment and reports run in a worker
process (:mod:`attendance.gui.jobs`), a session and a roll call from photos in a
:class:`attendance.core.background.BackgroundTask` (their recognition in worker processes).
What the window does that the command line does too goes through :mod:`attendance.api`.
"""
