"""`GET /api/whoami/`: whom the request's credentials belong to, and the role they act with, so that an
integrator can check a token before using it (and the benchmark can time the access gate alone)."""
from flask import g, jsonify

from ..api import api_route
from . import bp


@api_route(bp, "/api/whoami/", methods=["GET"])
def whoami():
    return jsonify({"actor": g.get("actor"), "role": g.get("role")})
