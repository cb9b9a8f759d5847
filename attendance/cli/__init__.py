"""The command line: ``attendance`` and its subcommands (click)."""

from attendance.cli.main import main

__all__ = ["main"]
