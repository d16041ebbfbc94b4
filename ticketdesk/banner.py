"""What the desk says about itself to operators: one start-up line from the gunicorn master, and, on
standard error (so scripts reading standard output are undisturbed), the database a `flask` command uses."""
import functools
import logging

import click
from flask import Flask
from flask.cli import ScriptInfo

from config import database_label

from .classifiers import choose

# the commands that read or change data; `flask db` also shows alembic's own progress lines
DATA_COMMANDS = ("db", "users", "tokens", "seed-demo", "triage", "mail", "worker")


def startup_line(settings: dict, address: str, workers: int, threads: int) -> str:
    name = ",".join(choose(settings))
    classifier = f"{name} (auto)" if settings.get("TICKETDESK_CLASSIFIER", "auto") == "auto" else name
    access = "required" if settings["TICKETDESK_AUTH"] == "required" else "OFF (anyone can read and change tickets)"
    return (f"TicketDesk ({settings['TICKETDESK_ENV']}) serving http://{address} with {workers} worker"
            f"{'s' if workers != 1 else ''} x {threads} threads; database {database_label(settings['SQLALCHEMY_DATABASE_URI'])}; "
            f"access control {access}; classifier {classifier}")


def init_app(app: Flask) -> None:
    for name in DATA_COMMANDS:
        if name in app.cli.commands:
            _say_database_first(app.cli.commands[name], verbose_migrations=name == "db")


def _say_database_first(command: click.Command, verbose_migrations: bool) -> None:
    """Before `command` (a group: before any of its subcommands) runs, name the database on stderr:
    a shell without DATABASE_URL would otherwise write into the embedded SQLite file unawares."""
    if getattr(command, "says_database", False):
        return  # blueprints' command groups are module-level: every app built in a process shares them
    callback = command.callback

    @functools.wraps(callback or (lambda *a, **k: None))
    def announced(*args, **kwargs):
        app = click.get_current_context().ensure_object(ScriptInfo).load_app()
        click.echo(f"database: {database_label(app.config['SQLALCHEMY_DATABASE_URI'])}", err=True)
        if verbose_migrations:
            logging.getLogger("alembic").setLevel(logging.INFO)
        return callback(*args, **kwargs) if callback else None

    command.callback = announced
    command.says_database = True
