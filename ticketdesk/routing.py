"""The URL converter every route's ids use: `<id:ticket_id>`, `<id:mail_id>`, … An id past the columns'
range names no row, so it is a 404 whatever the method (`int(max=...)` refuses it after Werkzeug has noted
the URL's other methods, so a PATCH got a 405). Registered by the app factory before any blueprint."""
from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from .models import MAX_ID


class IdConverter(IntegerConverter):
    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound()
        return number


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
