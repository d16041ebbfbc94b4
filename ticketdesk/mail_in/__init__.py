"""Mail in: mail to the support address comes in by IMAP (fetched by the worker) or an MTA's pipe, is read
within limits in a child process (limits.py, sandbox.py, reading.py, quotes.py), and becomes tickets and
messages (intake.py); its originals, files and quarantine are served here (views.py, api.py), and kept
for as long as retention says (retention.py). Above tickets and conversations, whose paths it uses; the
blueprint keeps the name `mail` (its pages' endpoints), and its commands join mail out's `flask mail` group."""
from flask import Blueprint, Flask

bp = Blueprint("mail", __name__, cli_group=None)


def init_app(app: Flask) -> None:
    """After mail out, whose `mail` command group these commands join."""
    from . import api, cli, imap, retention, views  # noqa: F401  (routes and commands attach to bp; jobs register)
    app.register_blueprint(bp)
    group = app.cli.commands["mail"]
    for name, command in cli.commands.items():
        group.add_command(command, name)
