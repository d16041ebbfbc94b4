"""Tickets: the JSON API and the agents' pages for filing, browsing and moving tickets."""
from flask import Blueprint, Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from ..models import MAX_ID

bp = Blueprint("tickets", __name__, cli_group=None)


class TicketIdConverter(IntegerConverter):
    """`<ticket_id:...>`: an id past the column's range names no ticket, so 404 whatever the method.
    (`int(max=...)` refuses it after Werkzeug has noted the URL's other methods, so PATCH got a 405.)"""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound()
        return number

from . import api, cli, views  # noqa: E402,F401  (routes and commands attach themselves to bp)


def init_app(app: Flask) -> None:
    app.url_map.converters["ticket_id"] = TicketIdConverter
    app.register_blueprint(bp)
