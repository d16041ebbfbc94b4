"""The JSON API as an OpenAPI 3.1 document, built by apispec from the marshmallow schemas that validate and
shape the API, served at `/api/openapi.json` and rendered for people at `/api/docs`.

What the API promises is data apart from the code that serves it: operations.py (every path and its
answers), components.py (the schemas only the document needs), document.py (assembling them), views.py (the
two routes). `tests/kernel/test_openapi.py` fails when a route is missing from operations.py, and
`make fuzz` holds every answer to it."""
from flask import Blueprint, Flask

bp = Blueprint("openapi", __name__)


def init_app(app: Flask) -> None:
    from . import views  # noqa: F401  (routes attach themselves to bp)
    app.add_template_filter(views.code_spans)
    app.register_blueprint(bp)
