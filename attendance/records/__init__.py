"""Attendance records: the durable session log, reading logs back, the export tables and
charts.  Imports only ``core`` (no face data lives here)."""
