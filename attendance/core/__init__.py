"""The bottom layer: errors, the data home, atomic writes, spreadsheet-safe text, names,
times, dependency checks and the process pool.  Imports nothing else of the package."""
