"""``python -m attendance`` runs the same command line as the ``attendance`` script."""

from attendance.cli import main

if __name__ == "__main__":
    main()
