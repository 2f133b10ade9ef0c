"""The ``portal`` command: engine commands without Flask, everything else through Flask's CLI.

``portal estimate`` and ``portal ras`` go straight to :mod:`portal.engine.cli`, which imports no web code,
so batch jobs can run them anywhere. ``portal worker``, ``portal demo`` and ``portal db upgrade`` are
Flask commands (also reachable as ``flask --app portal.app:create_app …``).
"""

from __future__ import annotations

import sys
import threading
from typing import Any

import click

ENGINE_COMMANDS = ("estimate", "ras")


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``portal`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ENGINE_COMMANDS:
        from portal.engine.cli import main as engine_main

        raise SystemExit(engine_main(args))
    from flask.cli import FlaskGroup

    from portal.app import create_app
    from portal.config import Config, DemoConfig

    # Only the demo may run without PORTAL_SECRET_KEY (it keeps a key in memory); everything else needs it.
    config = DemoConfig if args[:1] == ["demo"] else Config
    group = FlaskGroup(
        create_app=lambda: create_app(config), help="The care and support self-assessment portal."
    )
    return group.main(args=args, prog_name="portal")


def init_app(app: Any) -> None:
    """Register the portal's Flask commands."""

    @app.cli.command("worker")
    @click.option("--once", is_flag=True, help="Do the jobs waiting now, then stop.")
    @click.option("--poll", default=1.0, show_default=True, help="Seconds between looks when idle.")
    def worker(once: bool, poll: float) -> None:
        """Do queued jobs (emails, letters, calibration) until stopped."""
        from flask import current_app

        from portal.jobs import start_recurring, work_in_lanes

        start_recurring()  # the daily review reminders, unless a run is already waiting
        stop = threading.Event()
        try:
            # two lanes: accuracy tests and calibrations in one thread, emails and letters in the other
            done = work_in_lanes(
                current_app._get_current_object(), stop=stop, poll_seconds=poll, until_empty=once
            )
        except KeyboardInterrupt:
            stop.set()
            return
        click.echo(f"{done} jobs done")

    @app.cli.command("grant-app-role")
    @click.argument("role")
    def grant_app_role_command(role: str) -> None:
        """As the owner, after `db upgrade`: let ROLE (the web and worker role) use the tables, no more."""
        from portal.db_roles import grant_app_role
        from portal.extensions import db

        with db.engine.begin() as connection:
            statements = grant_app_role(connection, role)
        click.echo(f"Granted {role} the app's rights on {len(statements) - 4} tables.")

    @app.cli.command("seed-demo")
    def seed_demo_command() -> None:
        """Add the demo organisations and accounts (does nothing if they exist)."""
        from portal.demo import print_accounts, seed_demo, seed_demo_cases
        from portal.demo_configs import seed_demo_configurations

        seed_demo()
        seed_demo_configurations()
        with app.test_request_context():
            seed_demo_cases()
        print_accounts()

    @app.cli.command("create-deployment-admin")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.password_option()
    def create_deployment_admin(email: str, name: str, password: str) -> None:
        """Create the deployment administrator, who creates organisations and their first admins."""
        from portal.extensions import db
        from portal.models import Account, Role
        from portal.security import hash_password

        db.session.add(
            Account(
                email=email.strip().lower(),
                name=name,
                password_hash=hash_password(password),
                role=Role.DEPLOYMENT_ADMIN,
            )
        )
        db.session.commit()
        click.echo(f"Created deployment administrator {email}")

    @app.cli.command("demo")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True)
    @click.option("--smtp-port", default=8025, show_default=True)
    def demo(host: str, port: int, smtp_port: int) -> None:
        """Run the demo: migrate, seed, start a mail sink and a worker, and serve on loopback."""
        from portal.demo import run_demo

        run_demo(app, host=host, port=port, smtp_port=smtp_port)


if __name__ == "__main__":
    main()
