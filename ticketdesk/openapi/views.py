"""`/api/openapi.json` for programs and `/api/docs` for people."""
import re

from flask import jsonify, render_template
from markupsafe import Markup, escape

from . import bp
from .document import spec


@bp.get("/api/openapi.json")
def document():
    return jsonify(spec())


@bp.get("/api/docs")
def reference():
    return render_template("api_docs.html", spec=spec())


def code_spans(text: str | None) -> Markup:
    """The document's `backticks` as <code>, for the reference page."""
    return Markup(re.sub(r"`([^`]+)`", r"<code>\1</code>", str(escape(text or ""))))


