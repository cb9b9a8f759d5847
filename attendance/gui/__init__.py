"""The desktop window (Tkinter + ttk): Roster, Session and Reports tabs over the core.

Importing this package does not import Tk; :func:`attendance.gui.app.run_app` opens the
window.  Slow work never runs on the Tk thread: enrollment runs in a worker process
(:mod:`attendance.gui.jobs`), a session in :class:`attendance.live.session.BackgroundSession`.
"""
