"""``attendance doctor``: check the installation (the window's Help > Check installation does the same)."""

from __future__ import annotations

import click

from attendance.cli.common import home_of
from attendance.core.errors import DependencyError


@click.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """Check the installation: every dependency imports, the face models load, a
    recognition worker answers; say what is optional and where the data lives."""
    from attendance import api
    from attendance.recognition.doctor import CheckStatus

    failed = []
    for check in api.check_installation(home_of(ctx)):
        click.echo(check.line(), err=check.status is not CheckStatus.OK)
        if check.status is CheckStatus.FAILED:
            failed.append(check)
    if failed:
        raise DependencyError(f"{len(failed)} check(s) failed: see the FAILED lines above")
